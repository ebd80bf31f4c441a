using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Inventory;
using ClinicBackend.Domain.Payment;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Time;

namespace ClinicBackend.Application.Payment;

/// <summary>
/// A patient's coverage as it stands: the row, the sessions it counts (from the earliest day it can count), what each
/// authorization has counted, and which shipment serves which visit.
/// </summary>
public sealed record CoverageState(Stored<Coverage>? Stored, IReadOnlyList<Session> Sessions, CoverageLedger Ledger, IReadOnlyDictionary<string, Shipment> Shipments)
{
    public Coverage? Coverage => Stored?.Value;
}

/// <summary>A session as answered: with its readiness (null for a cancelled or missed one).</summary>
public sealed record ReadySession(Session Session, Readiness? Readiness);

/// <summary>
/// Reads what readiness is decided on: each patient's coverage, then the sessions it can count (a point read, then a key
/// range from the earliest authorization's start; none without coverage),
/// the clinic's lots and the visits' days (only for buy-and-bill visits where the clinic counts its drug).
/// </summary>
public sealed class ReadinessReader(ClinicData data, TimeProvider time)
{
    public async Task<CoverageState> PatientAsync(string clinicId, string patientId, CancellationToken ct) =>
        await PatientAsync(clinicId, patientId, await data.CoverageAsync(clinicId, patientId, ct), ct);

    /// <summary>The state of a coverage row read already (or none).</summary>
    public async Task<CoverageState> PatientAsync(string clinicId, string patientId, Stored<Coverage>? coverage, CancellationToken ct)
    {
        var sessions = await CountedSessionsAsync(clinicId, patientId, coverage?.Value, ct);
        return new CoverageState(coverage, sessions, CoverageLedger.Of(coverage?.Value, sessions), CoverageRules.ShipmentsBySession(coverage?.Value, sessions));
    }

    /// <summary>
    /// The patient's sessions the coverage can count: none without authorizations or shipments, else those from the
    /// earliest day it can count (one key range), so a long history is not read for each visit; all of them in the rare
    /// case a shipment's visit lies before that day.
    /// </summary>
    private async Task<IReadOnlyList<Session>> CountedSessionsAsync(string clinicId, string patientId, Coverage? coverage, CancellationToken ct)
    {
        if (CoverageRules.EarliestCountedDay(coverage) is not { } from)
        {
            return [];
        }
        var sessions = await data.PatientSessionsAsync(clinicId, patientId, ct, from);
        return CoverageRules.CountsWithin(coverage, sessions, from) ? sessions : await data.PatientSessionsAsync(clinicId, patientId, ct);
    }

    /// <summary>A session a route answers with, with its readiness.</summary>
    public async Task<Result<ReadySession>> AttachAsync(string clinicId, Result<Session> session, CancellationToken ct)
    {
        if (!session.IsSuccess)
        {
            return session.Problem!;
        }
        var clinic = await data.ClinicAsync(clinicId, ct);
        return new ReadySession(session.Value, clinic is null ? null : await OfAsync(clinic.Value, session.Value, ct));
    }

    /// <summary>Sessions a route answers with, each with its readiness; <paramref name="wholeDays"/> as in <see cref="OfAsync(Clinic, IReadOnlyList{Session}, CancellationToken, bool)"/>.</summary>
    public async Task<Result<IReadOnlyList<ReadySession>>> AttachAsync(string clinicId, Result<IReadOnlyList<Session>> sessions, CancellationToken ct, bool wholeDays = false)
    {
        if (!sessions.IsSuccess)
        {
            return sessions.Problem!;
        }
        var clinic = await data.ClinicAsync(clinicId, ct);
        var ready = clinic is null ? new Dictionary<string, Readiness?>() : await OfAsync(clinic.Value, sessions.Value, ct, wholeDays);
        return sessions.Value.Select(s => new ReadySession(s, ready.GetValueOrDefault(s.Id))).ToList();
    }

    /// <summary>The readiness of one visit (null for a cancelled or missed one).</summary>
    public async Task<Readiness?> OfAsync(Clinic clinic, Session session, CancellationToken ct) =>
        (await OfAsync(clinic, [session], ct)).GetValueOrDefault(session.Id);

    /// <summary>
    /// The readiness of each visit, by session id (null for a cancelled or missed one). With <paramref name="wholeDays"/>,
    /// <paramref name="sessions"/> hold every session of their days, which are then not read again.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, Readiness?>> OfAsync(Clinic clinic, IReadOnlyList<Session> sessions, CancellationToken ct, bool wholeDays = false)
    {
        var now = time.Now();
        var live = sessions.Where(s => s.IsLive).ToList();
        var patients = await Task.WhenAll(live.Select(s => s.PatientId).Distinct().Select(async id => (Id: id, State: await PatientAsync(clinic.Id, id, ct))));
        var states = patients.ToDictionary(p => p.Id, p => p.State);
        var counted = live.Where(s => s.Status == SessionStatus.Booked || (s.Status == SessionStatus.Arrived && s.Dose is null))
            .Where(s => clinic.Inventory == InventoryMode.Tracked && CoverageRules.RouteOf(states[s.PatientId].Coverage, clinic) == CoverageRoute.BuyAndBill)
            .ToList();
        IReadOnlyList<Lot> lots = [];
        var days = new List<Session>();
        if (counted.Count > 0)
        {
            var lotsTask = data.LotsAsync(clinic.Id, ct);
            var dates = counted.Select(s => s.Date).Distinct().ToList();
            if (wholeDays)
            {
                days.AddRange(sessions);
            }
            else
            {
                var read = await Task.WhenAll(dates.Select(d => data.SessionsOnDaysAsync(clinic.Id, d, d.PlusDays(1), ct)));
                days.AddRange(read.SelectMany(d => d));
            }
            lots = await lotsTask;
        }
        return sessions.ToDictionary(s => s.Id, s => states.TryGetValue(s.PatientId, out var state)
            ? CoverageRules.Of(s, clinic, state.Coverage, state.Ledger, state.Shipments, lots, days, now)
            : null);
    }
}
