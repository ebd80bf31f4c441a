using ClinicBackend.Application.Operations;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Sessions;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace ClinicBackend.Application.Persistence;

/// <summary>Row types that only point at or claim something.</summary>
public sealed record PhoneIndex(string PatientId);
public sealed record ChairClaim(string SessionId);
public sealed record PatientDayClaim(string SessionId);
public sealed record DirectoryEntry(string ClinicId);
public sealed record SmsRoute(string ClinicId);
/// <summary>Which clinic's traffic a Messaging Service carries, as inbound texts to the clinic's own number showed it.</summary>
public sealed record ServiceTraffic(string ClinicId);

/// <summary>
/// The clinic data: typed reads (every one a point read or a key-range query inside one partition) and the
/// commit of a <see cref="ClinicCommit"/>, after which its events are published. The few writes that are not a
/// unit of work (directory rows, the text ledger, the report's stored figures, finished watches) are named
/// operations of this floor too: the store itself is reached only from <c>ClinicBackend.Application.Persistence</c>
/// (an architecture test checks it).
/// </summary>
public sealed partial class ClinicData(IDocumentStore store, EventRelay events, ISmsOutbox outbox, ILogger<ClinicData> logger)
{
    /// <summary>The store, for this floor only.</summary>
    internal IDocumentStore Store => store;

    /// <summary>True when storage answers.</summary>
    public Task<bool> PingAsync(CancellationToken ct) => store.PingAsync(ct);

    public EventRelay Events => events;

    /// <summary>Writes the whole unit of work or nothing (a conflict throws <see cref="CommitConflictException"/>), then publishes its events.</summary>
    public async Task CommitAsync(ClinicCommit commit, CancellationToken ct)
    {
        await store.CommitAsync(commit.ClinicId, commit.Changes, ct);
        events.PublishSoon(commit.Events);
        foreach (var (message, at) in commit.WakeUps)
        {
            try
            {
                await outbox.EnqueueAsync(message, at, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Enqueueing text {MessageId} of clinic {ClinicId} failed; the reconciler will enqueue it.", message.MessageId, commit.ClinicId);
            }
        }
        if (commit.Releases.Count > 0)
        {
            try
            {
                await FinishReleasesAsync(commit.ClinicId, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Freeing claims in clinic {ClinicId} failed; the sweep finishes it.", commit.ClinicId);
            }
        }
    }

    /// <summary>Deletes the claim rows of every pending release of the clinic, then the release rows. Safe to repeat.</summary>
    public async Task<int> FinishReleasesAsync(string clinicId, CancellationToken ct)
    {
        var releases = await store.QueryPrefixAsync<ClaimRelease>(clinicId, Keys.ClaimReleasePrefix, ct);
        foreach (var release in releases)
        {
            await Parallel.ForEachAsync(release.Value.ClaimKeys, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (key, token) =>
            {
                try
                {
                    await store.CommitAsync(clinicId, [new Change.Delete(key)], token);
                }
                catch (CommitConflictException)
                {
                    // deleted by an earlier, interrupted attempt
                }
            });
            try
            {
                await store.CommitAsync(clinicId, [new Change.Delete(release.Key, release.ETag)], ct);
            }
            catch (CommitConflictException)
            {
                // finished concurrently
            }
        }
        return releases.Count;
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

    /// <summary>The clinic whose inbound texts already came through this Messaging Service, if any.</summary>
    public async Task<string?> ServiceTrafficOwnerAsync(string messagingServiceSid, CancellationToken ct) =>
        (await store.GetAsync<ServiceTraffic>(Keys.Directory, Keys.ServiceTraffic(messagingServiceSid), ct))?.Value.ClinicId;

    /// <summary>
    /// The directory rows that point at the clinic: its listing, the route of its SMS number, and the Messaging
    /// Services whose inbound texts it received (a prefix query of the few <c>traffic|</c> rows).
    /// </summary>
    public async Task<IReadOnlyList<string>> DirectoryKeysAsync(Clinic clinic, CancellationToken ct)
    {
        var keys = new List<string>();
        if (await store.GetAsync<DirectoryEntry>(Keys.Directory, Keys.DirectoryClinic(clinic.Id), ct) is not null)
        {
            keys.Add(Keys.DirectoryClinic(clinic.Id));
        }
        if (await ClinicIdForSmsNumberAsync(clinic.SmsFrom, ct) == clinic.Id)
        {
            keys.Add(Keys.SmsRoute(clinic.SmsFrom));
        }
        keys.AddRange((await store.QueryPrefixAsync<ServiceTraffic>(Keys.Directory, Keys.ServiceTrafficPrefix, ct))
            .Where(t => t.Value.ClinicId == clinic.Id).Select(t => t.Key));
        return keys;
    }

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

    /// <summary>
    /// The patients whose external id is <paramref name="externalId"/>. Index rows of an id a patient no longer has are
    /// passed over; a clinic whose patients were registered before the index gets their rows on its first search.
    /// </summary>
    public async Task<IReadOnlyList<Patient>> PatientsByExternalIdAsync(string clinicId, string externalId, Instant now, CancellationToken ct)
    {
        if (await store.GetAsync<ExternalIdsIndexed>(clinicId, Keys.PatientExternalIdsIndexed, ct) is null)
        {
            await IndexExternalIdsAsync(clinicId, now, ct);
        }
        var rows = await store.QueryPrefixAsync<ExternalIdIndex>(clinicId, Keys.PatientExternalIdPrefix(externalId), ct);
        var patients = await Task.WhenAll(rows.Select(r => PatientAsync(clinicId, r.Value.PatientId, ct)));
        return patients.Where(p => p?.Value.ExternalId == externalId).Select(p => p!.Value).OrderBy(p => p.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>Writes the external-id row of every patient of the clinic, then the mark that they are written. Safe to repeat.</summary>
    private async Task IndexExternalIdsAsync(string clinicId, Instant now, CancellationToken ct)
    {
        var patients = await store.QueryPrefixAsync<Patient>(clinicId, Keys.PatientPrefix, ct);
        foreach (var chunk in patients.Where(p => p.Value.ExternalId is not null).Chunk(IDocumentStore.MaxChangesPerCommit))
        {
            var commit = new ClinicCommit(clinicId, Actors.System, now);
            foreach (var patient in chunk)
            {
                PatientWrites.IndexExternalId(commit, patient.Value);
            }
            await store.CommitAsync(clinicId, commit.Changes, ct);
        }
        await store.CommitAsync(clinicId, [new Change.Upsert(Keys.PatientExternalIdsIndexed, new ExternalIdsIndexed(now))], ct);
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

    /// <summary>Whether a chair is free for the whole of a session placed at [start, end).</summary>
    public async Task<bool> HasFreeChairAsync(Clinic clinic, ZonedDateTime start, ZonedDateTime end, CancellationToken ct)
    {
        var (from, to) = (start.ToInstant(), end.ToInstant());
        return (await ChairsAsync(clinic, from, to, ct)).FreeOver(BookingRules.Ticks(from, to)) > 0;
    }

    /// <summary>
    /// Who holds which chair at each capacity tick in [from, to). A claim of <paramref name="moving"/> that the
    /// session no longer lists (freed, its release not yet finished) counts as taken, never as its own.
    /// </summary>
    public async Task<ChairMap> ChairsAsync(Clinic clinic, Instant from, Instant toExclusive, CancellationToken ct, Session? moving = null)
    {
        var map = new ChairMap(clinic.Chairs);
        foreach (var claim in await store.QueryRangeAsync<ChairClaim>(clinic.Id, Keys.ChairFrom(from), Keys.ChairTo(toExclusive), ct))
        {
            if (ClaimKeys.TryParseChair(claim.Key, out var tick, out var k))
            {
                var holder = moving is not null && claim.Value.SessionId == moving.Id && !moving.Claims.Contains(claim.Key) ? "released" : claim.Value.SessionId;
                map.Add(tick, k, holder);
            }
        }
        return map;
    }

    public Task<Stored<PatientDayClaim>?> PatientDayClaimAsync(string clinicId, string patientId, LocalDate date, CancellationToken ct) =>
        store.GetAsync<PatientDayClaim>(clinicId, Keys.PatientDayClaim(patientId, date), ct);

    public Task<Stored<Flag>?> FlagAsync(string clinicId, string flagId, CancellationToken ct) =>
        store.GetAsync<Flag>(clinicId, Keys.Flag(flagId), ct);

    /// <summary>
    /// Runs <paramref name="work"/> for every clinic, a few at a time. One clinic's failure is logged with its id
    /// and counted; it never stops the others, and the next run tries that clinic again.
    /// </summary>
    public async Task<ClinicRunReport<T>> ForEachClinicAsync<T>(string run, Func<Clinic, CancellationToken, Task<T>> work, CancellationToken ct)
    {
        var results = new System.Collections.Concurrent.ConcurrentBag<T>();
        var failed = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(await ClinicIdsAsync(ct), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (clinicId, token) =>
        {
            try
            {
                if (await ClinicAsync(clinicId, token) is { } clinic)
                {
                    results.Add(await work(clinic.Value, token));
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
            {
                failed.Add(clinicId);
                logger.LogError(OperationalEvents.ClinicRunFailed, e, "ClinicRunFailed: {Run} failed for clinic {ClinicId}; the other clinics went on and the next run tries again.", run, clinicId);
            }
        });
        return new ClinicRunReport<T>(results.ToList(), failed.Order(StringComparer.Ordinal).ToList());
    }
}

/// <summary>What a run across clinics gave, and which clinics failed.</summary>
public sealed record ClinicRunReport<T>(IReadOnlyList<T> Results, IReadOnlyList<string> FailedClinics)
{
    public string Failures => FailedClinics.Count == 0 ? "" : $"; {FailedClinics.Count} clinic(s) failed: {string.Join(", ", FailedClinics)}";
}
