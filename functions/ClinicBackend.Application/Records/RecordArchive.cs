using NodaTime;

namespace ClinicBackend.Application.Records;

/// <summary>
/// Which rows a clinic's export holds: every row of its partition, and the rows of the directory partition that
/// point at it (its listing, its SMS route, the Messaging Services whose traffic it received).
/// </summary>
public sealed record RecordScope(string ClinicId, IReadOnlyList<string> DirectoryKeys);

/// <summary>The manifest written beside an export file once the file is complete.</summary>
public sealed record RecordManifest
{
    /// <summary>The layout of the file's lines; a restore refuses a version it does not know.</summary>
    public const int CurrentSchemaVersion = 1;

    public required int SchemaVersion { get; init; }
    public required string ClinicId { get; init; }
    /// <summary>The export file's name in the records container: <c>{clinicId}/{yyyy-MM-dd}.jsonl.gz</c>.</summary>
    public required string File { get; init; }
    /// <summary>Lines in the file: one per row, the directory rows included.</summary>
    public required long RowCount { get; init; }
    /// <summary>Of them, rows of the directory partition.</summary>
    public required long DirectoryRowCount { get; init; }
    /// <summary>Lower-case hex SHA-256 of the file's bytes as stored (gzip).</summary>
    public required string Sha256 { get; init; }
    public required long Bytes { get; init; }
    public required Instant StartedAt { get; init; }
    public required Instant FinishedAt { get; init; }
}

/// <summary>The records container: each clinic's rows, exported as gzipped JSON lines once a UTC day, with a manifest.</summary>
public interface IRecordArchive
{
    /// <summary>The manifest of the clinic's export of <paramref name="day"/>, when that export finished.</summary>
    Task<RecordManifest?> FindAsync(string clinicId, LocalDate day, CancellationToken ct);

    /// <summary>
    /// Streams the scope's rows into the day's file, then writes its manifest; a manifest already there is kept
    /// and returned (nothing is written twice).
    /// </summary>
    Task<RecordManifest> ExportAsync(RecordScope scope, LocalDate day, CancellationToken ct);
}

/// <summary>What to restore: an export (a local file, or a blob name in the records container) into a clinic id.</summary>
public sealed record RestoreRequest(string ClinicId, string From, string? ToClinicId = null)
{
    public string TargetClinicId => ToClinicId ?? ClinicId;

    /// <summary>True when the rows go under another id than the one they were exported from.</summary>
    public bool IntoNewId => ToClinicId is not null && ToClinicId != ClinicId;
}

/// <summary>What a restore wrote.</summary>
public sealed record RestoreReport(RecordManifest Manifest, string TargetClinicId, long PartitionRows, int Transactions, long DirectoryRowsWritten,
    long DirectoryRowsAlreadyThere, long DirectoryRowsLeftOut);

/// <summary>A restore refused before its first write (or, for a file changed while it was read, stopped): the message says why.</summary>
public sealed class RestoreRefusedException(string message) : Exception(message);

/// <summary>Restores a clinic's rows from an export, checking the file against its manifest before the first write.</summary>
public interface IRecordRestore
{
    Task<RestoreReport> RestoreAsync(RestoreRequest request, CancellationToken ct);
}
