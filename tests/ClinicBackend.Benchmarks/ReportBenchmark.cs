using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Reports;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.LocalHost;
using NodaTime;

namespace ClinicBackend.Benchmarks;

/// <summary>
/// The summary report of a year of a busy clinic over HTTP (JSON, CSV, SVG): the first report, which reads the year
/// and stores its figures, then p50/p99 of several runs on the stored figures, and the next morning's report after a
/// day of changes, each with the storage requests, result pages and rows it read. Measured twice: with the records of the year, and again
/// after adding what else such a year leaves in the partition (chair claims, audit), which the report never reads
/// but Azurite scans on every query page (it filters each query over the whole table; Table Storage serves a key
/// range from its index). The same five range queries straight from the store show the emulator's share.
/// </summary>
public static class ReportBenchmark
{
    // The report covers 2026; the clock stands at Monday 2027-01-04 10:00 in New York.
    private static readonly DateTimeOffset Now = new(2027, 1, 4, 15, 0, 0, TimeSpan.Zero);
    private static readonly LocalDate First = new(2026, 1, 1);
    private static readonly LocalDate Last = new(2026, 12, 31);

    public static async Task<IReadOnlyList<string>> RunAsync(AzuriteProcess azurite, int runs)
    {
        var lines = new List<string>();
        await using var host = await BenchmarkHost.StartAsync(azurite, now: Now, countStorage: true);
        var store = (CountingStore)host.Services.GetRequiredService<IDocumentStore>();
        var clinicId = await host.CreateClinicAsync(chairs: 12);
        var stored = (await host.Services.GetRequiredService<ClinicData>().ClinicAsync(clinicId, default))!;
        // The clinic has been open since before the year: the report stores figures of days the clinic existed.
        var clinic = stored.Value with { CreatedAt = Instant.FromUtc(First.Year - 1, 12, 1, 12, 0) };
        await store.CommitAsync(clinicId, [new Change.Replace(stored.Key, clinic, stored.ETag)], default);
        var year = new YearSeed(clinic, First, Last, Instant.FromDateTimeOffset(Now));
        lines.Add($"a year of a busy clinic: {year.Sessions} sessions ({YearSeed.PerDay} every day of {First.Year}, and two weeks booked ahead), "
            + $"{YearSeed.PatientCount} patients, {year.Texts} texts");

        Console.WriteLine($"... seeding {year.Records.Count} rows");
        var seeding = Stopwatch.StartNew();
        await WriteAsync(store, clinicId, year.Records);
        lines.Add($"seeded {year.Records.Count} rows (sessions with their day and patient copies, patients, texts, open flags, watches) in {seeding.Elapsed.TotalSeconds:F0} s");
        lines.AddRange(await MeasureAsync(host, store, clinicId, runs, "the year's records"));

        Console.WriteLine($"... seeding {year.Rest.Count} more rows");
        seeding.Restart();
        await WriteAsync(store, clinicId, year.Rest);
        lines.Add($"seeded {year.Rest.Count} more rows (a chair claim per 5 minutes of each fulfilled or booked session, day claims, audit, resolved flags) in {seeding.Elapsed.TotalSeconds:F0} s");
        lines.AddRange(await MeasureAsync(host, store, clinicId, runs, "with claims and audit"));
        return lines;
    }

    private static async Task WriteAsync(IDocumentStore store, string clinicId, IReadOnlyList<Change> rows)
    {
        await Parallel.ForEachAsync(rows.Chunk(IDocumentStore.MaxChangesPerCommit), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (chunk, ct) => await store.CommitAsync(clinicId, chunk, ct));
        ((CountingStore)store).Reset();
    }

    private static async Task<IReadOnlyList<string>> MeasureAsync(BenchmarkHost host, CountingStore store, string clinicId, int runs, string label)
    {
        var path = $"/api/clinics/{clinicId}/reports/summary?from={First:yyyy-MM-dd}&to={Last:yyyy-MM-dd}";
        // The first report reads the whole year and stores its figures (days and texts); the report's stored rows are
        // dropped before, so each measurement starts cold.
        await DropStoredFiguresAsync(store, clinicId);
        // Texts written within the margin of the newest write are read again by the next report: let the seeding age past it, as a day's texts have by the next morning.
        Console.WriteLine($"... waiting {ReportRollups.WriteTimeMargin.TotalSeconds:F0} s for the seeded texts to age past the write-time margin");
        await Task.Delay(ReportRollups.WriteTimeMargin + TimeSpan.FromSeconds(2));
        store.Reset();
        var cold = Stopwatch.StartNew();
        var figures = Figures(JsonNode.Parse(await GetAsync(host, path, "application/json"))!);
        var coldMs = cold.Elapsed.TotalMilliseconds;
        var coldWork = store.ResetWithPages();
        var lines = new List<string>
        {
            "  " + figures,
            $"  load average {Measure.LoadAverage()}",
            $"  first report (reads the year, stores its figures): {coldMs:F0} ms, {coldWork.Requests} storage calls = {coldWork.Pages} requests, {coldWork.RowsRead} rows read",
        };
        var json = new List<double>();
        foreach (var (accept, count) in new[] { ("application/json", runs), ("text/csv", Math.Max(3, runs / 2)), ("image/svg+xml", Math.Max(3, runs / 2)) })
        {
            Console.WriteLine($"... {count} runs of {accept}");
            var times = new List<double>();
            var work = (Requests: 0L, Pages: 0L, RowsRead: 0L);
            var bytes = 0;
            for (var i = 0; i < count; i++)
            {
                var watch = Stopwatch.StartNew();
                bytes = (await GetAsync(host, path, accept)).Length;
                times.Add(watch.Elapsed.TotalMilliseconds);
                work = store.ResetWithPages();
            }
            if (accept == "application/json")
            {
                json = times;
            }
            lines.Add($"  {accept,-16} p50 {Percentile(times, 0.50),6:F0} ms  p99 {Percentile(times, 0.99),6:F0} ms  ({count} runs; each {work.Requests} storage calls = {work.Pages} requests of up to {CountingStore.RowsPerPage} rows, {work.RowsRead} rows read; {bytes} chars)");
        }

        // The next morning: yesterday's sessions changed and its texts got delivery reports since the last report.
        var yesterday = await store.QueryRangeAsync<Session>(clinicId, Keys.DayFrom(Last), Keys.DayTo(Last.PlusDays(1)), default);
        var texts = (await store.QueryPrefixAsync<SmsMessage>(clinicId, Keys.MessagesPrefix, default)).TakeLast(YearSeed.PerDay * 2).ToList();
        await store.CommitAsync(clinicId, [new Change.Upsert(Keys.ReportDayChanged(Last), new ReportDayChanged(Last, Instant.FromDateTimeOffset(Now)))], default);
        await WriteAsync(store, clinicId, texts.Select(t => (Change)new Change.Upsert(t.Key, t.Value)).ToList());
        var morning = Stopwatch.StartNew();
        await GetAsync(host, path, "application/json");
        var morningMs = morning.Elapsed.TotalMilliseconds;
        var morningWork = store.ResetWithPages();
        lines.Add($"  the next morning (one day's sessions marked changed, {texts.Count} texts written again): {morningMs:F0} ms, {morningWork.Requests} storage calls = {morningWork.Pages} requests, {morningWork.RowsRead} rows read");
        Results.Add($"reports, a year of {YearSeed.PerDay} sessions a day ({label}): JSON p50 / p99 with stored figures", $"{Percentile(json, 0.50):F0} / {Percentile(json, 0.99):F0} ms", "< 1000 ms", Percentile(json, 0.99) < 1000);
        Results.Add($"reports ({label}): the next morning, one day changed", $"{morningMs:F0} ms", "< 1000 ms", morningMs < 1000);
        Results.Add($"reports ({label}): the first report, reading the whole year", $"{coldMs:F0} ms ({coldWork.Pages} requests)", "once", true);

        // The five range queries the report makes, together as it makes them, straight from the store: the emulator's share.
        var bare = new List<double>();
        for (var i = 0; i < Math.Max(3, runs / 2); i++)
        {
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(
                store.QueryRangeAsync<Session>(clinicId, Keys.DayFrom(First), Keys.DayTo(Last.PlusDays(1)), default),
                store.QueryPrefixAsync<Patient>(clinicId, Keys.PatientPrefix, default),
                store.QueryPrefixAsync<Flag>(clinicId, Keys.FlagIndexPrefix("open"), default),
                store.QueryRangeAsync<CadenceWatch>(clinicId, Keys.CadenceWatchPrefix, Keys.CadenceWatchTo(Last.PlusDays(-2)), default),
                store.QueryPrefixAsync<SmsMessage>(clinicId, Keys.MessagesPrefix, default));
            bare.Add(watch.Elapsed.TotalMilliseconds);
        }
        store.Reset();
        lines.Add($"  the same five range queries without HTTP or the report: p50 {Percentile(bare, 0.50):F0} ms");
        lines.Add("  one by one: " + string.Join(", ", [
            await TimeAsync("day index", () => store.QueryRangeAsync<Session>(clinicId, Keys.DayFrom(First), Keys.DayTo(Last.PlusDays(1)), default)),
            await TimeAsync("texts", () => store.QueryPrefixAsync<SmsMessage>(clinicId, Keys.MessagesPrefix, default)),
            await TimeAsync("patients", () => store.QueryPrefixAsync<Patient>(clinicId, Keys.PatientPrefix, default)),
            await TimeAsync("open flags", () => store.QueryPrefixAsync<Flag>(clinicId, Keys.FlagIndexPrefix("open"), default)),
        ]));
        store.Reset();
        return lines;
    }

    private static async Task DropStoredFiguresAsync(IDocumentStore store, string clinicId)
    {
        var rows = new List<string>();
        foreach (var prefix in new[] { "rday|" })
        {
            rows.AddRange((await store.QueryPrefixAsync<System.Text.Json.JsonElement>(clinicId, prefix, default)).Select(r => r.Key));
        }
        rows.Add(Keys.ReportTextsMark);
        foreach (var key in rows)
        {
            try
            {
                await store.CommitAsync(clinicId, [new Change.Delete(key)], default);
            }
            catch (CommitConflictException)
            {
                // not there
            }
        }
    }

    private static async Task<string> TimeAsync<T>(string name, Func<Task<IReadOnlyList<T>>> query)
    {
        var watch = Stopwatch.StartNew();
        var rows = (await query()).Count;
        return $"{name} {rows} rows {watch.Elapsed.TotalMilliseconds:F0} ms";
    }

    private static async Task<string> GetAsync(BenchmarkHost host, string path, string accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", host.AdminToken);
        request.Headers.Accept.ParseAdd(accept);
        using var response = await host.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? body : throw new InvalidOperationException($"{(int)response.StatusCode}: {body}");
    }

    private static string Figures(JsonNode report) =>
        $"summary: sessions {report["sessions"]!.ToJsonString()}, noShowRate {report["noShowRate"]}, confirmationRate {report["confirmationRate"]}, "
        + $"remsForms {report["remsForms"]!.ToJsonString()}, cadence {report["cadence"]!.ToJsonString()}, sms {report["sms"]!.ToJsonString()}, {report["weeks"]!.AsArray().Count} weeks";

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }
}
