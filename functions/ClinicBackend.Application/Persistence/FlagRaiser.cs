using ClinicBackend.Application.Access;
using ClinicBackend.Application.Clinics;
using ClinicBackend.Application.Events;
using ClinicBackend.Application.Patients;
using ClinicBackend.Application.Runs;
using ClinicBackend.Application.Sessions;
using ClinicBackend.Domain.Events;
using ClinicBackend.Domain.Flags;

namespace ClinicBackend.Application.Persistence;

/// <summary>Raises a flag once per kind and cause: a flag that exists (open or resolved) is left as it is.</summary>
public sealed class FlagRaiser(IDocumentStore store, EventRelay events)
{
    /// <summary>Raises the flag in its own commit; returns false when it already existed.</summary>
    public async Task<bool> RaiseAsync(string clinicId, Flag flag, string actor, NodaTime.Instant now, CancellationToken ct)
    {
        var commit = new ClinicCommit(clinicId, actor, now);
        if (!await AddIfAbsentAsync(commit, flag, ct))
        {
            return false;
        }
        try
        {
            await commit.CommitAsync(store, events, ct);
        }
        catch (CommitConflictException e) when (e.Key == Keys.Flag(flag.Id))
        {
            return false; // raised by a concurrent run
        }
        return true;
    }

    /// <summary>Adds the flag to a larger commit unless it exists (open or resolved); a concurrent raise fails that commit.</summary>
    public async Task<bool> AddIfAbsentAsync(ClinicCommit commit, Flag flag, CancellationToken ct)
    {
        if (await store.GetAsync<Flag>(commit.ClinicId, Keys.Flag(flag.Id), ct) is not null)
        {
            return false;
        }
        FlagWrites.Raise(commit, flag);
        return true;
    }
}
