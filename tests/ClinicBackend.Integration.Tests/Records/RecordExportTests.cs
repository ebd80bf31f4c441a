using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Azure.Storage.Blobs;
using ClinicBackend.Application.Operations;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Records;
using ClinicBackend.Testing.Drills;
using Microsoft.Extensions.Logging.Testing;
using NodaTime;

namespace ClinicBackend.Integration.Tests.Records;

/// <summary>ExportRecords: each clinic's rows as gzipped JSON lines with a manifest, once a UTC day, one clinic's failure alone.</summary>
public sealed class RecordExportTests : ClinicAppTest
{
    /// <summary>Tuesday 02:00 in New York, 07:00 UTC: the export's day is the UTC date 2026-12-01.</summary>
    private static readonly DateTimeOffset ExportAt = new(2026, 12, 1, 7, 0, 0, TimeSpan.Zero);

    private readonly FakeLogCollector _logs = new();
    private readonly FailingArchive _failing = new();

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Logging:LogLevel:ClinicBackend.Application.Records"] = "Information",
    };

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(new FakeLoggerProvider(_logs));
        services.Decorate<IRecordArchive>((inner, _) => _failing.Around(inner));
    }

    private BlobContainerClient Container => App.Services.GetRequiredService<BlobContainerClient>();

    private async Task<IReadOnlyList<string>> DirectoryKeysAsync(Scenario clinic)
    {
        var data = App.Services.GetRequiredService<ClinicData>();
        return await data.DirectoryKeysAsync((await data.ClinicAsync(clinic.ClinicId, default))!.Value, default);
    }

    private async Task<List<string>> BlobNamesAsync(string clinicId)
    {
        var names = new List<string>();
        await foreach (var blob in Container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, clinicId + "/", default))
        {
            names.Add(blob.Name);
        }
        return names;
    }

    [Fact]
    public async Task A_clinic_is_exported_as_gzipped_json_lines_of_every_row_with_a_manifest_of_count_hash_times_and_schema()
    {
        var patient = await Clinic.RegisterPatientAsync();
        (await Clinic.BookAsync(patient, "2026-12-02T09:00")).Expect(201);
        var table = StoredRows.Table(App);
        var directoryKeys = await DirectoryKeysAsync(Clinic);
        App.Clock.SetUtcNow(ExportAt);
        await RecordRows.SettleAsync(table, Clinic.ClinicId);
        var rows = await RecordRows.ReadAsync(table, Clinic.ClinicId, directoryKeys);

        await App.RunFunctionAsync("ExportRecords");

        var name = $"{Clinic.ClinicId}/2026-12-01.jsonl.gz";
        Assert.Equal([$"{Clinic.ClinicId}/2026-12-01.jsonl.gz", $"{Clinic.ClinicId}/2026-12-01.manifest.json"], (await BlobNamesAsync(Clinic.ClinicId)).Order(StringComparer.Ordinal));
        var file = (await Container.GetBlobClient(name).DownloadContentAsync()).Value.Content.ToArray();
        using var manifest = JsonDocument.Parse((await Container.GetBlobClient($"{Clinic.ClinicId}/2026-12-01.manifest.json").DownloadContentAsync()).Value.Content.ToString());
        var m = manifest.RootElement;
        Assert.Equal(1, m.GetProperty("schemaVersion").GetInt32());
        Assert.Equal(Clinic.ClinicId, m.GetProperty("clinicId").GetString());
        Assert.Equal(name, m.GetProperty("file").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(file)), m.GetProperty("sha256").GetString());
        Assert.Equal(file.Length, m.GetProperty("bytes").GetInt64());
        Assert.Equal("2026-12-01T07:00:00Z", m.GetProperty("startedAt").GetString());
        Assert.Equal("2026-12-01T07:00:00Z", m.GetProperty("finishedAt").GetString());

        using var gzip = new GZipStream(new MemoryStream(file), CompressionMode.Decompress);
        var lines = (await new StreamReader(gzip).ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(rows.Count, lines.Length);
        Assert.Equal(lines.Length, m.GetProperty("rowCount").GetInt64());
        Assert.Equal(directoryKeys.Count, m.GetProperty("directoryRowCount").GetInt64());
        Assert.Contains(Keys.DirectoryClinic(Clinic.ClinicId), directoryKeys);
        Assert.Contains(Keys.SmsRoute(Clinic.SmsFrom), directoryKeys);
        var exported = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            using var row = JsonDocument.Parse(line);
            var key = $"{row.RootElement.GetProperty("partitionKey").GetString()}/{row.RootElement.GetProperty("rowKey").GetString()}";
            exported[key] = row.RootElement.GetProperty("properties").GetProperty("Data").GetString()!;
            Assert.False(row.RootElement.GetProperty("properties").TryGetProperty("Timestamp", out _), "storage's Timestamp is not a value of the row");
        }
        Assert.Equal(rows.Keys, exported.Keys);
        Assert.All(rows, row => Assert.StartsWith($"Data:String:{exported[row.Key]}\nPartitionKey:String:", row.Value, StringComparison.Ordinal));
        Assert.Contains(exported.Keys, k => k.EndsWith("/clinic", StringComparison.Ordinal));
        Assert.Contains(exported.Keys, k => k.Contains("/session|", StringComparison.Ordinal));
        Assert.Equal(1, _logs.GetSnapshot().Count(r => r.Id == OperationalEvents.RecordsExported));
    }

    [Fact]
    public async Task A_second_run_on_the_same_day_keeps_the_first_export_and_its_manifest_and_writes_no_second_copy()
    {
        App.Clock.SetUtcNow(ExportAt);
        await App.RunFunctionAsync("ExportRecords");
        var manifestName = $"{Clinic.ClinicId}/2026-12-01.manifest.json";
        var first = (await Container.GetBlobClient(manifestName).DownloadContentAsync()).Value;
        var firstFile = (await Container.GetBlobClient($"{Clinic.ClinicId}/2026-12-01.jsonl.gz").GetPropertiesAsync()).Value.ETag;

        // The clinic changes, and the run comes again later the same UTC day.
        (await Clinic.BookAsync(await Clinic.RegisterPatientAsync(), "2026-12-02T10:00")).Expect(201);
        App.Clock.SetUtcNow(ExportAt.AddHours(16));
        await App.RunFunctionAsync("ExportRecords");

        var second = (await Container.GetBlobClient(manifestName).DownloadContentAsync()).Value;
        Assert.Equal(first.Content.ToString(), second.Content.ToString());
        Assert.Equal(first.Details.ETag, second.Details.ETag);
        Assert.Equal(firstFile, (await Container.GetBlobClient($"{Clinic.ClinicId}/2026-12-01.jsonl.gz").GetPropertiesAsync()).Value.ETag);
        Assert.Equal(2, (await BlobNamesAsync(Clinic.ClinicId)).Count);
        Assert.Equal(2, _logs.GetSnapshot().Count(r => r.Id == OperationalEvents.RecordsExported)); // the export of the day is there after each run

        // The next UTC day is a new file.
        App.Clock.SetUtcNow(ExportAt.AddDays(1));
        await App.RunFunctionAsync("ExportRecords");
        Assert.Equal(4, (await BlobNamesAsync(Clinic.ClinicId)).Count);
    }

    [Fact]
    public async Task A_clinic_whose_storage_throws_is_logged_and_retried_next_run_while_the_others_are_exported()
    {
        var other = await AddClinicAsync();
        _failing.BrokenClinic = Clinic.ClinicId;
        App.Clock.SetUtcNow(ExportAt);
        await App.RunFunctionAsync("ExportRecords");

        Assert.Empty(await BlobNamesAsync(Clinic.ClinicId));
        Assert.Equal(2, (await BlobNamesAsync(other.ClinicId)).Count);
        var failure = Assert.Single(_logs.GetSnapshot(), r => r.Id == OperationalEvents.ClinicRunFailed);
        Assert.Contains($"ExportRecords failed for clinic {Clinic.ClinicId}", failure.Message, StringComparison.Ordinal);
        var exported = _logs.GetSnapshot().Where(r => r.Id == OperationalEvents.RecordsExported).ToList();
        Assert.Contains(exported, e => e.Message.Contains(other.ClinicId, StringComparison.Ordinal));
        Assert.DoesNotContain(exported, e => e.Message.Contains(Clinic.ClinicId, StringComparison.Ordinal));

        _failing.BrokenClinic = null;
        App.Clock.SetUtcNow(ExportAt.AddHours(1));
        await App.RunFunctionAsync("ExportRecords");
        Assert.Equal(2, (await BlobNamesAsync(Clinic.ClinicId)).Count);
        Assert.Contains(_logs.GetSnapshot().Where(r => r.Id == OperationalEvents.RecordsExported), e => e.Message.Contains(Clinic.ClinicId, StringComparison.Ordinal));
    }

    /// <summary>The archive, with one clinic whose export throws as a storage outage would.</summary>
    private sealed class FailingArchive
    {
        public string? BrokenClinic { get; set; }

        public IRecordArchive Around(IRecordArchive inner) => new Archive(this, inner);

        private sealed class Archive(FailingArchive owner, IRecordArchive inner) : IRecordArchive
        {
            public Task<RecordManifest?> FindAsync(string clinicId, LocalDate day, CancellationToken ct) =>
                clinicId == owner.BrokenClinic ? throw new Azure.RequestFailedException(503, "drill: storage unavailable") : inner.FindAsync(clinicId, day, ct);

            public Task<RecordManifest> ExportAsync(RecordScope scope, LocalDate day, CancellationToken ct) =>
                scope.ClinicId == owner.BrokenClinic ? throw new Azure.RequestFailedException(503, "drill: storage unavailable") : inner.ExportAsync(scope, day, ct);
        }
    }
}
