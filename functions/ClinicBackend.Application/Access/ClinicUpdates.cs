using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Inventory;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Time;
using ClinicBackend.Domain.Waitlist;

namespace ClinicBackend.Application.Access;

/// <summary>What a change decides on: the clinic as the caller may see it, the entity as read (with its ETag), and the unit of work to fill.</summary>
public sealed record Loaded<T>(Clinic Clinic, Stored<T> Current, ClinicCommit Commit);

/// <summary>An entity a change loads by id: its name in a 404, which ids can be one, how it is read, and its version (for <c>If-Match</c>).</summary>
public sealed record Entity<T>(string Name, Func<string, bool> IsId, Func<ClinicData, string, string, CancellationToken, Task<Stored<T>?>> Read, Func<T, int> Version);

/// <summary>The entities that API routes change one at a time.</summary>
public static class Entities
{
    public static readonly Entity<Flag> Flag = new("flag", Ids.IsGeneratedId, (data, clinicId, id, ct) => data.FlagAsync(clinicId, id, ct), f => f.Version);

    public static readonly Entity<Session> Session = new("session", Ids.IsGeneratedId, (data, clinicId, id, ct) => data.SessionAsync(clinicId, id, ct), s => s.Version);

    public static readonly Entity<Patient> Patient = new("patient", Ids.IsGeneratedId, (data, clinicId, id, ct) => data.PatientAsync(clinicId, id, ct), p => p.Version);

    /// <summary>A membership, by the user's object id in any spelling of the GUID.</summary>
    public static readonly Entity<Membership> Member = new("member", Ids.IsObjectId,
        (data, clinicId, id, ct) => data.MemberAsync(clinicId, Ids.NormalizeObjectId(id), ct), m => m.Version);

    public static readonly Entity<WaitlistEntry> WaitlistEntry = new("waitlist entry", Ids.IsGeneratedId,
        (data, clinicId, id, ct) => data.WaitlistEntryAsync(clinicId, id, ct), e => e.Version);

    /// <summary>A lot of the drug, by its number in any letter case.</summary>
    public static readonly Entity<Lot> Lot = new("lot", number => Domain.Inventory.Lot.NormalizeNumber(number) is not null,
        (data, clinicId, number, ct) => data.LotAsync(clinicId, Domain.Inventory.Lot.NormalizeNumber(number)!, ct), l => l.Version);
}

/// <summary>
/// The one way an API route changes a clinic's data: check the caller's access, load, answer 404 and a stale
/// <c>If-Match</c>, let the decision fill one unit of work, commit it (when the decision succeeded and wrote
/// something), and decide again on fresh data when the commit loses a race.
/// </summary>
public sealed class ClinicUpdates(ClinicData data, ClinicAccess access, TimeProvider time)
{
    /// <summary>Access, decide, commit, again on a lost race; for changes that load nothing first (creations, upserts).</summary>
    /// <param name="committed">Runs after the commit, with what was decided (side effects outside the unit of work).</param>
    public Task<Result<TOut>> RunAsync<TOut>(Caller caller, string clinicId, Need need, Func<Clinic, ClinicCommit, Task<Result<TOut>>> decide,
        CancellationToken ct, Func<Clinic, ClinicCommit, TOut, Task>? committed = null) =>
        Concurrency.RetryOnConflictAsync<TOut>(async () =>
        {
            var stored = await access.RequireAsync(caller, clinicId, need, ct);
            if (!stored.IsSuccess)
            {
                return stored.Problem!;
            }
            var clinic = stored.Value.Value;
            var commit = new ClinicCommit(clinicId, caller.ObjectId, time.Now());
            var decided = await decide(clinic, commit);
            if (decided.IsSuccess && commit.Count > 0)
            {
                await data.CommitAsync(commit, ct);
                if (committed is not null)
                {
                    await committed(clinic, commit, decided.Value);
                }
            }
            return decided;
        });

    /// <summary>Access, load <paramref name="entity"/> <paramref name="id"/> (404), <c>If-Match</c>, decide, commit, again on a lost race.</summary>
    public Task<Result<TOut>> ChangeAsync<T, TOut>(Caller caller, string clinicId, Need need, Entity<T> entity, string id, int? ifMatch,
        Func<Loaded<T>, Task<Result<TOut>>> decide, CancellationToken ct, Func<Clinic, ClinicCommit, TOut, Task>? committed = null) =>
        RunAsync(caller, clinicId, need, async (clinic, commit) =>
        {
            var current = entity.IsId(id) ? await entity.Read(data, clinicId, id, ct) : null;
            if (current is null)
            {
                return Problem.NotFound(entity.Name);
            }
            if (Concurrency.CheckIfMatch(ifMatch, entity.Version(current.Value)) is { } stale)
            {
                return stale;
            }
            return await decide(new Loaded<T>(clinic, current, commit));
        }, ct, committed);
}
