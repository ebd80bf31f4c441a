using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Sessions;
using NodaTime;

namespace ClinicBackend.Application.Persistence;

/// <summary>Row types that only point at or claim something.</summary>
public sealed record PhoneIndex(string PatientId);
public sealed record ChairClaim(string SessionId);
public sealed record PatientDayClaim(string SessionId);
public sealed record DirectoryEntry(string ClinicId);
public sealed record SmsRoute(string ClinicId);

/// <summary>
/// The clinic data: typed reads (every one a point read or a key-range query inside one partition) and the
/// commit of a <see cref="ClinicCommit"/>, after which its events are published.
/// </summary>
public sealed class ClinicData(IDocumentStore store, EventRelay events)
{
    public IDocumentStore Store => store;

    public EventRelay Events => events;

    /// <summary>Writes the whole unit of work or nothing (a conflict throws <see cref="CommitConflictException"/>), then publishes its events.</summary>
    public async Task CommitAsync(ClinicCommit commit, CancellationToken ct)
    {
        await store.CommitAsync(commit.ClinicId, commit.Changes, ct);
        events.PublishSoon(commit.Events);
    }

    /// <summary>Like <see cref="CommitAsync"/>, but a conflict returns false: somebody else did it first.</summary>
    public async Task<bool> TryCommitAsync(ClinicCommit commit, CancellationToken ct)
    {
        try
        {
            await CommitAsync(commit, ct);
            return true;
        }
        catch (CommitConflictException)
        {
            return false;
        }
    }

    public Task<Stored<Clinic>?> ClinicAsync(string clinicId, CancellationToken ct) =>
        store.GetAsync<Clinic>(clinicId, Keys.Clinic, ct);

    public async Task<IReadOnlyList<string>> ClinicIdsAsync(CancellationToken ct) =>
        (await store.QueryPrefixAsync<DirectoryEntry>(Keys.Directory, Keys.DirectoryClinicPrefix, ct)).Select(e => e.Value.ClinicId).ToList();

    public async Task<string?> ClinicIdForSmsNumberAsync(string smsTo, CancellationToken ct) =>
        (await store.GetAsync<SmsRoute>(Keys.Directory, Keys.SmsRoute(smsTo), ct))?.Value.ClinicId;

    public Task<Stored<Membership>?> MemberAsync(string clinicId, string oid, CancellationToken ct) =>
        store.GetAsync<Membership>(clinicId, Keys.Member(oid), ct);

    public Task<IReadOnlyList<Stored<Membership>>> MembersAsync(string clinicId, CancellationToken ct) =>
        store.QueryPrefixAsync<Membership>(clinicId, Keys.MemberPrefix, ct);

    public Task<Stored<Patient>?> PatientAsync(string clinicId, string patientId, CancellationToken ct) =>
        store.GetAsync<Patient>(clinicId, Keys.Patient(patientId), ct);

    public async Task<Stored<Patient>?> PatientByPhoneAsync(string clinicId, string e164, CancellationToken ct)
    {
        var index = await store.GetAsync<PhoneIndex>(clinicId, Keys.PatientPhone(e164), ct);
        return index is null ? null : await PatientAsync(clinicId, index.Value.PatientId, ct);
    }

    public Task<Stored<Session>?> SessionAsync(string clinicId, string sessionId, CancellationToken ct) =>
        store.GetAsync<Session>(clinicId, Keys.Session(sessionId), ct);

    /// <summary>The sessions of clinic-local days [from, to), by start. Index copies: read the session row before changing one.</summary>
    public async Task<IReadOnlyList<Session>> SessionsOnDaysAsync(string clinicId, LocalDate from, LocalDate toExclusive, CancellationToken ct) =>
        (await store.QueryRangeAsync<Session>(clinicId, Keys.DayFrom(from), Keys.DayTo(toExclusive), ct)).Select(s => s.Value).ToList();

    /// <summary>A patient's sessions by start, optionally from a clinic-local date on.</summary>
    public async Task<IReadOnlyList<Session>> PatientSessionsAsync(string clinicId, string patientId, CancellationToken ct, LocalDate? from = null)
    {
        var prefix = Keys.PatientSessionPrefix(patientId);
        var rows = from is null
            ? await store.QueryPrefixAsync<Session>(clinicId, prefix, ct)
            : await store.QueryRangeAsync<Session>(clinicId, Keys.PatientSessionFrom(patientId, from.Value), Keys.PrefixEnd(prefix), ct);
        return rows.Select(s => s.Value).ToList();
    }

    /// <summary>The patient's next session still ahead (booked, not yet started), read with its ETag.</summary>
    public async Task<Stored<Session>?> NextUpcomingSessionAsync(Clinic clinic, string patientId, Instant now, CancellationToken ct)
    {
        var next = (await PatientSessionsAsync(clinic.Id, patientId, ct, now.InZone(clinic.Zone).Date))
            .Where(s => s.IsUpcoming && s.StartUtc > now)
            .MinBy(s => s.StartUtc);
        return next is null ? null : await SessionAsync(clinic.Id, next.Id, ct);
    }

    /// <summary>Who holds which chair at each capacity tick in [from, to).</summary>
    public async Task<ChairMap> ChairsAsync(Clinic clinic, Instant from, Instant toExclusive, CancellationToken ct)
    {
        var map = new ChairMap(clinic.Chairs);
        foreach (var claim in await store.QueryRangeAsync<ChairClaim>(clinic.Id, Keys.ChairFrom(from), Keys.ChairTo(toExclusive), ct))
        {
            if (ClaimKeys.TryParseChair(claim.Key, out var tick, out var k))
            {
                map.Add(tick, k, claim.Value.SessionId);
            }
        }
        return map;
    }

    public Task<Stored<PatientDayClaim>?> PatientDayClaimAsync(string clinicId, string patientId, LocalDate date, CancellationToken ct) =>
        store.GetAsync<PatientDayClaim>(clinicId, Keys.PatientDayClaim(patientId, date), ct);

    public Task<Stored<Flag>?> FlagAsync(string clinicId, string flagId, CancellationToken ct) =>
        store.GetAsync<Flag>(clinicId, Keys.Flag(flagId), ct);

    /// <summary>Runs <paramref name="work"/> for every clinic, a few at a time, and returns the results.</summary>
    public async Task<IReadOnlyList<T>> ForEachClinicAsync<T>(Func<Clinic, CancellationToken, Task<T>> work, CancellationToken ct)
    {
        var results = new System.Collections.Concurrent.ConcurrentBag<T>();
        await Parallel.ForEachAsync(await ClinicIdsAsync(ct), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (clinicId, token) =>
        {
            if (await ClinicAsync(clinicId, token) is { } clinic)
            {
                results.Add(await work(clinic.Value, token));
            }
        });
        return results.ToList();
    }
}
