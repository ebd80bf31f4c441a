using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace ClinicBackend.Integration.Tests.Drills;

/// <summary>
/// Drill: 500 concurrent booking attempts, by 500 patients, on a day where three of the four chairs are taken from opening to
/// closing. No minute may hold more sessions than chairs, whatever the interleaving; every refusal is a 409.
/// </summary>
public sealed class BookingDrillTests(ITestOutputHelper output) : ClinicAppTest
{
    private const int Attempts = 500;
    private const string Day = "2026-12-02";

    [Fact]
    public async Task Five_hundred_concurrent_bookings_on_a_nearly_full_day_never_overbook()
    {
        var clock = Stopwatch.StartNew();
        // Chairs 0-2 held all day: five back-to-back sessions each, 08:00-18:00.
        foreach (var start in new[] { "08:00", "10:00", "12:00", "14:00", "16:00" })
        {
            for (var chair = 0; chair < 3; chair++)
            {
                (await Clinic.BookAsync(await Clinic.RegisterPatientAsync(), $"{Day}T{start}")).Expect(201);
            }
        }
        var patients = new string[Attempts];
        await Parallel.ForEachAsync(Enumerable.Range(0, Attempts), new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (i, _) => patients[i] = await Clinic.RegisterPatientAsync());
        var setUp = clock.Elapsed;

        // Every start of the day's grid, spread over the attempts.
        var starts = Enumerable.Range(0, 33).Select(i => new TimeOnly(8, 0).AddMinutes(15 * i).ToString("HH:mm", CultureInfo.InvariantCulture)).ToArray();
        using var http = new HttpClient { BaseAddress = App.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        var race = Stopwatch.StartNew();
        var replies = await Task.WhenAll(patients.Select(async (patient, i) =>
        {
            using var request = App.Request(HttpMethod.Post, $"{Clinic.Base}/sessions", Clinic.Staff, new { patientId = patient, start = $"{Day}T{starts[i % starts.Length]}" });
            using var response = await http.SendAsync(request);
            return await Reply.ReadAsync(response);
        }));
        race.Stop();

        var booked = replies.Where(r => r.Status == 201).ToList();
        var refused = replies.Where(r => r.Status != 201).ToList();
        Assert.All(refused, r => r.ExpectProblem(409));
        var byCode = refused.GroupBy(r => r["type"]!.Split('/')[^1]).ToDictionary(g => g.Key, g => g.Count());

        // Storage: at most one claim per chair and tick, never more than four claims at a tick, each session's claims its own ticks.
        var claims = await StoredRows.ChairClaimsAsync(App, Clinic.ClinicId);
        var perTick = claims.GroupBy(c => c.Key.Split('|')[1]).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(perTick, t => Assert.InRange(t.Value, 1, 4));
        var sessions = (await Clinic.GetAsync($"/sessions?date={Day}")).Expect(200).Json!["sessions"]!.AsArray();
        Assert.Equal(15 + booked.Count, sessions.Count);
        foreach (var session in sessions)
        {
            var startUtc = DateTime.Parse(session!["startUtc"]!.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
            var ticks = Enumerable.Range(0, 24).Select(i => startUtc.AddMinutes(5 * i).ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(ticks, claims.Where(c => c.SessionId == session["id"]!.ToString()).Select(c => c.Key.Split('|')[1]).Order(StringComparer.Ordinal));
        }
        // The sessions themselves: at every 5-minute tick of the day, no more live sessions than chairs.
        var intervals = sessions.Select(s => (Start: DateTime.Parse(s!["startUtc"]!.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal),
            End: DateTime.Parse(s["endUtc"]!.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal))).ToList();
        var busiest = 0;
        for (var tick = new DateTime(2026, 12, 2, 13, 0, 0, DateTimeKind.Utc); tick < new DateTime(2026, 12, 2, 23, 0, 0, DateTimeKind.Utc); tick = tick.AddMinutes(5))
        {
            busiest = Math.Max(busiest, intervals.Count(s => s.Start <= tick && tick < s.End));
        }
        Assert.InRange(busiest, 3, 4);
        // The fourth chair fits five back-to-back sessions at most, and the race fills it at least once.
        Assert.InRange(booked.Count, 1, 5);

        output.WriteLine($"{Attempts} concurrent booking attempts in {race.Elapsed.TotalSeconds:F1} s (set-up {setUp.TotalSeconds:F1} s): "
            + $"{booked.Count} booked ({string.Join(", ", booked.Select(b => b["start"]![11..]).Order(StringComparer.Ordinal))}), "
            + string.Join(", ", byCode.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Value} refused 409 {c.Key}")));
        output.WriteLine($"Afterwards: {sessions.Count} sessions that day, {claims.Count} chair claims, at most {perTick.Values.Max()} claims at a tick, "
            + $"at most {busiest} sessions at a tick (4 chairs).");
    }
}
