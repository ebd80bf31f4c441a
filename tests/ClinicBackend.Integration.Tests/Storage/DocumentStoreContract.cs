using Azure.Data.Tables;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Infrastructure.Storage;
using ClinicBackend.Testing.Storage;

namespace ClinicBackend.Integration.Tests.Storage;

/// <summary>The table store on Azurite itself.</summary>
public sealed class TableDocumentStoreTests : DocumentStoreContract
{
    protected override async Task<IDocumentStore> StoreAsync()
    {
        var azurite = await SharedAzurite.GetAsync();
        return new TableDocumentStore(new TableServiceClient(azurite.ConnectionString), "t" + Guid.NewGuid().ToString("N")[..12]);
    }
}

/// <summary>The simulation's in-memory store, held to the same contract (its write times from the system clock, as Azurite's).</summary>
public sealed class InMemoryDocumentStoreTests : DocumentStoreContract
{
    protected override Task<IDocumentStore> StoreAsync() => Task.FromResult<IDocumentStore>(new InMemoryDocumentStore(TimeProvider.System));
}

/// <summary>
/// The storage guarantees the booking rules rest on, checked against each <see cref="IDocumentStore"/>: the table store on
/// Azurite, and the in-memory store the simulation runs on, which must behave alike.
/// </summary>
public abstract class DocumentStoreContract
{
    private sealed record Doc(string Text);

    private sealed record Listed(List<string> Items);

    protected abstract Task<IDocumentStore> StoreAsync();

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
    public async Task A_stale_etag_inside_a_batch_refuses_the_whole_batch()
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

    [Fact]
    public async Task Keys_are_ordered_by_ordinal_comparison_not_by_culture()
    {
        var store = await StoreAsync();
        string[] keys = ["k|a", "k|B", "k|~", "k|Z", "k|_", "k|0", "k|z", "k|a|2", "k|é", "k|A"];
        await store.CommitAsync("p", keys.Select(k => (Change)new Change.Insert(k, new Doc(k))).ToList(), default);
        var ordinal = keys.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(ordinal, (await store.QueryPrefixAsync<Doc>("p", "k|", default)).Select(d => d.Key));
        Assert.Equal(ordinal.Take(3), (await store.QueryPrefixAsync<Doc>("p", "k|", default, take: 3)).Select(d => d.Value.Text));
        Assert.Equal(["k|Z", "k|_", "k|a", "k|a|2"], (await store.QueryRangeAsync<Doc>("p", "k|Z", "k|b", default)).Select(d => d.Key));
    }

    [Fact]
    public async Task A_refused_commit_changes_nothing_it_named()
    {
        var store = await StoreAsync();
        var etags = await store.CommitAsync("p", [new Change.Insert("kept", new Doc("v1")), new Change.Insert("doomed", new Doc("d"))], default);
        var conflict = await Assert.ThrowsAsync<CommitConflictException>(() => store.CommitAsync("p",
        [
            new Change.Replace("kept", new Doc("v2"), etags[0]!), new Change.Delete("doomed", etags[1]), new Change.Upsert("new", new Doc("n")),
            new Change.Replace("missing", new Doc("m"), etags[0]!),
        ], default));
        Assert.Equal((3, "missing", CommitFailure.Changed), (conflict.Index, conflict.Key, conflict.Failure));
        var kept = (await store.GetAsync<Doc>("p", "kept", default))!;
        Assert.Equal(("v1", etags[0]), (kept.Value.Text, kept.ETag));
        Assert.Equal(etags[1], (await store.GetAsync<Doc>("p", "doomed", default))!.ETag);
        Assert.Null(await store.GetAsync<Doc>("p", "new", default));
        // A delete guarded by a stale tag is refused too. (Rows of one batch may share a tag: Table Storage's is the batch's time.)
        await store.CommitAsync("p", [new Change.Upsert("kept", new Doc("v2"))], default);
        var stale = await Assert.ThrowsAsync<CommitConflictException>(() => store.CommitAsync("p", [new Change.Delete("kept", etags[0])], default));
        Assert.Equal((0, CommitFailure.Changed), (stale.Index, stale.Failure));
        Assert.Equal("v2", (await store.GetAsync<Doc>("p", "kept", default))!.Value.Text);
    }

    [Fact]
    public async Task A_refusal_faults_the_returned_task_and_is_not_thrown_by_the_call()
    {
        var store = await StoreAsync();
        await store.CommitAsync("p", [new Change.Insert("a", new Doc("a"))], default);
        // Callers such as counting decorators hold the task before awaiting it.
        var conflict = store.CommitAsync("p", [new Change.Insert("a", new Doc("again"))], default);
        var tooMany = store.CommitAsync("p", Enumerable.Range(0, IDocumentStore.MaxChangesPerCommit + 1).Select(i => (Change)new Change.Upsert($"{i}", new Doc("x"))).ToList(), default);
        await Assert.ThrowsAsync<CommitConflictException>(() => conflict);
        await Assert.ThrowsAsync<ArgumentException>(() => tooMany);
    }

    [Fact]
    public async Task Every_write_gives_a_new_etag_even_of_the_same_value()
    {
        var store = await StoreAsync();
        var first = await store.CommitAsync("p", [new Change.Upsert("a", new Doc("same"))], default);
        var second = await store.CommitAsync("p", [new Change.Upsert("a", new Doc("same"))], default);
        var third = await store.CommitAsync("p", [new Change.Replace("a", new Doc("same"), second[0]!), new Change.Insert("b", new Doc("b"))], default);
        Assert.Equal(3, new[] { first[0], second[0], third[0] }.Distinct().Count());
    }

    [Fact]
    public async Task A_read_value_is_a_copy_of_the_row_not_the_stored_object()
    {
        var store = await StoreAsync();
        var written = new Listed(["one"]);
        await store.CommitAsync("p", [new Change.Insert("l", written)], default);
        written.Items.Add("changed after the commit");
        var read = (await store.GetAsync<Listed>("p", "l", default))!.Value;
        read.Items.Add("changed after the read");
        Assert.Equal(["one"], (await store.GetAsync<Listed>("p", "l", default))!.Value.Items);
        Assert.Equal(["one"], Assert.Single(await store.QueryPrefixAsync<Listed>("p", "l", default)).Value.Items);
    }

    [Fact]
    public async Task A_commit_of_more_than_the_most_changes_is_refused_before_writing()
    {
        var store = await StoreAsync();
        var changes = Enumerable.Range(0, IDocumentStore.MaxChangesPerCommit + 1).Select(i => (Change)new Change.Insert($"r|{i:D3}", new Doc("x"))).ToList();
        await Assert.ThrowsAsync<ArgumentException>(() => store.CommitAsync("p", changes, default));
        Assert.Empty(await store.QueryPrefixAsync<Doc>("p", "r|", default));
        Assert.Empty(await store.CommitAsync("p", [], default));
        Assert.Equal(IDocumentStore.MaxChangesPerCommit, (await store.CommitAsync("p", changes[..^1], default)).Count);
    }

    [Fact]
    public async Task Rows_are_found_by_when_storage_wrote_them()
    {
        var store = await StoreAsync();
        await store.CommitAsync("p", [new Change.Insert("m|1", new Doc("1")), new Change.Insert("n|1", new Doc("other prefix"))], default);
        var all = await store.QueryWrittenSinceAsync<Doc>("p", "m|", "m}", null, default);
        var first = Assert.Single(all.Rows);
        Assert.NotNull(all.ReadAt);
        Assert.InRange(first.WrittenAt, all.ReadAt!.Value.AddSeconds(-5), all.ReadAt.Value.AddSeconds(5));
        Assert.Empty((await store.QueryWrittenSinceAsync<Doc>("p", "m|", "m}", first.WrittenAt.AddSeconds(2), default)).Rows);

        await Task.Delay(50);
        await store.CommitAsync("p", [new Change.Insert("m|0", new Doc("0")), new Change.Replace("m|1", new Doc("1b"), first.Row.ETag)], default);
        var since = await store.QueryWrittenSinceAsync<Doc>("p", "m|", "m}", first.WrittenAt.AddMilliseconds(1), default);
        Assert.Equal(["0", "1b"], since.Rows.Select(r => r.Row.Value.Text)); // in key order; the replaced row with its new time
        Assert.All(since.Rows, r => Assert.True(r.WrittenAt > first.WrittenAt));
    }
}
