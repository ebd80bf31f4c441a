
namespace ClinicBackend.Infrastructure.Storage;

/// <summary>Settings section <c>ClinicStorage</c>.</summary>
public sealed class ClinicStorageOptions
{
    public const string Section = "ClinicStorage";
    public const string DevelopmentStorage = "UseDevelopmentStorage=true";

    /// <summary>A connection string (Azurite locally). Default: the Azurite development storage.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The table endpoint in Azure, reached with the managed identity.</summary>
    public string? TableServiceUri { get; set; }

    /// <summary>The queue endpoint in Azure (used when the outbox is a storage queue). Derived from the table endpoint when absent.</summary>
    public string? QueueServiceUri { get; set; }

    /// <summary>Prefix for table and queue names, so several deployments or test runs can share one account.</summary>
    public string? NamePrefix { get; set; }

    public bool UsesConnectionString => !string.IsNullOrWhiteSpace(ConnectionString) || string.IsNullOrWhiteSpace(TableServiceUri);

    public string EffectiveConnectionString => string.IsNullOrWhiteSpace(ConnectionString) ? DevelopmentStorage : ConnectionString;

    public bool IsDevelopmentStorageDefault =>
        UsesConnectionString && EffectiveConnectionString.Trim().Equals(DevelopmentStorage, StringComparison.OrdinalIgnoreCase);

    public string TableName => $"{NamePrefix}ClinicData";
}
