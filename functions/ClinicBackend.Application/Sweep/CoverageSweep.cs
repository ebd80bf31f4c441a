using ClinicBackend.Application.Payment;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Events;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Payment;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Time;
using NodaTime;

namespace ClinicBackend.Application.Sweep;

/// <summary>
/// The hourly sweep's coverage part: visits of the next 2 clinic days that are not ready get a not-ready flag per cause,
/// which resolves itself once that cause is gone; the day before a visit its causes are kept for the report; and once a
/// day, authorizations ending within 14 days or with at most 2 sessions left get an authorization-renewal flag. Flag
/// details name dates and counts, never the payer or the member id.
/// </summary>
public sealed class CoverageSweep(ClinicData data, ReadinessReader readiness, IRenewalEvidence evidence)
{
    private const string Actor = Actors.Sweep;

    public async Task<(int NotReady, int Renewals)> SweepAsync(Clinic clinic, Instant now, CancellationToken ct)
    {
        var today = now.InZone(clinic.Zone).Date;
        // The day's turn is taken after the not-ready work, so a run that fails in it leaves the turn to the next run.
        var check = await data.RenewalCheckAsync(clinic.Id, ct);
        var dayNotDone = !(check?.Value.Date >= today);
        var notReady = await SweepNotReadyAsync(clinic, today, dayNotDone, now, ct);
        // Of two sweeps at once, one records the day and looks for renewals.
        var renewals = dayNotDone && await data.RecordRenewalCheckAsync(clinic.Id, check, today, ct) ? await SweepRenewalsAsync(clinic, today, now, ct) : 0;
        return (notReady, renewals);
    }

    private async Task<int> SweepNotReadyAsync(Clinic clinic, LocalDate today, bool dayNotDone, Instant now, CancellationToken ct)
    {
        var window = await data.SessionsOnDaysAsync(clinic.Id, today, today.PlusDays(CoverageRules.NotReadyNoticeDays + 1), ct);
        var ahead = window.Where(s => s.IsUpcoming && s.StartUtc > now).ToList();
        var found = ahead.Count == 0 ? new Dictionary<string, Readiness?>() : await readiness.OfAsync(clinic, window, ct, wholeDays: true);
        var raised = 0;
        foreach (var session in ahead)
        {
            var ready = found[session.Id];
            foreach (var cause in ready?.Causes ?? [])
            {
                var flag = Flag.For(FlagKinds.NotReady, $"{session.Id}|{cause}", FlagSeverity.Normal, session.PatientId, session.Id, now, Detail(session, cause));
                raised += await RaiseOrReopenAsync(clinic.Id, flag, now, ct) ? 1 : 0;
            }
            if (session.Date == today.PlusDays(1))
            {
                await MarkDayBeforeAsync(clinic.Id, session, ready, now, ct);
            }
        }
        await ResolveReadyAsync(clinic, found, dayNotDone, now, ct);
        return raised;
    }

    /// <summary>
    /// Raises the flag, or opens it again when the sweep had resolved it and its cause came back (the stock ran short
    /// again, the authorization was withdrawn). One that staff resolved stays resolved: they took it in hand.
    /// </summary>
    private async Task<bool> RaiseOrReopenAsync(string clinicId, Flag flag, Instant now, CancellationToken ct)
    {
        var stored = await data.FlagAsync(clinicId, flag.Id, ct);
        var commit = new ClinicCommit(clinicId, Actor, now);
        if (stored is null)
        {
            FlagWrites.Add(commit, flag);
        }
        else if (stored.Value.ResolvedBy == Actor && stored.Value.Reopen(flag.Detail, Actor, now) is { } reopened)
        {
            FlagWrites.Update(commit, stored.Value, reopened, stored.ETag, "flag.reopened", EventTypes.FlagReopened, $"flag-{flag.Id}-v{reopened.Version}");
        }
        else
        {
            return false;
        }
        return await data.TryCommitAsync(commit, ct); // a conflict: another sweep or staff changed it meanwhile
    }

    /// <summary>The day before a visit, its mark follows its readiness; what the last sweep of that day left is what the report counts.</summary>
    private async Task MarkDayBeforeAsync(string clinicId, Session session, Readiness? ready, Instant now, CancellationToken ct)
    {
        var current = await data.NotReadyMarkAsync(clinicId, session.Date, session.Id, ct);
        var next = ready is { IsReady: false } ? new NotReadyMark(session.Id, session.Date, ready.Causes) : null;
        var commit = new ClinicCommit(clinicId, Actor, now);
        CoverageWrites.Mark(commit, current, next);
        if (commit.Count > 0)
        {
            await data.TryCommitAsync(commit, ct); // a conflict: another sweep did the same
        }
    }

    /// <summary>
    /// Open not-ready flags whose cause is gone (the visit is ready in that respect, cancelled or missed) are resolved by
    /// the sweep. A visit that took place keeps its flag for billing until an authorization recorded afterwards covers it;
    /// a visit of an earlier day is looked at by the clinic day's first sweep, not every hour, so open flags of past visits
    /// do not make every run longer (today's are read with the window's days).
    /// </summary>
    private async Task ResolveReadyAsync(Clinic clinic, IReadOnlyDictionary<string, Readiness?> known, bool dayNotDone, Instant now, CancellationToken ct)
    {
        foreach (var flag in (await data.OpenFlagsAsync(clinic.Id, ct)).Where(f => f.Kind == FlagKinds.NotReady && f.SessionId is not null))
        {
            var cause = CauseOf(flag);
            if (!known.TryGetValue(flag.SessionId!, out var ready))
            {
                var session = (await data.SessionAsync(clinic.Id, flag.SessionId!, ct))?.Value;
                if (session is { Status: SessionStatus.Arrived or SessionStatus.Fulfilled } && !dayNotDone)
                {
                    continue;
                }
                ready = session is null ? null : await readiness.OfAsync(clinic, session, ct);
            }
            if (cause is null || ready is not null && ready.Causes.Contains(cause))
            {
                continue;
            }
            var note = ready is null ? "The visit was cancelled or missed." : $"Resolved by itself: {cause} no longer applies to the visit.";
            await ResolveAsync(clinic.Id, flag.Id, note, now, ct);
        }
    }

    private async Task ResolveAsync(string clinicId, string flagId, string note, Instant now, CancellationToken ct)
    {
        var stored = await data.FlagAsync(clinicId, flagId, ct);
        var resolved = stored?.Value.Resolve(note, Actor, now);
        if (stored is null || resolved is not { IsSuccess: true })
        {
            return; // gone, or resolved by staff meanwhile
        }
        var commit = new ClinicCommit(clinicId, Actor, now);
        // A not-ready flag can be resolved again after it reopened: each resolution is an event of its own.
        FlagWrites.Update(commit, stored.Value, resolved.Value.Value, stored.ETag, "flag.resolved", EventTypes.FlagResolved, $"flag-{flagId}-v{resolved.Value.Value.Version}");
        await data.TryCommitAsync(commit, ct); // a conflict: staff resolved it meanwhile
    }

    /// <summary>Which cause a not-ready flag was raised for (its id derives from the session and the cause).</summary>
    private static string? CauseOf(Flag flag) => Readiness.AllCauses.FirstOrDefault(c => Flag.IdFor(FlagKinds.NotReady, $"{flag.SessionId}|{c}") == flag.Id);

    private static string Detail(Session session, string cause)
    {
        var what = cause switch
        {
            "authorization-missing" => "no authorization covers its date. Ask the payer for a prior authorization, or record it in the patient's coverage",
            "authorization-exhausted" => "the authorization covering its date has no session left for it (earlier visits took them). Ask the payer for more sessions",
            "authorization-expired" => "the patient's authorizations ended before its date. Ask the payer for a renewal",
            "drug-not-received" => "no shipment from the specialty pharmacy is recorded as received for it. Check with the pharmacy, then record the shipment",
            _ => "the clinic's usable stock cannot cover that day's booked doses (3 devices each, unless a dose is recorded). Receive a delivery, or check the count",
        };
        return $"The session of {ClinicTime.FormatMinute(session.Start)} is not ready: {what}. This flag resolves itself once that is fixed.";
    }

    /// <summary>Once a clinic-local day: each authorization not yet ended that ends within 14 days or has at most 2 sessions left.</summary>
    private async Task<int> SweepRenewalsAsync(Clinic clinic, LocalDate today, Instant now, CancellationToken ct)
    {
        var raised = 0;
        foreach (var stored in await data.CoveragesAsync(clinic.Id, ct))
        {
            var coverage = stored.Value;
            if (!coverage.Authorizations.Any(a => a.To >= today))
            {
                continue;
            }
            var state = await readiness.PatientAsync(clinic.Id, coverage.PatientId, stored, ct);
            foreach (var use in state.Ledger.Uses.Where(u => CoverageRules.NeedsRenewal(u, today)))
            {
                var a = use.Authorization;
                var scores = await evidence.LatestScoresAsync(clinic, coverage.PatientId, ct);
                var detail = $"Authorization {a.Number} ({ClinicTime.FormatDate(a.From)} to {ClinicTime.FormatDate(a.To)}) has {use.Remaining} of {a.Sessions} sessions left "
                    + $"({use.TookPlace} given, {use.Used - use.TookPlace} booked). Ask the payer for a renewal before it runs out."
                    + (scores is null ? "" : $" {scores}");
                var flag = Flag.For(FlagKinds.AuthorizationRenewal, $"{coverage.PatientId}|{a.Number}|{ClinicTime.FormatDate(a.To)}|{a.Sessions}", FlagSeverity.Normal,
                    coverage.PatientId, null, now, detail);
                raised += await FlagWrites.RaiseAloneAsync(data, clinic.Id, flag, Actor, now, ct) ? 1 : 0;
            }
        }
        return raised;
    }
}
