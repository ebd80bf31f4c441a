namespace ClinicBackend.Infrastructure.Records;

/// <summary>Settings section <c>Records</c>: where the nightly exports of every clinic's rows go.</summary>
public sealed class RecordsOptions
{
    public const string Section = "Records";

    /// <summary>The container's name when it is not given by <see cref="ContainerUri"/> (after the storage name prefix).</summary>
    public const string DefaultContainerName = "records";

    /// <summary>
    /// The records container in Azure (https://account.blob.core.windows.net/records), reached with the managed
    /// identity. Unset: the container <c>{NamePrefix}records</c> of the storage connection string's blob service (Azurite).
    /// </summary>
    public string? ContainerUri { get; set; }
}
