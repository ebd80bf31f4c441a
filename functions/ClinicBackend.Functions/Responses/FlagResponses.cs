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
    int Version)
{
    public static FlagResponse From(Flag f) => new(
        f.Id, f.Kind, Names.Kebab(f.Severity), Names.Kebab(f.Status), f.PatientId, f.SessionId, ClinicTime.FormatUtc(f.CreatedAt), f.Detail,
        f.ResolvedAt is { } r ? ClinicTime.FormatUtc(r) : null, f.ResolvedBy, f.ResolutionNote, f.Version);
}

/// <summary>Schema Flags.</summary>
public sealed record FlagsResponse(IReadOnlyList<FlagResponse> Flags);
