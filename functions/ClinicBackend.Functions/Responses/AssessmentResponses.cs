using ClinicBackend.Domain.Assessments;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Time;

namespace ClinicBackend.Functions.Responses;

/// <summary>One rating: when it was taken (UTC), its items, total and band, and who gave it.</summary>
public sealed record AssessmentResponse(
    string Id,
    string Instrument,
    string At,
    int Total,
    IReadOnlyList<int> Items,
    string Source,
    string Severity,
    bool Baseline,
    int? Difficulty,
    string? SessionId,
    string? EnteredBy)
{
    public static AssessmentResponse From(Assessment a) => new(a.Id, Names.Kebab(a.Instrument), ClinicTime.FormatUtc(a.At), a.Total, a.Items,
        Names.Kebab(a.Source), a.Severity, a.Baseline, a.Difficulty, a.SessionId, a.EnteredBy);
}

public sealed record AssessmentListResponse(IReadOnlyList<AssessmentResponse> Assessments)
{
    public static AssessmentListResponse From(Application.Assessments.PatientAssessments list) => new(list.Assessments.Select(AssessmentResponse.From).ToList());
}

public sealed record AssessmentSettingsResponse(bool Phq9, int EveryDays)
{
    public static AssessmentSettingsResponse From(AssessmentSettings s) => new(s.Phq9, s.EveryDays);
}
