using System.Text.Json;
using Azure.Data.Tables;

namespace ClinicBackend.Testing;

/// <summary>One table row as stored: its key, its JSON document and its ETag.</summary>
public sealed record StoredRow(string PartitionKey, string RowKey, string Data, string ETag)
{
    /// <summary>The document's string property <paramref name="name"/>, or null.</summary>
    public string? Field(string name)
    {
        using var doc = JsonDocument.Parse(Data);
        return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
    }

    /// <summary>An audit row the patient-read audit wrote (a read, not a change).</summary>
    public bool IsPatientReadAudit =>
        RowKey.StartsWith("audit|", StringComparison.Ordinal) && Field("action") is { } action
        && action.StartsWith("patient.", StringComparison.Ordinal) && action.EndsWith("-viewed", StringComparison.Ordinal);
}

/// <summary>Reads the app's table directly with Azure.Data.Tables, for what the API does not show.</summary>
public static class StoredRows
{
    public const string Directory = "_directory";

    public static TableClient Table(TestApp app) =>
        new TableServiceClient(app.ConnectionString).GetTableClient($"{app.Prefix}ClinicData");

    /// <summary>Every row of a partition, by row key.</summary>
    public static async Task<SortedDictionary<string, StoredRow>> PartitionAsync(TestApp app, string partition, string? prefix = null)
    {
        var filter = prefix is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {partition}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {prefix} and RowKey lt {prefix + '\uffff'}");
        var rows = new SortedDictionary<string, StoredRow>(StringComparer.Ordinal);
        await foreach (var entity in Table(app).QueryAsync<TableEntity>(filter))
        {
            rows[entity.RowKey] = new StoredRow(entity.PartitionKey, entity.RowKey, entity.GetString("Data") ?? "", entity.ETag.ToString());
        }
        return rows;
    }

    /// <summary>The ETag of every row of a partition, by row key: what changes with any write, read without the documents.</summary>
    public static async Task<Dictionary<string, string>> VersionsAsync(TestApp app, string partition)
    {
        var versions = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var entity in Table(app).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), select: ["RowKey"]))
        {
            versions[entity.RowKey] = entity.ETag.ToString();
        }
        return versions;
    }

    /// <summary>One row, or null.</summary>
    public static async Task<StoredRow?> RowAsync(TestApp app, string partition, string rowKey)
    {
        var response = await Table(app).GetEntityIfExistsAsync<TableEntity>(partition, rowKey);
        return response.HasValue ? new StoredRow(partition, rowKey, response.Value!.GetString("Data") ?? "", response.Value.ETag.ToString()) : null;
    }

    /// <summary>The chair claims (row key, session id) of a clinic.</summary>
    public static async Task<IReadOnlyList<(string Key, string SessionId)>> ChairClaimsAsync(TestApp app, string clinicId) =>
        (await PartitionAsync(app, clinicId, "chair|")).Values.Select(r => (r.RowKey, r.Field("sessionId")!)).ToList();
}
