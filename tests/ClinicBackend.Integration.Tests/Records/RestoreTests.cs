using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Infrastructure.Records;
using ClinicBackend.LocalHost;
using ClinicBackend.Testing.Drills;

namespace ClinicBackend.Integration.Tests.Records;

/// <summary>The local host's restore command: it refuses what it must before writing anything, and restores into a new id without taking the original's place.</summary>
public sealed class RestoreTests : ClinicAppTest
{
    private static readonly DateTimeOffset ExportAt = new(2026, 12, 1, 7, 0, 0, TimeSpan.Zero);

    private string ExportName => $"{Clinic.ClinicId}/2026-12-01.jsonl.gz";

    protected override async Task SetUpAsync()
    {
        var patient = await Clinic.RegisterPatientAsync();
        (await Clinic.BookAsync(patient, "2026-12-02T09:00")).Expect(201);
        App.Clock.SetUtcNow(ExportAt);
        await RecordRows.SettleAsync(StoredRows.Table(App), Clinic.ClinicId);
        await App.RunFunctionAsync("ExportRecords");
    }

    private async Task<(int Exit, string Output, string Errors)> RestoreAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();
        var exit = await RestoreCommand.RunAsync(args, App.Services, output, errors, default);
        return (exit, output.ToString(), errors.ToString());
    }

    /// <summary>The export and its manifest downloaded into a temporary folder, the file changed by <paramref name="damage"/>.</summary>
    private async Task<string> CopyAsync(Func<byte[], byte[]> damage, Func<string, string>? manifest = null)
    {
        var container = App.Services.GetRequiredService<BlobContainerClient>();
        var path = Path.Combine(Directory.CreateTempSubdirectory("clinic-restore-test-").FullName, "2026-12-01.jsonl.gz");
        await File.WriteAllBytesAsync(path, damage((await container.GetBlobClient(ExportName).DownloadContentAsync()).Value.Content.ToArray()));
        var text = (await container.GetBlobClient(RecordNames.ManifestOf(ExportName)).DownloadContentAsync()).Value.Content.ToString();
        await File.WriteAllTextAsync(RecordNames.ManifestOf(path), (manifest ?? (m => m))(text));
        return path;
    }

    [Fact]
    public async Task A_restore_over_a_clinic_that_has_rows_is_refused_and_changes_nothing()
    {
        var versions = await StoredRows.VersionsAsync(App, Clinic.ClinicId);

        var (exit, output, errors) = await RestoreAsync("--clinic", Clinic.ClinicId, "--from", ExportName);

        Assert.Equal(1, exit);
        Assert.Empty(output);
        Assert.Contains($"Clinic {Clinic.ClinicId} has rows", errors, StringComparison.Ordinal);
        Assert.Contains("--to-clinic", errors, StringComparison.Ordinal);
        Assert.Contains("Nothing was written.", errors, StringComparison.Ordinal);
        Assert.Equal(versions, await StoredRows.VersionsAsync(App, Clinic.ClinicId));
    }

    [Theory]
    [InlineData("one byte changed", "SHA-256")]
    [InlineData("cut short", "SHA-256")]
    [InlineData("count changed in the manifest", "rows")]
    public async Task A_damaged_export_is_refused_with_what_is_wrong_and_nothing_is_written(string damage, string named)
    {
        var path = damage switch
        {
            "one byte changed" => await CopyAsync(bytes => { bytes[bytes.Length / 2] ^= 0x01; return bytes; }),
            "cut short" => await CopyAsync(bytes => bytes[..(bytes.Length * 2 / 3)]),
            _ => await CopyAsync(bytes => bytes, m =>
            {
                var manifest = JsonNode.Parse(m)!;
                manifest["rowCount"] = manifest["rowCount"]!.GetValue<long>() + 1;
                return manifest.ToJsonString();
            }),
        };

        var (exit, output, errors) = await RestoreAsync("--clinic", Clinic.ClinicId, "--from", path, "--to-clinic", "restored-copy");

        Assert.Equal(1, exit);
        Assert.Empty(output);
        Assert.StartsWith("restore refused: ", errors, StringComparison.Ordinal);
        Assert.Contains(named, errors, StringComparison.Ordinal);
        Assert.Contains("Nothing was written.", errors, StringComparison.Ordinal);
        Assert.Empty(await StoredRows.PartitionAsync(App, "restored-copy"));
    }

    [Fact]
    public async Task An_export_of_another_clinic_or_a_missing_file_or_bad_arguments_are_refused()
    {
        var (exit, _, errors) = await RestoreAsync("--clinic", "another-clinic", "--from", ExportName, "--to-clinic", "restored-copy");
        Assert.Equal(1, exit);
        Assert.Contains($"is an export of clinic {Clinic.ClinicId}, not of another-clinic", errors, StringComparison.Ordinal);

        (exit, _, errors) = await RestoreAsync("--clinic", Clinic.ClinicId, "--from", $"{Clinic.ClinicId}/2020-01-01.jsonl.gz", "--to-clinic", "restored-copy");
        Assert.Equal(1, exit);
        Assert.Contains("No manifest at", errors, StringComparison.Ordinal);

        (exit, _, errors) = await RestoreAsync("--clinic", Clinic.ClinicId, "--to-clinic", "restored-copy");
        Assert.Equal(2, exit);
        Assert.StartsWith(RestoreCommand.Usage, errors, StringComparison.Ordinal);

        (exit, _, errors) = await RestoreAsync("--clinic", Clinic.ClinicId, "--from", ExportName, "--to-clinic", "Not An Id");
        Assert.Equal(1, exit);
        Assert.Contains("--to-clinic 'Not An Id' is not a clinic id", errors, StringComparison.Ordinal);
        Assert.Empty(await StoredRows.PartitionAsync(App, "restored-copy"));
    }

    [Fact]
    public async Task A_restore_into_a_new_id_copies_every_row_with_the_new_clinic_id_and_takes_no_directory_row()
    {
        var original = await StoredRows.PartitionAsync(App, Clinic.ClinicId);
        var copy = "copy-" + Clinic.ClinicId;

        var (exit, output, errors) = await RestoreAsync("--clinic", Clinic.ClinicId, "--from", ExportName, "--to-clinic", copy);

        Assert.True(exit == 0, errors);
        Assert.StartsWith($"restored clinic {Clinic.ClinicId} as {copy} from {ExportName}", output, StringComparison.Ordinal);
        Assert.Contains("the copy is not listed", output, StringComparison.Ordinal);
        var copied = await StoredRows.PartitionAsync(App, copy);
        Assert.Equal(original.Keys, copied.Keys);
        Assert.All(copied.Values, row => Assert.DoesNotContain($"\"{Clinic.ClinicId}\"", row.Data, StringComparison.Ordinal));
        Assert.Equal(copy, copied[Keys.Clinic].Field("id"));
        Assert.Equal(copy, copied.Values.First(r => r.RowKey.StartsWith("session|", StringComparison.Ordinal)).Field("clinicId"));
        Assert.Equal(original[Keys.Clinic].Data.Replace($"\"{Clinic.ClinicId}\"", $"\"{copy}\"", StringComparison.Ordinal), copied[Keys.Clinic].Data);

        // The original keeps its number and its place in the nightly runs; the copy has neither.
        var data = App.Services.GetRequiredService<ClinicData>();
        Assert.Equal(Clinic.ClinicId, await data.ClinicIdForSmsNumberAsync(Clinic.SmsFrom, default));
        Assert.DoesNotContain(copy, await data.ClinicIdsAsync(default));
        Assert.Null(await StoredRows.RowAsync(App, StoredRows.Directory, Keys.DirectoryClinic(copy)));
        // Its members can read it through the API.
        (await App.GetAsync($"/api/clinics/{copy}", Clinic.Admin)).Expect(200);
    }

    [Fact]
    public async Task A_restore_in_place_is_refused_when_the_clinics_number_now_routes_to_another_clinic()
    {
        var table = StoredRows.Table(App);
        var data = App.Services.GetRequiredService<ClinicData>();
        var keys = await data.DirectoryKeysAsync((await data.ClinicAsync(Clinic.ClinicId, default))!.Value, default);
        await RecordRows.DeleteAsync(table, Clinic.ClinicId, keys);
        await table.AddEntityAsync(new Azure.Data.Tables.TableEntity(StoredRows.Directory, Keys.SmsRoute(Clinic.SmsFrom)) { ["Data"] = "{\"clinicId\":\"someone-else\"}" });

        var (exit, _, errors) = await RestoreAsync("--clinic", Clinic.ClinicId, "--from", ExportName);

        Assert.Equal(1, exit);
        Assert.Contains("SMS number (smsFrom) now points at clinic someone-else", errors, StringComparison.Ordinal);
        Assert.Empty(await StoredRows.PartitionAsync(App, Clinic.ClinicId));
        Assert.Null(await StoredRows.RowAsync(App, StoredRows.Directory, Keys.DirectoryClinic(Clinic.ClinicId)));
    }
}
