using System.Diagnostics;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using ClinicBackend.Application.Outbound;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Sweep;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Payment;
using ClinicBackend.LocalHost;
using NodaTime;

namespace ClinicBackend.Benchmarks;

/// <summary>Nightly planning against the ceiling of the storage it uses; planning time as history grows.</summary>
public static class ReminderBenchmark
{
    // Monday 2026-11-30 00:30 in New York: the nightly run plans Tuesday's sessions.
    private static readonly DateTimeOffset NightlyRun = new(2026, 11, 30, 5, 30, 0, TimeSpan.Zero);
    private static readonly LocalDate Tomorrow = new(2026, 12, 1);

    public static async Task<IReadOnlyList<string>> PlanningAsync(AzuriteProcess azurite, int clinics, int sessionsPerClinic)
    {
        var lines = new List<string>();
        await using var host = await BenchmarkHost.StartAsync(azurite, now: NightlyRun);
        var store = host.Services.GetRequiredService<IDocumentStore>();
        await SeedUpcomingAsync(store, clinics, sessionsPerClinic, historyPerClinic: 0, idOffset: 0);
        var planner = host.Services.GetRequiredService<ReminderPlanner>();

        var watch = Stopwatch.StartNew();
        var summary = await planner.PlanAllAsync(default);
        watch.Stop();
        var planned = summary.Results.Sum(r => r.Planned);
        var planRate = planned / watch.Elapsed.TotalSeconds;
        lines.Add($"nightly planning: {clinics} clinics x {sessionsPerClinic} sessions, {planned} planned in {watch.Elapsed.TotalSeconds:F2} s = {planRate:F0} sessions/s");

        // The ceiling: as many bare inserts of same-size rows plus bare queue puts, at the same concurrency (32).
        var sample = (await store.QueryPrefixAsync<SmsMessage>("bc000", Keys.MessagePrefix(Seed.NewPatient("bc000", 0).Id), default)).First();
        var rowSize = System.Text.Json.JsonSerializer.Serialize(sample.Value, DocumentJson.Options).Length;
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient("ceiling" + Guid.NewGuid().ToString("N")[..8]);
        await table.CreateAsync();
        var queue = new QueueServiceClient(azurite.ConnectionString).GetQueueClient("ceiling" + Guid.NewGuid().ToString("N")[..8]);
        await queue.CreateAsync();
        var payload = new string('x', rowSize);
        var message = new string('x', 120);
        watch.Restart();
        await Parallel.ForEachAsync(Enumerable.Range(0, planned), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
            await table.AddEntityAsync(new TableEntity($"p{i % clinics}", $"r{i}") { ["Data"] = payload }));
        var inserts = watch.Elapsed.TotalSeconds;
        watch.Restart();
        await Parallel.ForEachAsync(Enumerable.Range(0, planned), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
            await queue.SendMessageAsync(message));
        var puts = watch.Elapsed.TotalSeconds;
        var ceiling = planned / (inserts + puts);
        lines.Add($"ceiling: {planned} bare inserts ({rowSize}-char rows) in {inserts:F2} s + {planned} bare queue puts in {puts:F2} s = {ceiling:F0} sessions/s");
        lines.Add($"planning runs at {planRate / ceiling:P0} of the ceiling (goal: at least 51%)");
        return lines;
    }

    /// <summary>
    /// The nightly run and the hourly sweep with little and with ten times more history: their work follows
    /// tomorrow's sessions and what falls due, so storage requests and rows read must not change.
    /// </summary>
    public static async Task<IReadOnlyList<string>> HistoryAsync(AzuriteProcess azurite, int clinics, int sessionsPerClinic, int historyPerClinic)
    {
        var lines = new List<string>();
        var planning = new List<(long Requests, long RowsRead)>();
        var sweeping = new List<(long Requests, long RowsRead)>();
        foreach (var history in new[] { historyPerClinic, historyPerClinic * 10 })
        {
            await using var host = await BenchmarkHost.StartAsync(azurite, now: NightlyRun, countStorage: true);
            var store = host.Services.GetRequiredService<IDocumentStore>();
            var seeding = Stopwatch.StartNew();
            await SeedUpcomingAsync(store, clinics, sessionsPerClinic, history, idOffset: 0, withCoverage: true);
            seeding.Stop();
            var (work, times) = await PlanRunsAsync(host, clinics, sessionsPerClinic);
            planning.Add(work);
            var (sweepWork, sweepTimes, missed) = await SweepRunsAsync(host, new TableServiceClient(azurite.ConnectionString).GetTableClient(host.TableName), clinics, sessionsPerClinic);
            sweeping.Add(sweepWork);
            // The same single key-range query (tomorrow's day index of one clinic), bare: how the emulator's cost grows.
            var bare = Stopwatch.StartNew();
            for (var i = 0; i < 50; i++)
            {
                await store.QueryRangeAsync<ClinicBackend.Domain.Sessions.Session>("bc000", Keys.DayFrom(Tomorrow), Keys.DayTo(Tomorrow.PlusDays(1)), default);
            }
            var bareMs = bare.Elapsed.TotalMilliseconds / 50;
            lines.Add($"history {history,5} past sessions/clinic ({clinics * history * 4,7} rows; seeded in {seeding.Elapsed.TotalSeconds:F0} s): one bare day-index range query (40 rows) takes {bareMs:F1} ms on Azurite");
            lines.Add($"  nightly run: {work.Requests} storage requests, {work.RowsRead} rows read; median {Measure.Median(times):F2} s (runs {string.Join(", ", times.Select(t => t.ToString("F2")))})");
            lines.Add($"  hourly sweep, 3 runs ({missed} no-shows): {sweepWork.Requests} storage requests, {sweepWork.RowsRead} rows read; median {Measure.Median(sweepTimes):F2} s a run");
        }
        var (sameRun, sameSweep) = (planning[0] == planning[1], sweeping[0] == sweeping[1]);
        lines.Add($"1x and 10x history: the nightly run's work is {(sameRun ? "the same" : "DIFFERENT")}, the sweep's is {(sameSweep ? "the same" : "DIFFERENT")} (goal: the same)");
        Results.Add($"history, nightly run: storage requests / rows read at 1x and 10x history ({historyPerClinic} and {historyPerClinic * 10} past sessions a clinic)",
            $"{planning[0].Requests} / {planning[0].RowsRead} and {planning[1].Requests} / {planning[1].RowsRead}", "the same", sameRun);
        Results.Add("history, hourly sweep (3 runs): storage requests / rows read at 1x and 10x history",
            $"{sweeping[0].Requests} / {sweeping[0].RowsRead} and {sweeping[1].Requests} / {sweeping[1].RowsRead}", "the same", sameSweep);
        return lines;
    }

    /// <summary>Three nightly runs, each planning from scratch; the work of the last, and the time of each.</summary>
    private static async Task<((long Requests, long RowsRead) Work, List<double> Times)> PlanRunsAsync(BenchmarkHost host, int clinics, int sessionsPerClinic)
    {
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var planner = host.Services.GetRequiredService<ReminderPlanner>();
        var times = new List<double>();
        var work = (Requests: 0L, RowsRead: 0L);
        for (var run = 0; run < 3; run++)
        {
            // Each run plans from scratch: drop what the previous run wrote.
            if (run > 0)
            {
                await ForgetPlansAsync(store, clinics, sessionsPerClinic);
            }
            host.Probe.Reset();
            var watch = Stopwatch.StartNew();
            var summary = await planner.PlanAllAsync(default);
            times.Add(watch.Elapsed.TotalSeconds);
            work = host.Probe.Reset();
            if (summary.Results.Sum(r => r.Planned) != clinics * sessionsPerClinic)
            {
                throw new InvalidOperationException($"planned {summary.Results.Sum(r => r.Planned)}");
            }
        }
        return (work, times);
    }

    /// <summary>
    /// The sweep as it runs each hour, three times on tomorrow's evening (18:15, 19:15, 20:15 in New York), after
    /// an uncounted run at 17:15 that marks the day's earlier sessions (nobody checked them in): each counted run
    /// marks the sessions that ended in its hour as missed (3 a clinic of 40).
    /// </summary>
    private static async Task<((long Requests, long RowsRead) Work, List<double> Times, int Missed)> SweepRunsAsync(BenchmarkHost host, TableClient table, int clinics, int sessionsPerClinic)
    {
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var sweep = host.Services.GetRequiredService<SweepService>();
        var first = new DateTimeOffset(2026, 12, 1, 23, 15, 0, TimeSpan.Zero);
        var watermark = new SweepState(Instant.FromDateTimeOffset(first.AddHours(-1)) - Duration.FromMinutes(Seed.NewClinic("bc000").MissedGraceMinutes + 60));
        for (var c = 0; c < clinics; c++)
        {
            await store.CommitAsync($"bc{c:D3}", [new Change.Upsert(Keys.SweepState, watermark)], default);
        }
        host.Clock.Set(first.AddHours(-1));
        var backlog = await sweep.SweepAllAsync(default);
        await EventsRelayedAsync(table, clinics);
        if (backlog.FailedClinics.Count > 0 || backlog.Results.Sum(r => r.Missed) == 0)
        {
            throw new InvalidOperationException($"the first sweep marked {backlog.Results.Sum(r => r.Missed)} missed{backlog.Failures}");
        }
        var (requests, rows, missed) = (0L, 0L, 0);
        var times = new List<double>();
        for (var run = 0; run < 3; run++)
        {
            host.Clock.Set(first.AddHours(run));
            host.Probe.Reset();
            var watch = Stopwatch.StartNew();
            var summary = await sweep.SweepAllAsync(default);
            times.Add(watch.Elapsed.TotalSeconds);
            await EventsRelayedAsync(table, clinics);
            var work = host.Probe.Reset();
            (requests, rows, missed) = (requests + work.Requests, rows + work.RowsRead, missed + summary.Results.Sum(r => r.Missed));
        }
        // Session i starts at 6 + i % 14 o'clock and lasts 2 hours: the runs find those ending at 17, 18 and 19.
        var expected = clinics * Enumerable.Range(0, sessionsPerClinic).Count(i => i % 14 is 9 or 10 or 11);
        if (missed != expected)
        {
            throw new InvalidOperationException($"3 sweeps marked {missed} missed, not {expected}");
        }
        return ((requests, rows), times, missed);
    }

    /// <summary>
    /// Waits (with the SDK, uncounted) until the events a run committed are published and their rows deleted:
    /// the relay does that after the run returns, and those deletes are part of the run's work.
    /// </summary>
    public static async Task EventsRelayedAsync(TableClient table, int clinics)
    {
        var deadline = Stopwatch.StartNew();
        for (var c = 0; c < clinics; c++)
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {$"bc{c:D3}"} and RowKey ge {Keys.PendingEventPrefix} and RowKey lt {Keys.PrefixEnd(Keys.PendingEventPrefix)}");
            while (await table.QueryAsync<TableEntity>(filter, maxPerPage: 1, select: ["RowKey"]).AnyAsync())
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new TimeoutException($"events of clinic bc{c:D3} still pending after 60 s");
                }
                await Task.Delay(20);
            }
        }
    }

    /// <summary>
    /// Clinics with patients, one session each on <paramref name="day"/> (default tomorrow), and history before (14 past
    /// sessions a day, from the day before yesterday back). <paramref name="withCoverage"/> gives each patient coverage with
    /// an authorization from a week before tomorrow, renewed after months of history: the sweep's readiness counts from there.
    /// </summary>
    public static async Task SeedUpcomingAsync(IDocumentStore store, int clinics, int sessionsPerClinic, int historyPerClinic, int idOffset, LocalDate? day = null, bool withCoverage = false)
    {
        await Parallel.ForEachAsync(Enumerable.Range(0, clinics), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (c, _) =>
        {
            var clinic = Seed.NewClinic($"bc{c:D3}");
            await Seed.ClinicAsync(store, clinic);
            var patients = Enumerable.Range(0, sessionsPerClinic).Select(i => Seed.NewPatient(clinic.Id, i)).ToList();
            await Seed.RowsAsync(store, clinic.Id, patients.Select(p => (Change)new Change.Upsert(Keys.Patient(p.Id), p)));
            // Patients on maintenance have had texts before: each has its quota row, its days older than a week.
            var earlier = SmsQuota.None.Use("earlier", default, Tomorrow.PlusDays(-30));
            await Seed.RowsAsync(store, clinic.Id, patients.Select(p => (Change)new Change.Upsert(Keys.SmsQuota(p.Id), earlier)));
            if (withCoverage)
            {
                var authorization = new Authorization("PA-1", Tomorrow.PlusDays(-7), Tomorrow.PlusDays(180), 52);
                await Seed.RowsAsync(store, clinic.Id, patients.Select(p => (Change)new Change.Upsert(Keys.Coverage(p.Id),
                    Coverage.Put(null, p.Id, "Acme Health", "M-1", CoverageRoute.BuyAndBill, [authorization], Instant.FromDateTimeOffset(NightlyRun), "seed"))));
            }
            var upcoming = patients.Select((p, i) => Seed.NewSession(clinic, p.Id, (day ?? Tomorrow).At(new LocalTime(6 + i % 14, 0)), idOffset + i));
            await Seed.RowsAsync(store, clinic.Id, upcoming.SelectMany(Seed.BookedRows));
            var past = Enumerable.Range(0, historyPerClinic).Select(h =>
                Seed.NewSession(clinic, patients[h % patients.Count].Id, Tomorrow.PlusDays(-2 - h / 14).At(new LocalTime(6 + h % 14, 0)), 1_000_000 + h));
            await Seed.RowsAsync(store, clinic.Id, past.SelectMany(Seed.HistoryRows));
        });
    }

    private static async Task ForgetPlansAsync(IDocumentStore store, int clinics, int sessionsPerClinic)
    {
        await Parallel.ForEachAsync(Enumerable.Range(0, clinics), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (c, _) =>
        {
            var clinic = Seed.NewClinic($"bc{c:D3}");
            var deletes = new List<Change>();
            for (var i = 0; i < sessionsPerClinic; i++)
            {
                var session = Seed.NewSession(clinic, Seed.NewPatient(clinic.Id, i).Id, Tomorrow.At(new LocalTime(6 + i % 14, 0)), i);
                deletes.Add(new Change.Delete(Keys.Message(session.PatientId, SmsMessage.ReminderId(session.Id, 1, SmsKinds.DayBefore))));
            }
            await Seed.RowsAsync(store, clinic.Id, deletes);
        });
    }
}
