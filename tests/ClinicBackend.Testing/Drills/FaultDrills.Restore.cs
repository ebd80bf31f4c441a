using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Records;
using ClinicBackend.Infrastructure.Records;
using ClinicBackend.LocalHost;
using NodaTime;

namespace ClinicBackend.Testing.Drills;

public static partial class FaultDrills
{
    /// <summary>Tuesday 02:00 in New York: the nightly export's time of the drill.</summary>
    private static readonly DateTimeOffset ExportAt = new(2026, 12, 1, 7, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// (r) Records outlive a mistake. A clinic with sessions ahead (their reminders planned), a session treated (dosed from
    /// a lot, so the lot and its controlled-substance log are rows too) with its monitoring form filed and a missed one
    /// flagged by the sweep is exported by ExportRecords; then every row of its
    /// partition and its directory rows are deleted. A copy of the export with one byte changed is refused and writes
    /// nothing; the export itself is restored by the local host's restore command, every row compares equal (values,
    /// not ETags), the nightly runs and inbound routing find the clinic again, and its reminders go once each.
    /// </summary>
    public static async Task<DrillResult> RestoreAsync(DrillScale scale, string? storage = null)
    {
        var texts = Size(scale, 4, 40);
        await using var drill = await DrillApp.StartAsync(storage);
        var clinic = await drill.AddClinicAsync();
        await drill.BookAsync(clinic, texts);
        // Monday 11:00 in New York: one patient treated and the form filed, one who never came (no texts for either).
        var treated = (await clinic.BookAsync(await clinic.RegisterPatientAsync(smsConsent: false), "2026-11-30T11:00")).EnsureStatus(201)["id"]!;
        (await clinic.BookAsync(await clinic.RegisterPatientAsync(smsConsent: false), "2026-11-30T11:00")).EnsureStatus(201);
        await clinic.TreatAsync(treated, new DateTimeOffset(2026, 11, 30, 16, 0, 0, TimeSpan.Zero));
        (await clinic.PostAsync($"/sessions/{treated}/rems-form", new { submittedAt = "2026-11-30T13:10" })).EnsureStatus(200);
        drill.App.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 30, 22, 0, 0, TimeSpan.Zero));
        await drill.App.RunFunctionAsync("SweepMissedSessions");
        await drill.App.RunFunctionAsync("DispatchSms"); // Monday's texts to the two without consent: skipped, as every day

        var data = drill.App.Services.GetRequiredService<ClinicData>();
        var directoryKeys = await data.DirectoryKeysAsync((await data.ClinicAsync(clinic.ClinicId, default))!.Value, default);
        var table = StoredRows.Table(drill.App);
        drill.App.Clock.SetUtcNow(ExportAt);
        await RecordRows.SettleAsync(table, clinic.ClinicId);
        var before = await RecordRows.ReadAsync(table, clinic.ClinicId, directoryKeys);
        await drill.App.RunFunctionAsync("ExportRecords");
        var manifest = await drill.App.Services.GetRequiredService<IRecordArchive>().FindAsync(clinic.ClinicId, LocalDate.FromDateTime(ExportAt.UtcDateTime), default);
        var kinds = before.Keys.Select(k => k.Split('/')[1].Split('|')[0]).Distinct().Count();
        var flagged = before.Keys.Count(k => k.Contains("/flag|", StringComparison.Ordinal));
        var lotRows = before.Keys.Count(k => k.Contains("/lot|", StringComparison.Ordinal) || k.Contains("/lotlog|", StringComparison.Ordinal));

        var deleted = await RecordRows.DeleteAsync(table, clinic.ClinicId, directoryKeys);
        var corrupted = await CorruptedCopyAsync(drill, manifest?.File ?? "");
        var (refusedExit, refusal) = await RestoreCommandAsync(drill, "--clinic", clinic.ClinicId, "--from", corrupted);
        var afterRefusal = (await RecordRows.ReadAsync(table, clinic.ClinicId, directoryKeys)).Count;
        var (restoredExit, restored) = await RestoreCommandAsync(drill, "--clinic", clinic.ClinicId, "--from", manifest?.File ?? "");
        var after = await RecordRows.ReadAsync(table, clinic.ClinicId, directoryKeys);
        var differing = before.Count(row => after.GetValueOrDefault(row.Key) != row.Value) + after.Keys.Count(k => !before.ContainsKey(k));
        var listed = (await data.ClinicIdsAsync(default)).Contains(clinic.ClinicId);
        var routed = await data.ClinicIdForSmsNumberAsync(clinic.SmsFrom, default) == clinic.ClinicId;
        File.Delete(corrupted);
        File.Delete(RecordNames.ManifestOf(corrupted));

        await drill.DispatchAtAsync(Due.AddSeconds(30));
        return await drill.ResultAsync("r", "rows deleted, restored from the export",
            new DrillCheck("exported", manifest is not null && manifest.RowCount == before.Count && flagged > 0 && lotRows > 1,
                $"{manifest?.RowCount} rows of {kinds} kinds ({flagged} flag rows, {lotRows} lot and lot-log rows, {manifest?.DirectoryRowCount} directory rows) in {manifest?.File}"),
            new DrillCheck("damaged copy refused", refusedExit == 1 && afterRefusal == 0 && refusal.Contains("SHA-256", StringComparison.Ordinal),
                $"{deleted} rows deleted; a copy with one byte changed: exit {refusedExit}, {afterRefusal} rows written"),
            new DrillCheck("restored equal", restoredExit == 0 && differing == 0 && after.Count == before.Count,
                $"exit {restoredExit}: {after.Count} rows back, {differing} differ ({restored.Split('\n').ElementAtOrDefault(1)?.Trim() ?? restored.Trim()})"),
            new DrillCheck("found again", listed && routed, $"listed for the nightly runs: {listed}; inbound texts routed to it: {routed}"));
    }

    /// <summary>The export downloaded beside its manifest into a temporary folder, with one byte in its middle changed.</summary>
    private static async Task<string> CorruptedCopyAsync(DrillApp drill, string name)
    {
        var container = drill.App.Services.GetRequiredService<Azure.Storage.Blobs.BlobContainerClient>();
        var folder = Directory.CreateTempSubdirectory("clinic-restore-drill-").FullName;
        var path = Path.Combine(folder, Path.GetFileName(name));
        var bytes = (await container.GetBlobClient(name).DownloadContentAsync()).Value.Content.ToArray();
        bytes[bytes.Length / 2] ^= 0x20;
        await File.WriteAllBytesAsync(path, bytes);
        await File.WriteAllBytesAsync(RecordNames.ManifestOf(path), (await container.GetBlobClient(RecordNames.ManifestOf(name)).DownloadContentAsync()).Value.Content.ToArray());
        return path;
    }

    /// <summary>The local host's restore command on the drill's app: its exit code and what it printed (stdout, then stderr).</summary>
    private static async Task<(int Exit, string Printed)> RestoreCommandAsync(DrillApp drill, params string[] args)
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();
        var exit = await RestoreCommand.RunAsync(args, drill.App.Services, output, errors, default);
        return (exit, output + errors.ToString());
    }
}
