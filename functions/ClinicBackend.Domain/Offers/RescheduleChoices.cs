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
        var wanted = moving.Start.TimeOfDay;
        var byDay = new List<List<ZonedDateTime>>();
        for (var day = today; day <= today.PlusDays(clinic.SelfService.OfferDays); day = day.PlusDays(1))
        {
            if (otherDays.Contains(day))
            {
                continue;
            }
            var free = BookingRules.GridStarts(clinic, day)
                .Where(s => s.Start.ToInstant() != moving.StartUtc && BookingRules.CheckStart(clinic, s.Start, s.End, now) is null)
                .Where(s => Overlapping(others, s.Start.ToInstant(), s.End.ToInstant()) < clinic.Chairs)
                .OrderBy(s => Distance(s.Start.TimeOfDay, wanted))
                .Select(s => s.Start)
                .ToList();
            if (free.Count > 0)
            {
                byDay.Add(free);
            }
        }
        // Best start of each day first, days ordered by how close that start is to the wanted time; then seconds.
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
