using System.Diagnostics;
using System.Net;
using Azure.Data.Tables;
using ClinicBackend.LocalHost;

namespace ClinicBackend.Benchmarks;

/// <summary>
/// Booking through the whole stack (HTTP, token validation, access check, capacity claims in one transaction)
/// on the local host against Azurite: 1 and 16 clients on their own starts and days, beside a ceiling that
/// issues the same storage work with the SDK; 16 clients racing for the same start; and one booking layer by layer.
/// </summary>
public static class BookingBenchmark
{
    private const int Clients = 16;
    private static readonly DateOnly FirstDay = new(2026, 12, 1);
    /// <summary>Starts of 2-hour sessions that do not overlap, in the benchmark clinic's 07:00-20:00 day.</summary>
    private static readonly string[] Starts = ["07:00", "09:00", "11:00", "13:00", "15:00", "17:00"];

    /// <summary>
    /// Each case runs on a fresh table of its own and makes the same number of bookings, so that every case sees
    /// the same amount of data: Azurite scans the whole table for each range query.
    /// </summary>
    public static async Task<IReadOnlyList<string>> RunAsync(AzuriteProcess azurite, int perClient)
    {
        var bookings = Clients * perClient;
        var lines = new List<string>();
        var one = await OwnStartsAsync(azurite, 1, bookings);
        var many = await OwnStartsAsync(azurite, Clients, bookings);
        var (ceiling, work) = await CeilingAsync(azurite, bookings);
        foreach (var r in new[] { one.Result, many.Result, ceiling })
        {
            lines.Add(r.ToString());
        }
        lines.Add($"  one booking: {Results.F(many.RequestsPerBooking)} storage requests and {Results.F(many.QueueCallsPerBooking)} queue calls; "
            + $"the ceiling issues {work}");
        var scaling = many.Result.PerSecond / one.Result.PerSecond;
        var tail = many.Result.P99Ms / many.Result.P50Ms;
        var ofCeiling = many.Result.PerSecond / ceiling.PerSecond;
        lines.Add($"16 clients book at {Results.F(scaling, "F2")}x the rate of 1 client (goal: at least 1.5x); p99 is {Results.F(tail)}x p50 (goal: at most 5x); "
            + $"{Results.Percent(ofCeiling)} of the SDK ceiling (goal: at least 50%)");
        Results.Add("booking, 16 clients / 1 client (own starts and days)", $"{Results.F(scaling, "F2")}x ({Results.F(many.Result.PerSecond)}/s vs {Results.F(one.Result.PerSecond)}/s)", ">= 1.5x", scaling >= 1.5);
        Results.Add("booking, 16 clients: p99 / p50", $"{Results.F(tail)}x ({Results.F(many.Result.P99Ms, "F0")} / {Results.F(many.Result.P50Ms, "F0")} ms)", "<= 5x", tail <= 5);
        Results.Add("booking, 16 clients / SDK ceiling (same reads, same transaction)", $"{Results.Percent(ofCeiling)} ({Results.F(ceiling.PerSecond)}/s)", ">= 50%", ofCeiling >= 0.5);

        await using var host = await BenchmarkHost.StartAsync(azurite, countStorage: true);
        lines.AddRange(await ContendedAsync(host, rounds: Math.Max(4, perClient / 4)));
        lines.AddRange(await BreakdownAsync(host, bookings: 30));
        return lines;
    }

    private sealed record Run(Measure.Result Result, double RequestsPerBooking, double QueueCallsPerBooking);

    /// <summary>Each client books its own days (client c on days c, c + clients, ...), several non-overlapping starts a day.</summary>
    private static async Task<Run> OwnStartsAsync(AzuriteProcess azurite, int clients, int bookings)
    {
        var perClient = bookings / clients;
        if ((perClient - 1) / Starts.Length * clients + clients > 360)
        {
            throw new ArgumentException($"{perClient} bookings per client do not fit in a year of own days; use fewer.");
        }
        await using var host = await BenchmarkHost.StartAsync(azurite, countStorage: true);
        await WarmUpAsync(host);
        var clinicId = await host.CreateClinicAsync(chairs: 50);
        var patients = await RegisterAsync(host, clinicId, clients * Starts.Length);
        var (requests, queue) = (host.Probe.Reset().Requests, host.Probe.QueueCalls);
        var result = await Measure.RunAsync($"book, {clients} client(s) on own starts and days", clients, perClient, async (c, i) =>
        {
            var day = FirstDay.AddDays(c + clients * (i / Starts.Length));
            return await BookAsync(host, clinicId, patients[c * Starts.Length + i % Starts.Length], day, Starts[i % Starts.Length]) == HttpStatusCode.Created;
        });
        await Task.Delay(500); // events are published after the response
        return new Run(result, host.Probe.Reset().Requests / (double)bookings, (host.Probe.QueueCalls - queue) / (double)bookings);
    }

    private static async Task WarmUpAsync(BenchmarkHost host)
    {
        var clinicId = await host.CreateClinicAsync(chairs: 50);
        var patient = (await RegisterAsync(host, clinicId, 1))[0];
        for (var i = 0; i < 3; i++)
        {
            await BookAsync(host, clinicId, patient, FirstDay.AddDays(i), Starts[0]);
        }
    }

    /// <summary>16 clients book the same start at the same moment, round after round, with chairs for all of them.</summary>
    private static async Task<IReadOnlyList<string>> ContendedAsync(BenchmarkHost host, int rounds)
    {
        const int chairs = 20;
        var clinicId = await host.CreateClinicAsync(chairs);
        var patients = await RegisterAsync(host, clinicId, Clients);
        var conflicts = host.Probe.Conflicts;
        var latencies = new List<double>();
        var created = 0;
        var watch = Stopwatch.StartNew();
        for (var round = 0; round < rounds; round++)
        {
            var day = FirstDay.AddDays(round);
            var answers = await Task.WhenAll(Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
            {
                var started = Stopwatch.GetTimestamp();
                var status = await BookAsync(host, clinicId, patients[c], day, "10:00");
                return (status, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            })));
            created += answers.Count(a => a.status == HttpStatusCode.Created);
            latencies.AddRange(answers.Select(a => a.Item2));
        }
        var bookings = Clients * rounds;
        var retries = (host.Probe.Conflicts - conflicts) / (double)bookings;
        latencies.Sort();
        Results.Add("booking, contended (16 clients, same start, 20 chairs): bookings that fit", $"{created} of {bookings}", "all", created == bookings);
        Results.Add("booking, contended: retries per booking", Results.F(retries, "F2"), "< 2", retries < 2);
        return
        [
            $"contended: 16 clients book the same start at once, {rounds} rounds, {chairs} chairs: {created} of {bookings} booked in {Results.F(watch.Elapsed.TotalSeconds)} s, "
                + $"p50 {Results.F(latencies[latencies.Count / 2], "F0")} ms, p99 {Results.F(latencies[(int)Math.Ceiling(0.99 * latencies.Count) - 1], "F0")} ms; "
                + $"{Results.F(retries, "F2")} retries per booking (goal: under 2)",
        ];
    }

    /// <summary>
    /// One booking is made and its storage calls recorded; then 16 clients issue the same work with the SDK
    /// alone, as often as the booking cases book.
    /// </summary>
    private static async Task<(Measure.Result Result, string Work)> CeilingAsync(AzuriteProcess azurite, int bookings)
    {
        await using var host = await BenchmarkHost.StartAsync(azurite, countStorage: true);
        await WarmUpAsync(host);
        var clinicId = await host.CreateClinicAsync(chairs: 50);
        var patient = (await RegisterAsync(host, clinicId, 1))[0];
        await Task.Delay(500);
        host.Probe.Calls.Clear();
        host.Probe.Tracing = true;
        await BookAsync(host, clinicId, patient, FirstDay, Starts[0]);
        host.Probe.Tracing = false;
        var work = StorageWork.Of(host.Probe.Calls.Where(c => c.Partition == clinicId).OrderBy(c => c.Started).ToList());
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient(host.TableName);
        var result = await Measure.RunAsync("SDK ceiling: a booking's reads, then its transaction", Clients, bookings / Clients, async (c, i) =>
        {
            await work.IssueAsync(table, $"ceiling{c:D2}{i:D5}|");
            return true;
        });
        return (result, work.Describe());
    }

    /// <summary>Where the time of one booking goes: the request seen by its client, each storage call, and what is left.</summary>
    private static async Task<IReadOnlyList<string>> BreakdownAsync(BenchmarkHost host, int bookings)
    {
        var clinicId = await host.CreateClinicAsync(chairs: 50);
        var patients = await RegisterAsync(host, clinicId, Starts.Length);
        var token = await LayerTimings.TokenValidationAsync(host);
        var access = await LayerTimings.AccessCheckAsync(host, clinicId);
        await Task.Delay(500);
        host.Probe.Calls.Clear();
        host.Probe.Tracing = true;
        var windows = new List<(long From, long To)>();
        for (var i = 0; i < bookings; i++)
        {
            var from = Stopwatch.GetTimestamp();
            await BookAsync(host, clinicId, patients[i % Starts.Length], FirstDay.AddDays(i / Starts.Length), Starts[i % Starts.Length]);
            windows.Add((from, Stopwatch.GetTimestamp()));
        }
        await Task.Delay(500);
        host.Probe.Tracing = false;
        var calls = host.Probe.Calls.Where(c => c.Partition == clinicId || c.Op == StorageCall.Kind.Queue).ToList();
        return LayerTimings.Describe(bookings, windows, calls, token, access);
    }

    private static async Task<HttpStatusCode> BookAsync(BenchmarkHost host, string clinicId, string patientId, DateOnly day, string start)
    {
        using var response = await host.Http.SendAsync(host.Post($"/api/clinics/{clinicId}/sessions", new { patientId, start = $"{day:yyyy-MM-dd}T{start}" }));
        return response.StatusCode;
    }

    private static async Task<string[]> RegisterAsync(BenchmarkHost host, string clinicId, int count)
    {
        var ids = new string[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            ids[i] = await host.RegisterPatientAsync(clinicId));
        return ids;
    }
}
