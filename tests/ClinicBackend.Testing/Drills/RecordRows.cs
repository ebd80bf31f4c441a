using System.Globalization;
using Azure.Data.Tables;

namespace ClinicBackend.Testing.Drills;

/// <summary>A clinic's rows as storage holds them, read and removed with Azure.Data.Tables, for the restore drill and its tests.</summary>
public static class RecordRows
{
    /// <summary>
    /// Every row of the clinic's partition and the given directory rows, by "partition/row key", each as its property
    /// values (name, type, value), without the ETag and Timestamp storage keeps.
    /// </summary>
    public static async Task<SortedDictionary<string, string>> ReadAsync(TableClient table, string clinicId, IEnumerable<string> directoryKeys)
    {
        var rows = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {clinicId}")))
        {
            rows[$"{entity.PartitionKey}/{entity.RowKey}"] = Values(entity);
        }
        foreach (var key in directoryKeys)
        {
            var entity = await table.GetEntityIfExistsAsync<TableEntity>(StoredRows.Directory, key);
            if (entity.HasValue)
            {
                rows[$"{StoredRows.Directory}/{key}"] = Values(entity.Value!);
            }
        }
        return rows;
    }

    /// <summary>Deletes every row of the partition (in transactions of 100) and the given directory rows: the mistake the drill recovers from.</summary>
    public static async Task<int> DeleteAsync(TableClient table, string clinicId, IEnumerable<string> directoryKeys)
    {
        var keys = new List<string>();
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {clinicId}"), select: ["RowKey"]))
        {
            keys.Add(entity.RowKey);
        }
        foreach (var chunk in keys.Chunk(100))
        {
            await table.SubmitTransactionAsync(chunk.Select(k => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(clinicId, k))));
        }
        foreach (var key in directoryKeys)
        {
            await table.DeleteEntityAsync(StoredRows.Directory, key);
        }
        return keys.Count;
    }

    private static string Values(TableEntity entity) =>
        string.Join("\n", entity.Where(p => p.Key is not ("odata.etag" or "Timestamp"))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{p.Key}:{p.Value?.GetType().Name}:{(p.Value is byte[] bytes ? Convert.ToBase64String(bytes) : Convert.ToString(p.Value, CultureInfo.InvariantCulture))}"));
}
