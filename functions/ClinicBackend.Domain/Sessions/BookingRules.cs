using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Time;
using NodaTime;

namespace ClinicBackend.Domain.Sessions;

/// <summary>Where and when a session may start, and how it occupies chairs. Pure: tested as tables.</summary>
public static class BookingRules
{
    public static readonly Duration Tick = Duration.FromMinutes(ClinicRules.CapacityTickMinutes);
    public static readonly Duration Horizon = Duration.FromDays(366);

    /// <summary>The session a clinic-local start gives: its end follows the real elapsed time, across DST changes too.</summary>
    public static Result<(ZonedDateTime Start, ZonedDateTime End)> Place(Clinic clinic, LocalDateTime start, string field)
    {
        var resolved = ClinicTime.Resolve(start, clinic.Zone, field);
        if (!resolved.IsSuccess)
        {
            return resolved.Problem!;
        }
        var end = resolved.Value.Plus(Duration.FromMinutes(clinic.SessionMinutes));
        return (resolved.Value, end);
    }

    /// <summary>The rules a start must keep besides capacity: grid, opening hours, not past, not too far ahead.</summary>
    public static Problem? CheckStart(Clinic clinic, ZonedDateTime start, ZonedDateTime end, Instant now)
    {
        var local = start.LocalDateTime;
        var minuteOfDay = local.Hour * 60 + local.Minute;
        if (local.Second != 0 || minuteOfDay % clinic.SlotMinutes != 0)
        {
            return Problem.Rule("off-grid", "The start is not on the slot grid.",
                $"Sessions start on the clinic's {clinic.SlotMinutes}-minute grid (for example 09:00, 09:{clinic.SlotMinutes:D2}); pick a time from the availability list.");
        }
        if (start.ToInstant() <= now)
        {
            return Problem.Rule("in-the-past", "The start is in the past.", "Choose a start later than now.");
        }
        if (start.ToInstant() > now + Horizon)
        {
            return Problem.Rule("too-far-ahead", "The start is too far ahead.", "Sessions can be booked up to one year ahead.");
        }
        var hours = clinic.HoursOn(local.DayOfWeek);
        if (hours is null)
        {
            return Problem.Rule("outside-opening-hours", "The clinic is closed that day.",
                $"The clinic does not treat on {local.DayOfWeek}s; choose another day.");
        }
        if (local.TimeOfDay < hours.Open || end.LocalDateTime.Date != local.Date || end.LocalDateTime.TimeOfDay > hours.Close)
        {
            return Problem.Rule("outside-opening-hours", "The session does not fit in the opening hours.",
                $"On {local.DayOfWeek}s the clinic is open {ClinicTime.FormatHourMinute(hours.Open)}-{ClinicTime.FormatHourMinute(hours.Close)} "
                + $"and a session with its monitoring lasts {clinic.SessionMinutes} minutes; start between "
                + $"{ClinicTime.FormatHourMinute(hours.Open)} and {ClinicTime.FormatHourMinute(hours.Close.PlusMinutes(-clinic.SessionMinutes))}.");
        }
        return null;
    }

    /// <summary>The 5-minute capacity ticks a session occupies, in UTC.</summary>
    public static IEnumerable<Instant> Ticks(Instant start, Instant end)
    {
        for (var t = start; t < end; t += Tick)
        {
            yield return t;
        }
    }

    /// <summary>Every start the grid offers on a clinic-local day that keeps the opening hours (capacity not considered).</summary>
    public static IEnumerable<(ZonedDateTime Start, ZonedDateTime End)> GridStarts(Clinic clinic, LocalDate date)
    {
        if (clinic.HoursOn(date.DayOfWeek) is not { } hours)
        {
            yield break;
        }
        var seen = new HashSet<Instant>();
        for (var local = date.At(hours.Open); local.Date == date && local.TimeOfDay < hours.Close; local = local.PlusMinutes(clinic.SlotMinutes))
        {
            var mapping = clinic.Zone.MapLocal(local);
            if (mapping.Count == 0)
            {
                continue; // spring-forward gap: that local time does not exist
            }
            var start = mapping.First();
            var end = start.Plus(Duration.FromMinutes(clinic.SessionMinutes));
            if (end.LocalDateTime.Date != date || end.LocalDateTime.TimeOfDay > hours.Close || !seen.Add(start.ToInstant()))
            {
                continue;
            }
            yield return (start, end);
        }
    }
}

/// <summary>Who holds which chair at each tick, read from the claim rows.</summary>
public sealed class ChairMap(int chairs)
{
    private readonly Dictionary<Instant, Dictionary<int, string>> _byTick = [];

    public void Add(Instant tick, int k, string sessionId)
    {
        if (!_byTick.TryGetValue(tick, out var ks))
        {
            ks = [];
            _byTick[tick] = ks;
        }
        ks[k] = sessionId;
    }

    public int FreeAt(Instant tick) => _byTick.TryGetValue(tick, out var ks) ? Math.Max(0, chairs - ks.Count) : chairs;

    /// <summary>The fewest free chairs over the ticks, leaving out the claims of <paramref name="ignoreSession"/>.</summary>
    public int FreeOver(IEnumerable<Instant> ticks, string? ignoreSession = null) =>
        ticks.Select(t => ignoreSession is null ? FreeAt(t) : FreeAtIgnoring(t, ignoreSession)).DefaultIfEmpty(chairs).Min();

    /// <summary>
    /// A chair index for every tick, keeping a session's own claim where it has one; null when some tick is full.
    /// Each session looks for a free chair from its own <see cref="FirstChoice"/> on, the same at every tick, so
    /// sessions booked at the same moment mostly claim different chairs instead of all racing for the first one.
    /// </summary>
    public IReadOnlyDictionary<Instant, int>? Assign(IEnumerable<Instant> ticks, string sessionId)
    {
        var first = FirstChoice(sessionId, chairs);
        var result = new Dictionary<Instant, int>();
        foreach (var tick in ticks)
        {
            _byTick.TryGetValue(tick, out var ks);
            var own = ks?.FirstOrDefault(p => p.Value == sessionId);
            if (own is { Value: not null } mine)
            {
                result[tick] = mine.Key;
                continue;
            }
            if ((ks?.Count ?? 0) >= chairs)
            {
                return null; // full; claims of chair indices above a reduced chair count still count
            }
            var k = Enumerable.Range(0, chairs).Select(i => (first + i) % chairs).FirstOrDefault(i => ks is null || !ks.ContainsKey(i), -1);
            if (k < 0)
            {
                return null;
            }
            result[tick] = k;
        }
        return result;
    }

    /// <summary>The chair a session tries first: spread over the chairs by its id (FNV-1a, the same in every process).</summary>
    public static int FirstChoice(string sessionId, int chairs)
    {
        var hash = 2166136261u;
        foreach (var c in sessionId)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return (int)(hash % (uint)Math.Max(1, chairs));
    }

    private int FreeAtIgnoring(Instant tick, string sessionId) =>
        _byTick.TryGetValue(tick, out var ks) ? Math.Max(0, chairs - ks.Count(p => p.Value != sessionId)) : chairs;
}
