using ClinicBackend.Domain.Common;
using NodaTime;

namespace ClinicBackend.Domain.Sessions;

public enum CourseBookingMode
{
    /// <summary>Book what fits; list the rest with alternatives.</summary>
    BestEffort,
    /// <summary>Any conflict books nothing.</summary>
    AllOrNothing,
}

/// <summary>
/// Where a course booking stands. Its sessions are first held (chair and day claims only, nothing visible),
/// then confirmed one by one; a booking abandoned while reserving is rolled back, one abandoned while
/// confirming is rolled forward.
/// </summary>
public enum CourseBookingStatus
{
    Reserving,
    Confirming,
    Done,
    RollingBack,
    RolledBack,
}

/// <summary>One request to book a run of sessions for a patient, tracked until every hold is confirmed or released.</summary>
public sealed record CourseBooking
{
    public required string Id { get; init; }
    public required string PatientId { get; init; }
    public required CourseBookingMode Mode { get; init; }
    public CourseBookingStatus Status { get; init; } = CourseBookingStatus.Reserving;
    public required Instant CreatedAt { get; init; }
    /// <summary>After this the scheduled run finishes the booking: rolls back a reservation, rolls a confirmation forward.</summary>
    public required Instant ExpiresAt { get; init; }
    public required string Actor { get; init; }
    /// <summary>The sessions held so far (each hold adds its id in the same transaction).</summary>
    public IReadOnlyList<string> SessionIds { get; init; } = [];
    public int Version { get; init; } = 1;

    public CourseBooking With(CourseBookingStatus status) => this with { Status = status, Version = Version + 1 };

    public static string NewId() => "c" + Ids.New();
}

/// <summary>A start of the course that could not be booked, why (a booking problem code), and nearby starts that could.</summary>
public sealed record CourseConflict(LocalDateTime Start, string Reason, IReadOnlyList<LocalDateTime> Alternatives);

/// <summary>The starts of a course: the first <c>count</c> dates from <c>from</c> on the given weekdays, at one clinic-local time.</summary>
public static class CoursePlan
{
    public const int MaxCount = 16;
    public const int MaxAlternatives = 3;

    public static IReadOnlyList<LocalDateTime> Starts(LocalDate from, IReadOnlySet<IsoDayOfWeek> weekdays, LocalTime time, int count)
    {
        var starts = new List<LocalDateTime>(count);
        for (var date = from; starts.Count < count && weekdays.Count > 0; date = date.PlusDays(1))
        {
            if (weekdays.Contains(date.DayOfWeek))
            {
                starts.Add(date.At(time));
            }
        }
        return starts;
    }

    /// <summary>Up to three free starts near a wanted one: that day first, then the next, each by closeness in time.</summary>
    public static IReadOnlyList<LocalDateTime> Nearest(LocalDateTime wanted, IEnumerable<LocalDateTime> free) =>
        free.Where(s => s != wanted && (s.Date == wanted.Date || s.Date == wanted.Date.PlusDays(1)))
            .OrderBy(s => s.Date)
            .ThenBy(s => Math.Abs(Period.Between(wanted.TimeOfDay, s.TimeOfDay, PeriodUnits.Minutes).Minutes))
            .ThenBy(s => s)
            .Take(MaxAlternatives)
            .ToList();
}
