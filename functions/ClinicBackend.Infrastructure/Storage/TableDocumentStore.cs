using System.Net;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using ClinicBackend.Application.Persistence;

namespace ClinicBackend.Infrastructure.Storage;

/// <summary>
/// <see cref="IDocumentStore"/> on one Azure table: PartitionKey = partition, RowKey = key, the document as
/// JSON in <c>Data</c>. Multi-row commits are entity-group transactions.
/// </summary>
public sealed class TableDocumentStore : IDocumentStore
{
    private const string DataProperty = "Data";
    private static readonly string[] Selected = [DataProperty, "RowKey"];
    private static readonly string[] SelectedWithTimestamp = [DataProperty, "RowKey", "Timestamp"];
    private readonly TableClient _table;
    private readonly SemaphoreSlim _createLock = new(1, 1);
    private volatile bool _created;

    public TableDocumentStore(TableServiceClient service, string tableName)
    {
        _table = service.GetTableClient(tableName);
    }

    public async Task<Stored<T>?> GetAsync<T>(string partition, string key, CancellationToken ct)
    {
        await EnsureTableAsync(ct);
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(partition, key, Selected, ct);
        return response.HasValue ? ToStored<T>(response.Value!) : null;
    }

    public Task<IReadOnlyList<Stored<T>>> QueryPrefixAsync<T>(string partition, string prefix, CancellationToken ct, int? take = null) =>
        QueryRangeAsync<T>(partition, prefix, Keys.PrefixEnd(prefix), ct, take);

    public async Task<IReadOnlyList<Stored<T>>> QueryRangeAsync<T>(string partition, string fromKey, string toKey, CancellationToken ct, int? take = null)
    {
        await EnsureTableAsync(ct);
        var filter = RangeFilter(partition, fromKey, toKey);
        var results = new List<Stored<T>>();
        await foreach (var entity in _table.QueryAsync<TableEntity>(filter, maxPerPage: take is > 0 and < 1000 ? take : null, select: Selected, cancellationToken: ct))
        {
            results.Add(ToStored<T>(entity));
            if (take is not null && results.Count >= take)
            {
                break;
            }
        }
        return results;
    }

    public async Task<WrittenRows<T>> QueryWrittenSinceAsync<T>(string partition, string fromKey, string toKey, DateTimeOffset? since, CancellationToken ct)
    {
        await EnsureTableAsync(ct);
        var filter = since is { } after
            ? $"{RangeFilter(partition, fromKey, toKey)} and {TableClient.CreateQueryFilter($"Timestamp ge {after}")}"
            : RangeFilter(partition, fromKey, toKey);
        var results = new List<Written<T>>();
        DateTimeOffset? readAt = null;
        await foreach (var page in _table.QueryAsync<TableEntity>(filter, select: SelectedWithTimestamp, cancellationToken: ct).AsPages())
        {
            readAt ??= page.GetRawResponse().Headers.Date;
            results.AddRange(page.Values.Select(entity => new Written<T>(ToStored<T>(entity), entity.Timestamp ?? DateTimeOffset.MinValue)));
        }
        return new WrittenRows<T>(results, readAt);
    }

    private static string RangeFilter(string partition, string fromKey, string toKey) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {fromKey} and RowKey lt {toKey}");

    public async Task<IReadOnlyList<string?>> CommitAsync(string partition, IReadOnlyList<Change> changes, CancellationToken ct)
    {
        if (changes.Count == 0)
        {
            return [];
        }
        if (changes.Count > IDocumentStore.MaxChangesPerCommit)
        {
            throw new ArgumentException($"A commit holds at most {IDocumentStore.MaxChangesPerCommit} changes.", nameof(changes));
        }
        await EnsureTableAsync(ct);
        if (changes.Count == 1)
        {
            return [await CommitOneAsync(partition, changes[0], ct)];
        }
        var actions = changes.Select(change => ToAction(partition, change)).ToList();
        try
        {
            var responses = (await _table.SubmitTransactionAsync(actions, ct)).Value;
            return changes.Select((change, i) => change is Change.Delete ? null : ETagOf(responses[i])).ToList();
        }
        catch (TableTransactionFailedException e)
        {
            var index = e.FailedTransactionActionIndex ?? 0;
            throw Conflict(index, changes[Math.Min(index, changes.Count - 1)], e.Status) ?? (Exception)e;
        }
    }

    public async Task<bool> PingAsync(CancellationToken ct)
    {
        try
        {
            await EnsureTableAsync(ct);
            await _table.GetEntityIfExistsAsync<TableEntity>(Keys.Directory, "ping", Selected, ct);
            return true;
        }
        catch (Exception e) when (e is RequestFailedException or HttpRequestException or OperationCanceledException or AggregateException)
        {
            return false;
        }
    }

    private async Task<string?> CommitOneAsync(string partition, Change change, CancellationToken ct)
    {
        try
        {
            switch (change)
            {
                case Change.Insert insert:
                    return ETagOf(await _table.AddEntityAsync(ToEntity(partition, insert.Key, insert.Value), ct));
                case Change.Replace replace:
                    return ETagOf(await _table.UpdateEntityAsync(ToEntity(partition, replace.Key, replace.Value), new ETag(replace.ETag), TableUpdateMode.Replace, ct));
                case Change.Upsert upsert:
                    return ETagOf(await _table.UpsertEntityAsync(ToEntity(partition, upsert.Key, upsert.Value), TableUpdateMode.Replace, ct));
                case Change.Delete delete:
                    var response = await _table.DeleteEntityAsync(partition, delete.Key, delete.ETag is null ? ETag.All : new ETag(delete.ETag), ct);
                    if (response.Status == (int)HttpStatusCode.NotFound)
                    {
                        throw new CommitConflictException(0, delete.Key, CommitFailure.Changed);
                    }
                    return null;
                default:
                    throw new ArgumentOutOfRangeException(nameof(change));
            }
        }
        catch (RequestFailedException e) when (Conflict(0, change, e.Status) is { } conflict)
        {
            throw conflict;
        }
    }

    private static string? ETagOf(Response response) => response.Headers.ETag?.ToString();

    private static CommitConflictException? Conflict(int index, Change change, int status) => status switch
    {
        (int)HttpStatusCode.Conflict when change is Change.Insert => new CommitConflictException(index, change.Key, CommitFailure.AlreadyExists),
        (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.NotFound => new CommitConflictException(index, change.Key, CommitFailure.Changed),
        _ => null,
    };

    private static TableTransactionAction ToAction(string partition, Change change) => change switch
    {
        Change.Insert insert => new(TableTransactionActionType.Add, ToEntity(partition, insert.Key, insert.Value)),
        Change.Replace replace => new(TableTransactionActionType.UpdateReplace, ToEntity(partition, replace.Key, replace.Value), new ETag(replace.ETag)),
        Change.Upsert upsert => new(TableTransactionActionType.UpsertReplace, ToEntity(partition, upsert.Key, upsert.Value)),
        Change.Delete delete => new(TableTransactionActionType.Delete, new TableEntity(partition, delete.Key), delete.ETag is null ? ETag.All : new ETag(delete.ETag)),
        _ => throw new ArgumentOutOfRangeException(nameof(change)),
    };

    private static TableEntity ToEntity(string partition, string key, object value) =>
        new(partition, key) { [DataProperty] = JsonSerializer.Serialize(value, value.GetType(), DocumentJson.Options) };

    private static Stored<T> ToStored<T>(TableEntity entity)
    {
        var json = entity.GetString(DataProperty) ?? "null";
        var value = JsonSerializer.Deserialize<T>(json, DocumentJson.Options)
            ?? throw new InvalidDataException($"Row {entity.RowKey} holds no document.");
        return new Stored<T>(entity.RowKey, value, entity.ETag.ToString());
    }

    private async Task EnsureTableAsync(CancellationToken ct)
    {
        if (_created)
        {
            return;
        }
        await _createLock.WaitAsync(ct);
        try
        {
            if (!_created)
            {
                await _table.CreateIfNotExistsAsync(ct);
                _created = true;
            }
        }
        finally
        {
            _createLock.Release();
        }
    }
}
