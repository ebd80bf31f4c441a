using System.Text.Json;
using Azure.Data.Tables;
using ClinicBackend.Application.Persistence;

namespace ClinicBackend.Benchmarks;

/// <summary>
/// The storage work of one operation as the app issued it (recorded by <see cref="CountingStore"/>), replayed
/// with the SDK alone: the same point reads and range queries, then the same rows in one transaction, under
/// keys made unique with a tag, then the reads made after it (the answer's readiness). Reads that found nothing
/// read a tagged key that does not exist.
/// </summary>
public sealed class StorageWork(IReadOnlyList<StorageCall> reads, StorageCall transaction, IReadOnlyList<StorageCall> readsAfter)
{
    private static readonly string[] Selected = ["Data", "RowKey"];

    /// <summary>The reads issued before the booking transaction, that transaction, and the reads issued after it.</summary>
    public static StorageWork Of(IReadOnlyList<StorageCall> calls)
    {
        var transaction = calls.First(c => c.Op == StorageCall.Kind.Commit && c.Label.StartsWith("booking transaction", StringComparison.Ordinal));
        var reads = calls.Where(c => c.Op is StorageCall.Kind.Get or StorageCall.Kind.Range).ToList();
        return new StorageWork(reads.Where(c => c.Started < transaction.Started).ToList(), transaction, reads.Where(c => c.Started > transaction.Started).ToList());
    }

    public string Describe() =>
        $"{Count(reads)}, all at once, then one {transaction.Changes!.Count}-row transaction, then {Count(readsAfter)}, all at once";

    private static string Count(IReadOnlyList<StorageCall> reads) =>
        $"{reads.Count(r => r.Op == StorageCall.Kind.Get)} point reads and {reads.Count(r => r.Op == StorageCall.Kind.Range)} range queries ({reads.Sum(r => r.Rows)} rows found)";

    public async Task IssueAsync(TableClient table, string tag)
    {
        await ReadAsync(table, reads, tag);
        await table.SubmitTransactionAsync(transaction.Changes!.Select(change => change switch
        {
            Change.Insert insert => new TableTransactionAction(TableTransactionActionType.Add, Entity(transaction.Partition, tag + insert.Key, insert.Value)),
            Change.Upsert upsert => new TableTransactionAction(TableTransactionActionType.UpsertReplace, Entity(transaction.Partition, tag + upsert.Key, upsert.Value)),
            _ => throw new InvalidOperationException($"a booking transaction holds only inserts and upserts, not {change.GetType().Name}"),
        }));
        await ReadAsync(table, readsAfter, tag);
    }

    private static Task ReadAsync(TableClient table, IReadOnlyList<StorageCall> reads, string tag) =>
        Task.WhenAll(reads.Select(read => read.Op == StorageCall.Kind.Get
            ? (Task)table.GetEntityIfExistsAsync<TableEntity>(read.Partition, read.Rows > 0 ? read.Key : tag + read.Key, Selected)
            : QueryAsync(table, read, tag)));

    private static async Task QueryAsync(TableClient table, StorageCall read, string tag)
    {
        var (from, to) = read.Rows > 0 ? (read.Key, read.ToKey!) : (tag + read.Key, tag + read.ToKey);
        await foreach (var _ in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {read.Partition} and RowKey ge {from} and RowKey lt {to}"), select: Selected))
        {
        }
    }

    /// <summary>A row as the app stores it: the document as JSON in <c>Data</c>.</summary>
    public static TableEntity Entity(string partition, string key, object value) =>
        new(partition, key) { ["Data"] = JsonSerializer.Serialize(value, value.GetType(), DocumentJson.Options) };
}
