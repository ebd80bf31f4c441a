using ClinicBackend.Application.Payment;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Payment;
using ClinicBackend.Domain.Time;

namespace ClinicBackend.Functions.Responses;

/// <summary>Schema Readiness: whether a visit is covered by an authorization and whether its drug is here.</summary>
public sealed record ReadinessResponse(string Authorization, string Drug)
{
    public static ReadinessResponse? From(Readiness? r) => r is null ? null : new(Names.Kebab(r.Authorization), Names.Kebab(r.Drug));
}

/// <summary>Schema Coverage: the patient's payer, member id, route, authorizations with their counted use, and shipments.</summary>
public sealed record CoverageResponse(string PatientId, string Payer, string MemberId, string Route, IReadOnlyList<AuthorizationResponse> Authorizations,
    IReadOnlyList<ShipmentResponse> Shipments, string UpdatedAt, string UpdatedBy, int Version)
{
    public static CoverageResponse From(CoverageState state)
    {
        var c = state.Coverage!;
        var serving = state.Shipments.ToDictionary(p => p.Value.Id, p => p.Key, StringComparer.Ordinal);
        return new(c.PatientId, c.Payer, c.MemberId, Names.Kebab(c.Route),
            state.Ledger.Uses.Select(AuthorizationResponse.Of).ToList(),
            c.Shipments.OrderByDescending(s => s.UpdatedAt).Select(s => ShipmentResponse.From(s, serving.GetValueOrDefault(s.Id))).ToList(),
            ClinicTime.FormatUtc(c.UpdatedAt), c.UpdatedBy, c.Version);
    }
}

/// <summary>Schema Authorization: <c>used</c> counts visits that took place first, then booked ones in date order; <c>firstUncovered</c> is the first booked visit inside its dates it cannot cover.</summary>
public sealed record AuthorizationResponse(string Number, string From, string To, int Sessions, int Used, int Remaining, int Fulfilled, UncoveredVisitResponse? FirstUncovered)
{
    public static AuthorizationResponse Of(AuthorizationUse u) => new(u.Authorization.Number, ClinicTime.FormatDate(u.Authorization.From),
        ClinicTime.FormatDate(u.Authorization.To), u.Authorization.Sessions, u.Used, u.Remaining, u.TookPlace,
        u.FirstUncovered is { } s ? new UncoveredVisitResponse(s.Id, ClinicTime.FormatMinute(s.Start)) : null);
}

public sealed record UncoveredVisitResponse(string SessionId, string Start);

/// <summary>Schema Shipment: <c>sessionId</c> is the visit it was recorded for, <c>serves</c> the visit it serves now (another one after a cancellation; null when none).</summary>
public sealed record ShipmentResponse(string Id, string SessionId, string? Serves, string Status, string? Reference, string UpdatedAt, string By)
{
    public static ShipmentResponse From(Shipment s, string? serves) =>
        new(s.Id, s.SessionId, serves, Names.Kebab(s.Status), s.Reference, ClinicTime.FormatUtc(s.UpdatedAt), s.By);
}

/// <summary>Schema ShipmentRecorded: the shipment serving the visit now, and the visit's readiness after it.</summary>
public sealed record ShipmentRecordedResponse(string SessionId, ShipmentResponse Shipment, ReadinessResponse? Readiness)
{
    public static ShipmentRecordedResponse From(ShipmentOutcome o) =>
        new(o.Session.Id, ShipmentResponse.From(o.Shipment, o.Session.Id), ReadinessResponse.From(o.Readiness));
}
