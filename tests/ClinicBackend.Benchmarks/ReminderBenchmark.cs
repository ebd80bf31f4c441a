using System.Diagnostics;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using ClinicBackend.Application.Inbound;
using ClinicBackend.Application.Outbound;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Infrastructure.Storage;
using ClinicBackend.LocalHost;
using ClinicBackend.Testing;
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
        lines.Add($"planning runs at {planRate / ceiling:P0} of the ceiling (goal: at least 50%)");
        return lines;
    }

    /// <summary>The same nightly run with little and with ten times more history: its work follows tomorrow's sessions only.</summary>
    public static async Task<IReadOnlyList<string>> HistoryAsync(AzuriteProcess azurite, int clinics, int sessionsPerClinic, int historyPerClinic)
    {
        var lines = new List<string>();
        foreach (var history in new[] { historyPerClinic, historyPerClinic * 10 })
        {
            await using var host = await BenchmarkHost.StartAsync(azurite, now: NightlyRun, countStorage: true);
            var store = host.Services.GetRequiredService<IDocumentStore>();
            var counter = (CountingStore)store;
            var seeding = Stopwatch.StartNew();
            await SeedUpcomingAsync(store, clinics, sessionsPerClinic, history, idOffset: 0);
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
                counter.Reset();
                var watch = Stopwatch.StartNew();
                var summary = await planner.PlanAllAsync(default);
                times.Add(watch.Elapsed.TotalSeconds);
                work = counter.Reset();
                if (summary.Results.Sum(r => r.Planned) != clinics * sessionsPerClinic)
                {
                    throw new InvalidOperationException($"planned {summary.Results.Sum(r => r.Planned)}");
                }
            }
            // The same single key-range query (tomorrow's day index of one clinic), bare: how the emulator's cost grows.
            var bare = Stopwatch.StartNew();
            for (var i = 0; i < 50; i++)
            {
                await store.QueryRangeAsync<ClinicBackend.Domain.Sessions.Session>("bc000", Keys.DayFrom(Tomorrow), Keys.DayTo(Tomorrow.PlusDays(1)), default);
            }
            var bareMs = bare.Elapsed.TotalMilliseconds / 50;
            lines.Add($"history {history,5} past sessions/clinic: one bare day-index range query (40 rows) takes {bareMs:F1} ms on Azurite");
            lines.Add($"history {history,5} past sessions/clinic ({clinics * history * 4,7} rows): nightly run {work.Requests} storage requests, {work.RowsRead} rows read; "
                + $"median {times.Order().ElementAt(1):F2} s (runs {string.Join(", ", times.Select(t => t.ToString("F2")))}); seeding took {seeding.Elapsed.TotalSeconds:F0} s");
        }
        return lines;
    }

    /// <summary>Clinics with patients, one session each on <paramref name="day"/> (default tomorrow), and history before.</summary>
    public static async Task SeedUpcomingAsync(IDocumentStore store, int clinics, int sessionsPerClinic, int historyPerClinic, int idOffset, LocalDate? day = null)
    {
        await Parallel.ForEachAsync(Enumerable.Range(0, clinics), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (c, _) =>
        {
            var clinic = Seed.NewClinic($"bc{c:D3}");
            await Seed.ClinicAsync(store, clinic);
            var patients = Enumerable.Range(0, sessionsPerClinic).Select(i => Seed.NewPatient(clinic.Id, i)).ToList();
            await Seed.RowsAsync(store, clinic.Id, patients.Select(p => (Change)new Change.Upsert(Keys.Patient(p.Id), p)));
            var upcoming = patients.Select((p, i) => Seed.NewSession(clinic, p.Id, (day ?? Tomorrow).At(new LocalTime(6 + i % 14, 0)), idOffset + i));
            await Seed.RowsAsync(store, clinic.Id, upcoming.SelectMany(Seed.SessionRows));
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
