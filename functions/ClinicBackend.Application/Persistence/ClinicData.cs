using ClinicBackend.Application.Access;
using ClinicBackend.Application.Clinics;
using ClinicBackend.Application.Flags;
using ClinicBackend.Application.Patients;
using ClinicBackend.Application.Runs;
using ClinicBackend.Application.Sessions;
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

/// <summary>Typed reads of the clinic data; every read is a point read or a key-range query.</summary>
public sealed class ClinicData(IDocumentStore store)
{
    public IDocumentStore Store => store;

    public Task<Stored<Clinic>?> ClinicAsync(string clinicId, CancellationToken ct) =>
        store.GetAsync<Clinic>(clinicId, Keys.Clinic, ct);

    public async Task<IReadOnlyList<string>> ClinicIdsAsync(CancellationToken ct) =>
        (await store.QueryPrefixAsync<DirectoryEntry>(Keys.Directory, Keys.DirectoryClinicPrefix, ct)).Select(e => e.Value.ClinicId).ToList();

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

    /// <summary>Chair claims of the ticks in [from, to).</summary>
    public Task<IReadOnlyList<Stored<ChairClaim>>> ChairClaimsAsync(string clinicId, Instant from, Instant toExclusive, CancellationToken ct) =>
        store.QueryRangeAsync<ChairClaim>(clinicId, Keys.ChairFrom(from), Keys.ChairTo(toExclusive), ct);

    public Task<Stored<PatientDayClaim>?> PatientDayClaimAsync(string clinicId, string patientId, LocalDate date, CancellationToken ct) =>
        store.GetAsync<PatientDayClaim>(clinicId, Keys.PatientDayClaim(patientId, date), ct);

    public Task<Stored<Flag>?> FlagAsync(string clinicId, string flagId, CancellationToken ct) =>
        store.GetAsync<Flag>(clinicId, Keys.Flag(flagId), ct);
}
