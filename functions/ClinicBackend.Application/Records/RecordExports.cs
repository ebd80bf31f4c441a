using ClinicBackend.Application.Operations;
using ClinicBackend.Application.Persistence;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace ClinicBackend.Application.Records;

/// <summary>What the nightly export did for one clinic.</summary>
public sealed record ExportSummary(int Exported, int AlreadyThere, long Rows)
{
    public static readonly ExportSummary Zero = new(0, 0, 0);

    public static ExportSummary operator +(ExportSummary a, ExportSummary b) =>
        new(a.Exported + b.Exported, a.AlreadyThere + b.AlreadyThere, a.Rows + b.Rows);
}

/// <summary>
/// ExportRecords: every clinic's rows to the records container once a UTC day. A clinic whose export of the day is
/// there is left alone, so the run is safe to repeat; one clinic's failure is logged and retried by the next run.
/// Each clinic with its export in place logs <see cref="OperationalEvents.RecordsExported"/>, which the alert on
/// overdue exports counts.
/// </summary>
public sealed class RecordExports(ClinicData data, IRecordArchive archive, TimeProvider time, ILogger<RecordExports> logger)
{
    public async Task<ClinicRunReport<ExportSummary>> ExportAllAsync(CancellationToken ct)
    {
        var day = LocalDate.FromDateTime(time.GetUtcNow().UtcDateTime);
        return await data.ForEachClinicAsync("ExportRecords", async (clinic, token) =>
        {
            var manifest = await archive.FindAsync(clinic.Id, day, token);
            var already = manifest is not null;
            manifest ??= await archive.ExportAsync(new RecordScope(clinic.Id, await data.DirectoryKeysAsync(clinic, token)), day, token);
            logger.LogInformation(OperationalEvents.RecordsExported, "RecordsExported: clinic {ClinicId}, {File}, {RowCount} rows{Already}.",
                clinic.Id, manifest.File, manifest.RowCount, already ? " (already exported today)" : "");
            return already ? new ExportSummary(0, 1, 0) : new ExportSummary(1, 0, manifest.RowCount);
        }, ct);
    }
}
