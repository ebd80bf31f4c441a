using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Time;

namespace ClinicBackend.Functions.Responses;

/// <summary>Schema Flag.</summary>
public sealed record FlagResponse(
    string Id,
    string Kind,
    string Severity,
    string Status,
    string? PatientId,
    string? SessionId,
    string CreatedAt,
    string Detail,
    string? ResolvedAt,
    string? ResolvedBy,
    string? Note,
    FlagEscalationResponse Escalation,
    IReadOnlyList<FlagChangeResponse> History,
    int Version)
{
    public static FlagResponse From(Flag f) => new(
        f.Id, f.Kind, Names.Kebab(f.Severity), Names.Kebab(f.Status), f.PatientId, f.SessionId, ClinicTime.FormatUtc(f.CreatedAt), f.Detail,
        f.ResolvedAt is { } r ? ClinicTime.FormatUtc(r) : null, f.ResolvedBy, f.ResolutionNote,
        new FlagEscalationResponse(Names.Kebab(f.Escalation.State), f.Escalation.AcknowledgedBy,
            f.Escalation.AcknowledgedAt is { } at ? ClinicTime.FormatUtc(at) : null,
            f.Escalation.Pages.Select(p => new PageResponse(p.Contact, ClinicTime.FormatUtc(p.At))).ToList()),
        f.History.Select(h => new FlagChangeResponse(ClinicTime.FormatUtc(h.At), h.By, h.Action, h.Detail)).ToList(),
        f.Version);
}

/// <summary>Paging of an urgent flag: none, paging, acknowledged or exhausted; who took it and when; every page.</summary>
public sealed record FlagEscalationResponse(string State, string? AcknowledgedBy, string? AcknowledgedAt, IReadOnlyList<PageResponse> Pages);

public sealed record PageResponse(string Contact, string At);

public sealed record FlagChangeResponse(string At, string By, string Action, string? Detail);

/// <summary>Schema Flags.</summary>
public sealed record FlagsResponse(IReadOnlyList<FlagResponse> Flags);
