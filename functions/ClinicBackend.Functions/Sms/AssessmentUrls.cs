using ClinicBackend.Domain.Assessments;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Infrastructure.Messaging;

namespace ClinicBackend.Functions.Sms;

/// <summary>Questionnaire links point at <c>{PublicBaseUrl}/api/a/{code}</c>.</summary>
public sealed class AssessmentUrls(TwilioOptions options) : IAssessmentUrls
{
    public string For(string code) => options.PublicUrl(AssessmentCode.PathMarker + code);
}
