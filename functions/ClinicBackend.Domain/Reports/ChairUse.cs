using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Sessions;
using NodaTime;
using NodaTime.TimeZones;

namespace ClinicBackend.Domain.Reports;

/// <summary>
/// Chair-time a cancellation or a move released before the session started: the place the session held
/// (<see cref="StartUtc"/> to <see cref="EndUtc"/>, held since <see cref="PlacedAt"/>) and, for a move, where it went.
/// Written with the change, and kept: the report counts freed and refilled chair-time from these.
/// </summary>
public sealed record ChairRelease(
    string SessionId,
    LocalDateTime Start,
    Instant StartUtc,
    Instant EndUtc,
    Instant? PlacedAt,
    Instant ReleasedAt,
    Instant? MovedToStartUtc,
    Instant? MovedToEndUtc)
{
    /// <summary>The clinic-local day of the released chair-time.</summary>
    public LocalDate Date => Start.Date;

    /// <summary>
    /// What a change releases: a booked session cancelled or moved before its start releases the place it held; null
    /// for every other change (a booking, a check-in, a cancellation after the start, a no-show).
    /// </summary>
    public static ChairRelease? Of(Session before, Session after, Instant now)
    {
        var left = !after.IsLive || after.StartUtc != before.StartUtc;
        if (before.Status != SessionStatus.Booked || before.StartUtc <= now || !left)
        {
            return null;
        }
        var moved = after.IsLive;
        return new ChairRelease(before.Id, before.Start, before.StartUtc, before.EndUtc, before.PlacedAt, now,
            moved ? after.StartUtc : null, moved ? after.EndUtc : null);
    }

    /// <summary>The capacity ticks freed: the place held, less what a move kept of it (moved by less than its length).</summary>
    public IEnumerable<Instant> FreedTicks() => BookingRules.Ticks(StartUtc, EndUtc)
        .Where(t => MovedToStartUtc is not { } from || MovedToEndUtc is not { } to || t < from || t >= to);
}

/// <summary>
/// The chair figures of one clinic-local day, in minutes: chair-time booked (sessions not cancelled) and fulfilled,
/// freed (released before the session's start), refilled (freed chair-time that a session placed later took), and
/// for each session that took freed time, the minutes from the release to its booking.
/// </summary>
public sealed record ChairDay(int BookedMinutes, int FulfilledMinutes, int FreedMinutes, int RefilledMinutes, IReadOnlyList<int> MinutesToRefill)
{
    private static readonly int TickMinutes = (int)BookingRules.Tick.TotalMinutes;

    /// <summary>
    /// The figures of a day from its sessions (the day index) and the chair-time released on it. Every place a
    /// session held that day is either current (the day index) or released (a release row), with the time it was
    /// placed. Placements are taken in the order they were made: each 5-minute tick of a placement takes a freed tick
    /// of that minute released before it by another session (a placement at the very instant of a release is not
    /// known to follow it), the earliest release first; each freed tick is
    /// taken at most once (chairs are interchangeable, so any later booking of those minutes refills them).
    /// </summary>
    public static ChairDay Of(LocalDate date, IEnumerable<Session> sessions, IEnumerable<ChairRelease> releases)
    {
        var day = sessions.Where(s => s.Date == date).ToList();
        var released = releases.Where(r => r.Date == date).OrderBy(r => r.ReleasedAt).ThenBy(r => r.SessionId, StringComparer.Ordinal).ToList();

        var open = new Dictionary<Instant, List<int>>();
        var freed = 0;
        for (var i = 0; i < released.Count; i++)
        {
            foreach (var tick in released[i].FreedTicks())
            {
                (open.TryGetValue(tick, out var list) ? list : open[tick] = []).Add(i);
                freed += TickMinutes;
            }
        }

        // A cancelled session whose place was released is among the releases already; a late cancellation held its place.
        var current = day.Where(s => s.Status != SessionStatus.Cancelled || !released.Any(r => r.SessionId == s.Id && r.StartUtc == s.StartUtc))
            .Select(s => (s.Id, s.StartUtc, s.EndUtc, s.PlacedAt));
        var placements = released.Select(r => (Id: r.SessionId, r.StartUtc, r.EndUtc, r.PlacedAt)).Concat(current)
            .Where(p => p.PlacedAt is not null)
            .OrderBy(p => p.PlacedAt).ThenBy(p => p.Id, StringComparer.Ordinal);

        var refilled = 0;
        var minutes = new List<int>();
        foreach (var (id, start, end, placedAt) in placements)
        {
            var taken = new SortedSet<int>();
            foreach (var tick in BookingRules.Ticks(start, end))
            {
                if (!open.TryGetValue(tick, out var waiting))
                {
                    continue;
                }
                var k = waiting.FindIndex(i => released[i].ReleasedAt < placedAt && released[i].SessionId != id);
                if (k >= 0)
                {
                    taken.Add(waiting[k]);
                    waiting.RemoveAt(k);
                    refilled += TickMinutes;
                }
            }
            minutes.AddRange(taken.Select(i => (int)Math.Round((placedAt!.Value - released[i].ReleasedAt).TotalMinutes, MidpointRounding.AwayFromZero)));
        }

        var booked = day.Where(s => s.Status != SessionStatus.Cancelled).ToList();
        return new ChairDay(
            booked.Sum(Minutes),
            booked.Where(s => s.Status == SessionStatus.Fulfilled).Sum(Minutes),
            freed,
            refilled,
            minutes);
    }

    private static int Minutes(Session s) => (int)(s.EndUtc - s.StartUtc).TotalMinutes;
}

/// <summary>The chair figures of a range, in minutes; see <see cref="ChairDay"/>.</summary>
public sealed record ChairUse(int AvailableMinutes, int BookedMinutes, int FulfilledMinutes, int FreedMinutes, int RefilledMinutes, IReadOnlyList<int> MinutesToRefill)
{
    /// <summary>Fulfilled chair-time of the available.</summary>
    public Share Utilisation => new(FulfilledMinutes, AvailableMinutes);

    /// <summary>Refilled chair-time of the freed.</summary>
    public Share RefillRate => new(RefilledMinutes, FreedMinutes);

    /// <summary>The median of the minutes from a release to the booking that took its time; null when nothing was refilled.</summary>
    public double? MedianMinutesToRefill
    {
        get
        {
            if (MinutesToRefill.Count == 0)
            {
                return null;
            }
            var sorted = MinutesToRefill.Order().ToList();
            var mid = sorted.Count / 2;
            return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2.0;
        }
    }

    public static ChairUse Of(int availableMinutes, IEnumerable<ChairDay> days)
    {
        var list = days.ToList();
        return new ChairUse(availableMinutes, list.Sum(d => d.BookedMinutes), list.Sum(d => d.FulfilledMinutes), list.Sum(d => d.FreedMinutes),
            list.Sum(d => d.RefilledMinutes), list.SelectMany(d => d.MinutesToRefill).ToList());
    }

    /// <summary>
    /// Opening hours times chairs over the range's days from the clinic's first day on, with the clinic's present
    /// settings. Each day's hours are the real time elapsed in the clinic's zone between opening and closing, so a day
    /// whose clocks change inside the opening hours counts one hour less or more; a day without opening hours counts none.
    /// </summary>
    public static int OpenChairMinutes(Clinic clinic, ReportRange range)
    {
        var opened = clinic.CreatedAt.InZone(clinic.Zone).Date;
        var minutes = 0;
        for (var date = range.From > opened ? range.From : opened; date <= range.To; date = date.PlusDays(1))
        {
            if (clinic.HoursOn(date.DayOfWeek) is { } hours)
            {
                var open = clinic.Zone.ResolveLocal(date.At(hours.Open), Resolvers.CreateMappingResolver(Resolvers.ReturnEarlier, Resolvers.ReturnForwardShifted));
                var close = clinic.Zone.ResolveLocal(date.At(hours.Close), Resolvers.CreateMappingResolver(Resolvers.ReturnLater, Resolvers.ReturnForwardShifted));
                minutes += (int)(close.ToInstant() - open.ToInstant()).TotalMinutes * clinic.Chairs;
            }
        }
        return minutes;
    }
}
