using ClinicBackend.Application;
using ClinicBackend.Events;
using ClinicBackend.Storage;

namespace ClinicBackend.Flags;

/// <summary>Raises a flag once per kind and cause: a flag that exists (open or resolved) is left as it is.</summary>
public sealed class FlagRaiser(IDocumentStore store, EventRelay events)
{
    /// <summary>Raises the flag, with any extra changes, in one commit; returns false when it already existed.</summary>
    public async Task<bool> RaiseAsync(string clinicId, Flag flag, string actor, NodaTime.Instant now, CancellationToken ct, Action<ClinicCommit>? alongside = null)
    {
        if (await store.GetAsync<Flag>(clinicId, Keys.Flag(flag.Id), ct) is not null)
        {
            return false;
        }
        var commit = new ClinicCommit(clinicId, actor, now);
        FlagWrites.Raise(commit, flag);
        alongside?.Invoke(commit);
        try
        {
            await commit.CommitAsync(store, ct);
        }
        catch (CommitConflictException e) when (e.Key == Keys.Flag(flag.Id))
        {
            return false; // raised by a concurrent run
        }
        events.PublishSoon(commit.Events);
        return true;
    }
}
