using Azure.Data.Tables;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Infrastructure.Storage;

namespace ClinicBackend.Integration.Tests.Storage;

/// <summary>The storage guarantees the booking rules rest on, checked against Azurite itself.</summary>
public sealed class TableDocumentStoreTests
{
    private sealed record Doc(string Text);

    private static async Task<IDocumentStore> StoreAsync()
    {
        var azurite = await SharedAzurite.GetAsync();
        return new TableDocumentStore(new TableServiceClient(azurite.ConnectionString), "t" + Guid.NewGuid().ToString("N")[..12]);
    }

    [Fact]
    public async Task A_commit_whose_insert_hits_an_existing_row_writes_nothing()
    {
        var store = await StoreAsync();
        await store.CommitAsync("p", [new Change.Insert("a", new Doc("first"))], default);
        var conflict = await Assert.ThrowsAsync<CommitConflictException>(() => store.CommitAsync("p",
            [new Change.Insert("b", new Doc("b")), new Change.Upsert("c", new Doc("c")), new Change.Insert("a", new Doc("second"))], default));
        Assert.Equal(2, conflict.Index);
        Assert.Equal(CommitFailure.AlreadyExists, conflict.Failure);
        Assert.Null(await store.GetAsync<Doc>("p", "b", default));
        Assert.Null(await store.GetAsync<Doc>("p", "c", default));
        Assert.Equal("first", (await store.GetAsync<Doc>("p", "a", default))!.Value.Text);
    }

    [Fact]
    public async Task A_commit_returns_the_new_etag_of_each_row_it_writes()
    {
        var store = await StoreAsync();
        var single = await store.CommitAsync("p", [new Change.Insert("a", new Doc("a1"))], default);
        Assert.Equal((await store.GetAsync<Doc>("p", "a", default))!.ETag, Assert.Single(single));
        await store.CommitAsync("p", [new Change.Insert("gone", new Doc("x"))], default);

        var batch = await store.CommitAsync("p",
            [new Change.Replace("a", new Doc("a2"), single[0]!), new Change.Insert("b", new Doc("b1")), new Change.Delete("gone")], default);
        Assert.Equal(3, batch.Count);
        Assert.Equal((await store.GetAsync<Doc>("p", "a", default))!.ETag, batch[0]);
        Assert.Equal((await store.GetAsync<Doc>("p", "b", default))!.ETag, batch[1]);
        Assert.Null(batch[2]);
        // The returned tag guards the next change like a read one: it passes once, then is stale.
        await store.CommitAsync("p", [new Change.Replace("a", new Doc("a3"), batch[0]!)], default);
        await Assert.ThrowsAsync<CommitConflictException>(() => store.CommitAsync("p", [new Change.Replace("a", new Doc("a4"), batch[0]!)], default));
        Assert.Equal("a3", (await store.GetAsync<Doc>("p", "a", default))!.Value.Text);
    }

    [Fact]
    public async Task Racing_commits_claiming_one_row_let_exactly_one_through()
    {
        var store = await StoreAsync();
        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(async i =>
        {
            try
            {
                await store.CommitAsync("p", [new Change.Insert($"session|{i}", new Doc("s")), new Change.Insert("chair|claim", new Doc($"{i}"))], default);
                return true;
            }
            catch (CommitConflictException)
            {
                return false;
            }
        }));
        Assert.Single(results, r => r);
        Assert.Single(await store.QueryPrefixAsync<Doc>("p", "session|", default));
    }

    [Fact]
    public async Task Azurite_enforces_etags_inside_batches_as_Azure_does()
    {
        // Canary: older Azurite versions ignored If-Match inside batches (Azurite issue 1233).
        var store = await StoreAsync();
        await store.CommitAsync("p", [new Change.Insert("s", new Doc("v1"))], default);
        var read = (await store.GetAsync<Doc>("p", "s", default))!;
        await store.CommitAsync("p", [new Change.Replace("s", new Doc("v2"), read.ETag)], default);
        var stale = await Assert.ThrowsAsync<CommitConflictException>(() => store.CommitAsync("p",
            [new Change.Replace("s", new Doc("v3"), read.ETag), new Change.Insert("other", new Doc("x"))], default));
        Assert.Equal(CommitFailure.Changed, stale.Failure);
        Assert.Equal("v2", (await store.GetAsync<Doc>("p", "s", default))!.Value.Text);
        Assert.Null(await store.GetAsync<Doc>("p", "other", default));
    }

    [Fact]
    public async Task Deleting_a_missing_row_is_a_conflict_alone_or_in_a_batch()
    {
        var store = await StoreAsync();
        await Assert.ThrowsAsync<CommitConflictException>(() => store.CommitAsync("p", [new Change.Delete("missing")], default));
        await Assert.ThrowsAsync<CommitConflictException>(() => store.CommitAsync("p",
            [new Change.Insert("x", new Doc("x")), new Change.Delete("missing")], default));
        Assert.Null(await store.GetAsync<Doc>("p", "x", default));
    }

    [Fact]
    public async Task Range_queries_stay_inside_their_prefix_and_partition()
    {
        var store = await StoreAsync();
        await store.CommitAsync("p", [
            new Change.Insert("day|2026-12-01|0900|a", new Doc("1")), new Change.Insert("day|2026-12-02|0900|b", new Doc("2")),
            new Change.Insert("day|2026-12-02|1400|c", new Doc("3")), new Change.Insert("day|2026-12-03|0800|d", new Doc("4")),
            new Change.Insert("dayx", new Doc("5")),
        ], default);
        await store.CommitAsync("q", [new Change.Insert("day|2026-12-02|1000|z", new Doc("other partition"))], default);
        var day = await store.QueryPrefixAsync<Doc>("p", "day|2026-12-02|", default);
        Assert.Equal(["2", "3"], day.Select(d => d.Value.Text));
        var range = await store.QueryRangeAsync<Doc>("p", "day|2026-12-02|", "day|2026-12-04|", default);
        Assert.Equal(["2", "3", "4"], range.Select(d => d.Value.Text));
        Assert.Equal(["1"], (await store.QueryPrefixAsync<Doc>("p", "day|", default, take: 1)).Select(d => d.Value.Text));
        // A quote in a value is escaped, not injected.
        Assert.Empty(await store.QueryPrefixAsync<Doc>("p", "x' or PartitionKey ne 'p", default));
    }
}
