using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using ClinicBackend.Functions.Pipeline;
using Xunit.Abstractions;

namespace ClinicBackend.Integration.Tests.Corpus;

/// <summary>
/// Issue #12: no input gives a 5xx. The corpus is generated from the served openapi.json (a new route is covered without new
/// test code) and sent over HTTP as the clinic's admin (or a platform admin where no clinic is named), so the requests reach
/// validation. Every request that breaks the contract must get a 4xx problem (application/problem+json with a detail) and
/// leave every row of the clinic's partition and of the directory as it was (on a FHIR route the refusal is an OperationOutcome) (same keys, same ETags: not even rewritten); one
/// that keeps it may succeed (then the corpus waits for its events to be relayed and takes a fresh snapshot). Reads of patient
/// data are audited in the background: those audit rows are left out of the comparison.
/// </summary>
public sealed class BadInputCorpusTests(ITestOutputHelper output) : TwilioAppTest
{
    private const int Parallelism = 8;
    private const int BatchSize = 48;

    private readonly ConcurrentDictionary<int, int> _byStatus = new();
    private readonly ConcurrentBag<string> _failures = [];
    private readonly ConcurrentBag<string> _accepted = [];
    private int _hostAnswers;
    private int _cutOff;
    private CorpusFixture _fixture = null!;

    [Fact]
    public async Task Every_operation_refuses_bad_input_with_a_problem_never_a_5xx_and_writes_nothing()
    {
        var clock = Stopwatch.StartNew();
        var served = (await App.GetAsync("/api/openapi.json", null)).Expect(200);
        var contract = new OpenApiContract(JsonNode.Parse(served.Body)!.AsObject());
        _fixture = new CorpusFixture(App, Clinic);
        await _fixture.InitAsync();
        var builder = new CorpusBuilder(contract, new SchemaOracle(contract), _fixture, App.BaseAddress);
        var operations = contract.Operations();
        var probes = operations.SelectMany(builder.For).ToList();
        Assert.All(operations, op => Assert.Contains(probes, p => p.Operation == op.ToString()));

        // Requests that cannot change anything when the app is right go in parallel batches, one snapshot between batches;
        // those that may succeed and write go one by one.
        var quiet = probes.Where(p => !p.Writes || !p.MayBeValid).ToList();
        var writing = probes.Where(p => p.Writes && p.MayBeValid).ToList();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Parallelism, RequestHeaderEncodingSelector = (_, _) => System.Text.Encoding.UTF8 }) { BaseAddress = App.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

        await SettleAsync();
        foreach (var batch in quiet.Chunk(BatchSize))
        {
            var before = await SnapshotAsync();
            await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (probe, _) => await SendAsync(http, probe));
            await CompareAsync(before, await SnapshotAsync(), $"one of {batch.Length} requests from {batch[0]} to {batch[^1]}");
        }
        var parallelPhase = clock.Elapsed;
        var snapshot = await SnapshotAsync();
        foreach (var probe in writing)
        {
            var status = await SendAsync(http, probe);
            if (status is >= 200 and < 300)
            {
                snapshot = await AfterAcceptedAsync(probe);
                continue;
            }
            var after = await SnapshotAsync();
            await CompareAsync(snapshot, after, probe.ToString());
            snapshot = after;
        }

        output.WriteLine($"{probes.Count} requests over {operations.Count} operations in {clock.Elapsed.TotalSeconds:F1} s: "
            + $"{quiet.Count} in parallel batches (until {parallelPhase.TotalSeconds:F1} s, with the fixture), {writing.Count} one by one; snapshots {_snapshotTime.Elapsed.TotalSeconds:F1} s");
        foreach (var (status, count) in _byStatus.OrderBy(s => s.Key))
        {
            output.WriteLine($"  {status}: {count}");
        }
        output.WriteLine($"  of them answered by the host, below the app (a NUL in the path, a dot segment to a path no function serves): {_hostAnswers}");
        output.WriteLine($"  uploads far past the limit that the host cut off after the app's answer (no status read): {_cutOff}");
        output.WriteLine($"Accepted ({_accepted.Count}, all of them requests that keep the contract):");
        foreach (var accepted in _accepted.Order(StringComparer.Ordinal))
        {
            output.WriteLine($"  {accepted}");
        }
        Assert.True(_failures.IsEmpty, $"{_failures.Count} failures:\n" + string.Join("\n", _failures.Order(StringComparer.Ordinal).Take(60)));
        Assert.DoesNotContain(_byStatus.Keys, s => s >= 500);
        Assert.DoesNotContain(App.Errors.GetSnapshot(), r => r.Category == typeof(HttpPipeline).FullName); // no request failed, read or not
    }

    private async Task<int> SendAsync(HttpClient http, Probe probe)
    {
        Reply reply;
        try
        {
            using var request = probe.Build();
            using var response = await http.SendAsync(request);
            reply = await Reply.ReadAsync(response);
        }
        catch (HttpRequestException) when (probe.MayBeCutOff)
        {
            Interlocked.Increment(ref _cutOff); // the app's error log shows whether it failed
            return 0;
        }
        catch (HttpRequestException e)
        {
            _failures.Add($"{probe}: no answer ({e.Message})");
            return 0;
        }
        _byStatus.AddOrUpdate(reply.Status, 1, (_, n) => n + 1);
        switch (reply.Status)
        {
            case >= 500:
                _failures.Add($"{probe}: {reply.Status} {Cut(reply.Body)}");
                break;
            case >= 200 and < 400 when !probe.MayBeValid:
                _failures.Add($"{probe}: accepted with {reply.Status}, though it breaks the contract");
                break;
            case >= 200 and < 400:
                _accepted.Add($"{reply.Status} {probe}");
                break;
            case >= 400 when IsProblem(reply):
                break;
            case 400 or 404 or 405 when probe.HostMayAnswer && reply.Body.Length == 0:
                Interlocked.Increment(ref _hostAnswers);
                break;
            default:
                _failures.Add($"{probe}: {reply.Status} without a problem body ({reply.ContentType}) {Cut(reply.Body)}");
                break;
        }
        return reply.Status;
    }

    /// <summary>A problem with a detail and its status; on a FHIR route an OperationOutcome whose every issue says what to change.</summary>
    private static bool IsProblem(Reply reply)
    {
        if (reply.ContentType?.StartsWith("application/fhir+json", StringComparison.Ordinal) == true)
        {
            try
            {
                var issues = reply.Json?["resourceType"]?.ToString() == "OperationOutcome" ? reply.Json["issue"]?.AsArray() : null;
                return issues is { Count: > 0 } && issues.All(i => !string.IsNullOrWhiteSpace(i?["diagnostics"]?.ToString()) && i["code"] is not null);
            }
            catch (System.Text.Json.JsonException)
            {
                return false;
            }
        }
        if (reply.ContentType?.StartsWith("application/problem+json", StringComparison.Ordinal) != true)
        {
            return false;
        }
        try
        {
            return !string.IsNullOrWhiteSpace(reply["detail"]) && reply["status"] == reply.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    /// <summary>After a request that kept the contract was accepted: the fixture's resource it used made anew, all events relayed.</summary>
    private async Task<Snapshot> AfterAcceptedAsync(Probe probe)
    {
        var used = new[] { "sessionId", "flagId", "oid", "patientId" }.Where(n => probe.Operation.Contains($"{{{n}}}", StringComparison.Ordinal));
        await _fixture.RefreshAsync(used);
        await SettleAsync();
        return await SnapshotAsync();
    }

    /// <summary>Waits until the events that accepted changes left pending are relayed (their rows deleted).</summary>
    private async Task SettleAsync()
    {
        var settled = Stopwatch.StartNew();
        while ((await StoredRows.PartitionAsync(App, Clinic.ClinicId, "event|")).Count > 0 && settled.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(20);
        }
    }

    /// <summary>The ETag of every row of the clinic's partition and of the directory: any write changes one.</summary>
    private sealed record Snapshot(IReadOnlyDictionary<string, string> Versions);

    private readonly Stopwatch _snapshotTime = new();

    private async Task<Snapshot> SnapshotAsync()
    {
        _snapshotTime.Start();
        var versions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var partition in new[] { Clinic.ClinicId, StoredRows.Directory })
        {
            foreach (var (key, etag) in await StoredRows.VersionsAsync(App, partition))
            {
                versions[$"{partition}/{key}"] = etag;
            }
        }
        _snapshotTime.Stop();
        return new Snapshot(versions);
    }

    /// <summary>
    /// Rows written, rewritten or deleted between the snapshots, less the audit rows of patient reads (only ever added)
    /// and the report's stored figures.
    /// </summary>
    private async Task CompareAsync(Snapshot before, Snapshot after, string what)
    {
        var changed = new List<string>();
        foreach (var key in before.Versions.Keys.Union(after.Versions.Keys))
        {
            if (before.Versions.GetValueOrDefault(key) == after.Versions.GetValueOrDefault(key))
            {
                continue;
            }
            var (partition, rowKey) = (key[..key.IndexOf('/', StringComparison.Ordinal)], key[(key.IndexOf('/', StringComparison.Ordinal) + 1)..]);
            if (rowKey.StartsWith("rday|", StringComparison.Ordinal) || rowKey == "rsmsmark")
            {
                continue; // the report's stored figures: a report that was answered stores what it computed
            }
            if (!before.Versions.ContainsKey(key) && rowKey.StartsWith("audit|", StringComparison.Ordinal)
                && await StoredRows.RowAsync(App, partition, rowKey) is { IsPatientReadAudit: true })
            {
                continue;
            }
            changed.Add(key);
        }
        if (changed.Count > 0)
        {
            _failures.Add($"{what}: storage changed although nothing was accepted: {string.Join(", ", changed.Take(10))}");
        }
    }

    private static string Cut(string text) => text.Length <= 300 ? text : text[..300] + "...";
}
