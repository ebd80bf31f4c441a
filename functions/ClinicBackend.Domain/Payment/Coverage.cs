using ClinicBackend.Domain.Common;
using NodaTime;

namespace ClinicBackend.Domain.Payment;

/// <summary>How the drug is paid for: the clinic buys it and bills the medical benefit, or a specialty pharmacy ships it per patient.</summary>
public enum CoverageRoute
{
    BuyAndBill,
    SpecialtyPharmacy,
}

/// <summary>A specialty-pharmacy shipment's progress; it only moves forward.</summary>
public enum ShipmentStatus
{
    Ordered,
    Shipped,
    Received,
}

/// <summary>A payer's prior authorization: sessions between two clinic-local dates (both included).</summary>
public sealed record Authorization(string Number, LocalDate From, LocalDate To, int Sessions)
{
    public bool Contains(LocalDate date) => From <= date && date <= To;
}

/// <summary>
/// Drug labelled for the patient, ordered for one visit. <see cref="SessionId"/> is the visit it was ordered for (or last
/// recorded against); when that visit is cancelled it serves the patient's next visit (see <see cref="CoverageRules.ShipmentsBySession"/>).
/// </summary>
public sealed record Shipment(string Id, string SessionId, ShipmentStatus Status, string? Reference, Instant UpdatedAt, string By);

/// <summary>
/// A patient's coverage (PHI: kept out of texts, logs and events): the payer, the member id, the route, the prior
/// authorizations and the pharmacy shipments. Used and remaining sessions are never stored: they are counted from the
/// sessions whenever they are read (<see cref="CoverageRules"/>).
/// </summary>
public sealed record Coverage
{
    public const int MaxAuthorizations = 20;
    public const int MaxSessionsPerAuthorization = 500;
    /// <summary>The newest shipments kept on the row (about two years of visits); older ones stay in the audit trail.</summary>
    public const int MaxShipments = 60;
    public const int MaxPayerLength = 100;
    public const int MaxMemberIdLength = 50;
    public const int MaxNumberLength = 50;
    public const int MaxReferenceLength = 100;

    public required string PatientId { get; init; }
    public required string Payer { get; init; }
    public required string MemberId { get; init; }
    public required CoverageRoute Route { get; init; }
    public IReadOnlyList<Authorization> Authorizations { get; init; } = [];
    public IReadOnlyList<Shipment> Shipments { get; init; } = [];
    public Instant UpdatedAt { get; init; }
    public string UpdatedBy { get; init; } = "";
    public int Version { get; init; } = 1;

    /// <summary>Sets (or replaces) the payer, member id, route and authorizations; the shipments stay.</summary>
    public static Coverage Put(Coverage? current, string patientId, string payer, string memberId, CoverageRoute route,
        IReadOnlyList<Authorization> authorizations, Instant now, string actor) => new()
        {
            PatientId = patientId,
            Payer = payer,
            MemberId = memberId,
            Route = route,
            Authorizations = [.. authorizations.OrderBy(a => a.From).ThenBy(a => a.To).ThenBy(a => a.Number, StringComparer.Ordinal)],
            Shipments = current?.Shipments ?? [],
            UpdatedAt = now,
            UpdatedBy = actor,
            Version = (current?.Version ?? 0) + 1,
        };

    /// <summary>
    /// Records a shipment's status for a visit: the shipment that serves it now (its own, or one released to it by a
    /// cancelled visit) moves forward and belongs to it from now on; without one, a new shipment starts. The same status
    /// again changes nothing; going back is refused.
    /// </summary>
    public Result<Coverage> RecordShipment(string sessionId, Shipment? serving, ShipmentStatus status, string? reference, Instant now, string actor)
    {
        if (Route != CoverageRoute.SpecialtyPharmacy)
        {
            return Problem.Rule("not-specialty-pharmacy", "The patient's drug is not shipped by a pharmacy.",
                "Shipments are recorded for the specialty-pharmacy route; this patient's coverage is buy-and-bill (the clinic's own stock). Change the route with PUT .../coverage first if a pharmacy ships it.");
        }
        if (serving is not null && status < serving.Status)
        {
            return Problem.Conflict("shipment-backwards", "A shipment only moves forward.",
                $"The shipment for this visit is already {Names.Kebab(serving.Status)}; it goes ordered, shipped, received. Record a status at or after {Names.Kebab(serving.Status)}.");
        }
        if (serving is not null && serving.Status == status && serving.SessionId == sessionId && (reference is null || reference == serving.Reference))
        {
            return this;
        }
        var shipment = serving is null
            ? new Shipment(Ids.New(), sessionId, status, reference, now, actor)
            : serving with { SessionId = sessionId, Status = status, Reference = reference ?? serving.Reference, UpdatedAt = now, By = actor };
        var others = Shipments.Where(s => s.Id != shipment.Id).OrderBy(s => s.UpdatedAt).TakeLast(MaxShipments - 1);
        return this with { Shipments = [.. others, shipment], UpdatedAt = now, UpdatedBy = actor, Version = Version + 1 };
    }
}
