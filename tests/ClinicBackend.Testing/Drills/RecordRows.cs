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

    /// <summary>
    /// Waits (up to 10 s) until the clinic has no pending event rows: the app publishes a commit's events just after it
    /// and then deletes their rows, so rows read before that would not be the ones an export a moment later finds.
    /// </summary>
    public static async Task SettleAsync(TableClient table, string clinicId)
    {
        var pending = TableClient.CreateQueryFilter($"PartitionKey eq {clinicId} and RowKey ge {"event|"} and RowKey lt {"event}"}");
        for (var waited = 0; waited < 100; waited++)
        {
            var any = false;
            await foreach (var _ in table.QueryAsync<TableEntity>(pending, maxPerPage: 1, select: ["RowKey"]))
            {
                any = true;
                break;
            }
            if (!any)
            {
                return;
            }
            await Task.Delay(100);
        }
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
