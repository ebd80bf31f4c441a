using ClinicBackend.Application.Access;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Payment;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Time;

namespace ClinicBackend.Application.Payment;

/// <summary>The body of PUT .../patients/{patientId}/coverage.</summary>
public sealed class CoverageInput
{
    public string? Payer { get; set; }
    public string? MemberId { get; set; }
    public string? Route { get; set; }
    public List<AuthorizationInput?>? Authorizations { get; set; }
}

public sealed class AuthorizationInput
{
    public string? Number { get; set; }
    public string? From { get; set; }
    public string? To { get; set; }
    public int? Sessions { get; set; }
}

/// <summary>The body of POST .../sessions/{sessionId}/shipment.</summary>
public sealed class ShipmentInput
{
    public string? Status { get; set; }
    public string? Reference { get; set; }
}

/// <summary>A shipment recorded for a visit, with the visit's readiness after it.</summary>
public sealed record ShipmentOutcome(Session Session, Shipment Shipment, Readiness? Readiness);

/// <summary>
/// Patients' coverage (PHI): set with PUT, read with GET (each read audited as the patient's coverage viewed), and the
/// pharmacy shipments of their visits. Used and remaining sessions are counted from the sessions on every read.
/// </summary>
public sealed class CoverageService(ClinicData data, ClinicAccess access, ClinicUpdates updates, ReadinessReader readiness, PatientReads reads, TimeProvider time)
{
    public async Task<Result<CoverageState>> GetAsync(Caller caller, string clinicId, string patientId, CancellationToken ct)
    {
        var stored = await access.RequireAsync(caller, clinicId, Need.Staff, ct);
        if (!stored.IsSuccess)
        {
            return stored.Problem!;
        }
        if (!Ids.IsGeneratedId(patientId) || await data.PatientAsync(clinicId, patientId, ct) is null)
        {
            return Problem.NotFound("patient");
        }
        var state = await readiness.PatientAsync(clinicId, patientId, ct);
        if (state.Coverage is null)
        {
            return Problem.NotFound("coverage");
        }
        reads.Record(clinicId, caller.ObjectId, patientId, "coverage", time.Now());
        return state;
    }

    /// <summary>Sets the patient's payer, member id, route and authorizations (all of them: a PUT); the shipments stay.</summary>
    public async Task<Result<CoverageState>> PutAsync(Caller caller, string clinicId, string patientId, CoverageInput input, int? ifMatch, CancellationToken ct)
    {
        var put = await updates.RunAsync<Coverage>(caller, clinicId, Need.Staff, async (clinic, commit) =>
        {
            if (!Ids.IsGeneratedId(patientId) || await data.PatientAsync(clinicId, patientId, ct) is null)
            {
                return Problem.NotFound("patient");
            }
            var current = await data.CoverageAsync(clinicId, patientId, ct);
            if (Concurrency.CheckIfMatch(ifMatch, current?.Value.Version ?? 0) is { } stale)
            {
                return stale;
            }
            var valid = Validate(input);
            if (!valid.IsSuccess)
            {
                return valid.Problem!;
            }
            var (payer, memberId, route, authorizations) = valid.Value;
            var next = Coverage.Put(current?.Value, patientId, payer, memberId, route, authorizations, commit.Now, commit.Actor);
            if (current is not null && !ClinicCommit.Differ(current.Value, next with { UpdatedAt = current.Value.UpdatedAt, UpdatedBy = current.Value.UpdatedBy }))
            {
                return current.Value; // the same coverage again
            }
            CoverageWrites.Write(commit, current, next, current is null ? "coverage.created" : "coverage.changed");
            return next;
        }, ct);
        return put.IsSuccess ? await readiness.PatientAsync(clinicId, patientId, ct) : put.Problem!;
    }

    /// <summary>Records a specialty-pharmacy shipment's status for a booked (or arrived) visit.</summary>
    public async Task<Result<ShipmentOutcome>> RecordShipmentAsync(Caller caller, string clinicId, string sessionId, ShipmentInput input, CancellationToken ct)
    {
        var recorded = await updates.RunAsync<(Session Session, Shipment Shipment)>(caller, clinicId, Need.Staff, async (clinic, commit) =>
        {
            var session = Ids.IsGeneratedId(sessionId) ? (await data.SessionAsync(clinicId, sessionId, ct))?.Value : null;
            if (session is null)
            {
                return Problem.NotFound("session");
            }
            var errors = new FieldErrors();
            if (!Names.TryParseKebab<ShipmentStatus>(input.Status, out var status))
            {
                errors.Add("status", $"status is one of {Names.KebabList<ShipmentStatus>()}.");
            }
            if (input.Reference is not null && !PlainText.IsValid(input.Reference, Coverage.MaxReferenceLength))
            {
                errors.Add("reference", $"reference, when given, is the pharmacy's order or tracking reference: 1 to {Coverage.MaxReferenceLength} printable characters.");
            }
            if (errors.Any)
            {
                return errors.ToProblem();
            }
            if (session.Status is not (SessionStatus.Booked or SessionStatus.Arrived))
            {
                return Problem.Conflict("session-not-ahead", "The visit is not ahead.",
                    $"The session is {Names.Kebab(session.Status)}: shipments are recorded for booked or arrived visits. A cancelled visit's shipment serves the patient's next visit; record it there.");
            }
            var state = await readiness.PatientAsync(clinicId, session.PatientId, ct);
            if (state.Stored is null)
            {
                return Problem.Rule("no-coverage", "The patient has no coverage on record.",
                    "Record the patient's coverage (PUT .../patients/{patientId}/coverage with route specialty-pharmacy) before the shipments of their visits.");
            }
            var changed = state.Stored.Value.RecordShipment(session.Id, state.Shipments.GetValueOrDefault(session.Id), status, input.Reference?.Trim(), commit.Now, commit.Actor);
            if (!changed.IsSuccess)
            {
                return changed.Problem!;
            }
            if (ReferenceEquals(changed.Value, state.Stored.Value))
            {
                return (session, state.Shipments[session.Id]); // recorded already
            }
            CoverageWrites.Write(commit, state.Stored, changed.Value, $"coverage.shipment-{Names.Kebab(status)}");
            return (session, changed.Value.Shipments[^1]);
        }, ct);
        if (!recorded.IsSuccess)
        {
            return recorded.Problem!;
        }
        var clinic = (await data.ClinicAsync(clinicId, ct))!.Value;
        return new ShipmentOutcome(recorded.Value.Session, recorded.Value.Shipment, await readiness.OfAsync(clinic, recorded.Value.Session, ct));
    }

    private static Result<(string Payer, string MemberId, CoverageRoute Route, IReadOnlyList<Authorization> Authorizations)> Validate(CoverageInput input)
    {
        var errors = new FieldErrors();
        if (!PlainText.IsValid(input.Payer, Coverage.MaxPayerLength))
        {
            errors.Add("payer", $"payer is the insurer's name, 1 to {Coverage.MaxPayerLength} printable characters.");
        }
        if (!PlainText.IsValid(input.MemberId, Coverage.MaxMemberIdLength))
        {
            errors.Add("memberId", $"memberId is the patient's member id with the payer, 1 to {Coverage.MaxMemberIdLength} printable characters.");
        }
        if (!Names.TryParseKebab<CoverageRoute>(input.Route, out var route))
        {
            errors.Add("route", $"route is one of {Names.KebabList<CoverageRoute>()}.");
        }
        var authorizations = new List<Authorization>();
        if (input.Authorizations is { Count: > Coverage.MaxAuthorizations })
        {
            errors.Add("authorizations", $"Give at most {Coverage.MaxAuthorizations} authorizations; leave out ones that ended long ago.");
        }
        else
        {
            foreach (var (item, i) in (input.Authorizations ?? []).Select((a, i) => (a, i)))
            {
                var field = $"authorizations[{i}]";
                if (item is null)
                {
                    errors.Add(field, "Each authorization is an object: { \"number\", \"from\", \"to\", \"sessions\" }.");
                    continue;
                }
                var ok = true;
                if (!PlainText.IsValid(item.Number, Coverage.MaxNumberLength))
                {
                    errors.Add($"{field}.number", $"number is the authorization's number from the payer, 1 to {Coverage.MaxNumberLength} printable characters.");
                    ok = false;
                }
                if (!ClinicTime.TryParseDate(item.From, out var from))
                {
                    errors.Add($"{field}.from", "from is the first covered date as YYYY-MM-DD (clinic-local).");
                    ok = false;
                }
                if (!ClinicTime.TryParseDate(item.To, out var to))
                {
                    errors.Add($"{field}.to", "to is the last covered date as YYYY-MM-DD (clinic-local, included).");
                    ok = false;
                }
                else if (ok && to < from)
                {
                    errors.Add($"{field}.to", "to must not be before from.");
                    ok = false;
                }
                if (item.Sessions is not (>= 1 and <= Coverage.MaxSessionsPerAuthorization))
                {
                    errors.Add($"{field}.sessions", $"sessions is how many visits the authorization covers, 1 to {Coverage.MaxSessionsPerAuthorization}.");
                    ok = false;
                }
                if (ok)
                {
                    var number = item.Number!.Trim();
                    if (authorizations.Any(a => a.Number == number))
                    {
                        errors.Add($"{field}.number", "Each authorization number appears once; merge or renumber the duplicates.");
                    }
                    authorizations.Add(new Authorization(number, from, to, item.Sessions!.Value));
                }
            }
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        return (input.Payer!.Trim(), input.MemberId!.Trim(), route, authorizations);
    }
}
