using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Sessions;
using NodaTime;

namespace ClinicBackend.Domain.Offers;

/// <summary>
/// Which starts to offer a patient who asked by text to move a visit: starts booking would accept within the
/// clinic's offer window (grid, opening hours, not past, a chair free the whole time, no other live session of
/// the patient that day), at most one a day while other days have one, closest to the current visit's time of
/// day. Pure: the caller passes the clinic's live sessions of the window.
/// </summary>
public static class RescheduleChoices
{
    public static IReadOnlyList<ZonedDateTime> Choose(Clinic clinic, Session moving, IReadOnlyList<Session> liveInWindow, Instant now, int count = Offer.MaxStarts)
    {
        var today = now.InZone(clinic.Zone).Date;
        var otherDays = liveInWindow.Where(s => s.PatientId == moving.PatientId && s.Id != moving.Id && s.IsLive).Select(s => s.Date).ToHashSet();
        var others = liveInWindow.Where(s => s.Id != moving.Id && s.IsLive).ToList();
        var free = new List<ZonedDateTime>();
        for (var day = today; day <= today.PlusDays(clinic.SelfService.OfferDays); day = day.PlusDays(1))
        {
            if (otherDays.Contains(day))
            {
                continue;
            }
            free.AddRange(BookingRules.GridStarts(clinic, day)
                .Where(s => s.Start.ToInstant() != moving.StartUtc && BookingRules.CheckStart(clinic, s.Start, s.End, now) is null)
                .Where(s => Overlapping(others, s.Start.ToInstant(), s.End.ToInstant()) < clinic.Chairs)
                .Select(s => s.Start));
        }
        return Spread(free, moving.Start.TimeOfDay, count);
    }

    /// <summary>
    /// Up to <paramref name="count"/> of the free starts, spread over the days: the start of each day closest to the wanted
    /// time of day first, days ordered by how close that start is (then by date); then each day's second best, and so on.
    /// The chosen starts come back in time order.
    /// </summary>
    public static IReadOnlyList<ZonedDateTime> Spread(IEnumerable<ZonedDateTime> free, LocalTime wanted, int count)
    {
        var byDay = free.GroupBy(s => s.Date)
            .Select(d => d.OrderBy(s => Distance(s.TimeOfDay, wanted)).ThenBy(s => s.ToInstant()).ToList())
            .ToList();
        var ranked = byDay.OrderBy(d => Distance(d[0].TimeOfDay, wanted)).ThenBy(d => d[0].LocalDateTime).ToList();
        var chosen = new List<ZonedDateTime>();
        for (var round = 0; chosen.Count < count && ranked.Any(d => d.Count > round); round++)
        {
            chosen.AddRange(ranked.Where(d => d.Count > round).Select(d => d[round]).Take(count - chosen.Count));
        }
        return chosen.OrderBy(s => s.ToInstant()).ToList();
    }

    /// <summary>The most live sessions at any capacity tick of [start, end).</summary>
    private static int Overlapping(IReadOnlyList<Session> sessions, Instant start, Instant end) =>
        BookingRules.Ticks(start, end).Select(t => sessions.Count(s => s.StartUtc <= t && t < s.EndUtc)).DefaultIfEmpty(0).Max();

    private static long Distance(LocalTime a, LocalTime b) => Math.Abs(Period.Between(a, b, PeriodUnits.Minutes).Minutes);
}
