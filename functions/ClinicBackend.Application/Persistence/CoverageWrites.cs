using ClinicBackend.Domain.Payment;
using NodaTime;

namespace ClinicBackend.Application.Persistence;

/// <summary>A visit that was not ready the day before, and why (<see cref="Readiness.Causes"/>): the report counts these rows.</summary>
public sealed record NotReadyMark(string SessionId, LocalDate Date, IReadOnlyList<string> Causes);

/// <summary>The clinic-local day the sweep last looked for authorizations to renew.</summary>
public sealed record RenewalCheck(LocalDate Date);

/// <summary>The reads of patients' coverage and of the day-before readiness marks.</summary>
public sealed partial class ClinicData
{
    public Task<Stored<Coverage>?> CoverageAsync(string clinicId, string patientId, CancellationToken ct) =>
        Store.GetAsync<Coverage>(clinicId, Keys.Coverage(patientId), ct);

    /// <summary>Every patient's coverage (one prefix range; the daily renewal check reads it).</summary>
    public Task<IReadOnlyList<Stored<Coverage>>> CoveragesAsync(string clinicId, CancellationToken ct) =>
        Store.QueryPrefixAsync<Coverage>(clinicId, Keys.CoveragePrefix, ct);

    public Task<Stored<RenewalCheck>?> RenewalCheckAsync(string clinicId, CancellationToken ct) =>
        Store.GetAsync<RenewalCheck>(clinicId, Keys.RenewalCheck, ct);

    /// <summary>Records the day's renewal check as read; false when another sweep recorded it first (that one does the day's check).</summary>
    public Task<bool> RecordRenewalCheckAsync(string clinicId, Stored<RenewalCheck>? before, LocalDate today, CancellationToken ct) =>
        TryWriteAsync(clinicId, [before is null ? new Change.Insert(Keys.RenewalCheck, new RenewalCheck(today)) : new Change.Replace(Keys.RenewalCheck, new RenewalCheck(today), before.ETag)], ct);

    public Task<Stored<NotReadyMark>?> NotReadyMarkAsync(string clinicId, LocalDate date, string sessionId, CancellationToken ct) =>
        Store.GetAsync<NotReadyMark>(clinicId, Keys.ReportNotReady(date, sessionId), ct);
}

/// <summary>
/// How a coverage change is written: the row (inserted when new, else replaced under the ETag it was read with) and an
/// audit record. Coverage never goes into an event: events leave the partition.
/// </summary>
public static class CoverageWrites
{
    public static void Write(ClinicCommit commit, Stored<Coverage>? before, Coverage after, string action)
    {
        var key = Keys.Coverage(after.PatientId);
        if (before is null)
        {
            commit.Insert(key, after);
        }
        else
        {
            commit.Replace(key, after, before.ETag);
        }
        commit.Audit(action, "coverage", after.PatientId, before?.Value, after);
    }

    /// <summary>Keeps the day-before mark of a visit in step with its readiness: written while it is not ready, removed once it is.</summary>
    public static void Mark(ClinicCommit commit, Stored<NotReadyMark>? current, NotReadyMark? next)
    {
        if (next is null)
        {
            if (current is not null)
            {
                commit.Delete(current.Key, current.ETag);
            }
        }
        else if (current is null)
        {
            commit.Insert(Keys.ReportNotReady(next.Date, next.SessionId), next);
        }
        else if (!current.Value.Causes.SequenceEqual(next.Causes, StringComparer.Ordinal))
        {
            commit.Replace(current.Key, next, current.ETag);
        }
    }
}
