using ClinicBackend.Application.Access;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Offers;
using ClinicBackend.Domain.Time;
using NodaTime;

namespace ClinicBackend.Application.Sessions;

/// <summary>A window of time: [From, To).</summary>
public sealed record TimeWindow(Instant From, Instant To);

/// <summary>Free starts of a window, and the clinic they belong to.</summary>
public sealed record FreeStarts(Clinic Clinic, IReadOnlyList<FreeSlot> Slots);

/// <summary>
/// Free starts over a window of days, from the same availability booking uses: every free start, or the few proposed to a
/// patient, chosen and ordered as the self-service offers of starts are.
/// </summary>
public sealed class StartSearch(ClinicData data, ClinicAccess access, BookingService booking)
{
    /// <summary>The longest window one search reads.</summary>
    public const int MaxDays = 31;

    /// <summary>How many starts a search for a patient proposes at most.</summary>
    public const int MaxProposals = 10;

    /// <summary>Every start booking accepts now in the window, with its free chairs, by start.</summary>
    public async Task<Result<FreeStarts>> FreeAsync(Caller caller, string clinicId, TimeWindow window, CancellationToken ct)
    {
        var stored = await access.RequireAsync(caller, clinicId, Need.Staff, ct);
        if (!stored.IsSuccess)
        {
            return stored.Problem!;
        }
        var clinic = stored.Value.Value;
        var days = Days(clinic, window);
        if (!days.IsSuccess)
        {
            return days.Problem!;
        }
        var slots = await booking.FreeSlotsAsync(clinic, days.Value.From, days.Value.ToExclusive, ct);
        return new FreeStarts(clinic, slots.Where(s => Within(window, s)).ToList());
    }

    /// <summary>
    /// Starts to propose to a patient in the window: those booking would accept for them (a free chair, no other session of
    /// theirs that day), at most <see cref="MaxProposals"/>, spread over the days and closest to the window's start time of
    /// day (clinic time), as the self-service offers choose them; in time order.
    /// </summary>
    public async Task<Result<FreeStarts>> ProposeAsync(Caller caller, string clinicId, string? patientId, TimeWindow window, CancellationToken ct)
    {
        var free = await FreeAsync(caller, clinicId, window, ct);
        if (!free.IsSuccess)
        {
            return free.Problem!;
        }
        var clinic = free.Value.Clinic;
        var patient = Ids.IsGeneratedId(patientId) ? (await data.PatientAsync(clinicId, patientId!, ct))?.Value : null;
        if (BookingService.CheckPatient(patient) is { } refused)
        {
            return refused;
        }
        var firstDay = window.From.InZone(clinic.Zone).Date;
        var taken = (await data.PatientSessionsAsync(clinicId, patient!.Id, ct, firstDay)).Where(s => s.IsLive).Select(s => s.Date).ToHashSet();
        var open = free.Value.Slots.Where(s => !taken.Contains(s.Start.Date)).ToList();
        var chosen = RescheduleChoices.Spread(open.Select(s => s.Start), window.From.InZone(clinic.Zone).TimeOfDay, MaxProposals)
            .Select(start => open.First(s => s.Start.ToInstant() == start.ToInstant()))
            .ToList();
        return new FreeStarts(clinic, chosen);
    }

    private static bool Within(TimeWindow window, FreeSlot slot) => slot.Start.ToInstant() >= window.From && slot.Start.ToInstant() < window.To;

    /// <summary>The clinic-local days a window touches, at most <see cref="MaxDays"/>.</summary>
    private static Result<(LocalDate From, LocalDate ToExclusive)> Days(Clinic clinic, TimeWindow window)
    {
        if (window.To <= window.From)
        {
            return Problem.Validation("end", "The window's end must be after its start.");
        }
        var from = window.From.InZone(clinic.Zone).Date;
        var to = (window.To - Duration.Epsilon).InZone(clinic.Zone).Date.PlusDays(1);
        if (!ClinicTime.IsWithinCalendar(from) || !ClinicTime.IsWithinCalendar(to))
        {
            return Problem.Validation("start", "Give a window between 1900 and 2199.");
        }
        if (Period.Between(from, to, PeriodUnits.Days).Days > MaxDays)
        {
            return Problem.Validation("end", $"A window spans at most {MaxDays} days; ask for a shorter one.");
        }
        return (from, to);
    }
}
