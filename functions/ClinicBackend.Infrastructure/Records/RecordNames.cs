using System.Globalization;
using NodaTime;

namespace ClinicBackend.Infrastructure.Records;

/// <summary>Blob names in the records container: <c>{clinicId}/{yyyy-MM-dd}.jsonl.gz</c> and its <c>.manifest.json</c>.</summary>
public static class RecordNames
{
    public const string DataSuffix = ".jsonl.gz";
    public const string ManifestSuffix = ".manifest.json";

    public static string Data(string clinicId, LocalDate day) =>
        $"{clinicId}/{day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}{DataSuffix}";

    /// <summary>The manifest beside an export file (a blob name or a local path).</summary>
    public static string ManifestOf(string dataName) =>
        dataName.EndsWith(DataSuffix, StringComparison.Ordinal) ? dataName[..^DataSuffix.Length] + ManifestSuffix : dataName + ManifestSuffix;
}
