using ClinicBackend.Domain.Assessments;
using NodaTime;

namespace ClinicBackend.Application.Persistence;

/// <summary>Directory row of a link's code: which clinic and visit its hash belongs to.</summary>
public sealed record AssessmentCodeRoute(string ClinicId, string SessionId);

/// <summary>The reads of ratings and PHQ-9 links, and the named write that issues a code.</summary>
public sealed partial class ClinicData
{
    /// <summary>A patient's ratings, oldest first (one prefix range).</summary>
    public async Task<IReadOnlyList<Assessment>> AssessmentsAsync(string clinicId, string patientId, CancellationToken ct) =>
        Values(await Store.QueryPrefixAsync<Assessment>(clinicId, Keys.AssessmentPrefix(patientId), ct));

    /// <summary>Every rating of the clinic, by patient and then time (one prefix range).</summary>
    public async Task<IReadOnlyList<Assessment>> AllAssessmentsAsync(string clinicId, CancellationToken ct) =>
        Values(await Store.QueryPrefixAsync<Assessment>(clinicId, Keys.AssessmentsPrefix, ct));

    public Task<Stored<AssessmentLink>?> AssessmentLinkAsync(string clinicId, string sessionId, CancellationToken ct) =>
        Store.GetAsync<AssessmentLink>(clinicId, Keys.AssessmentLink(sessionId), ct);

    /// <summary>The clinic and visit a code's hash was issued for, or null.</summary>
    public async Task<AssessmentCodeRoute?> AssessmentCodeAsync(string hash, CancellationToken ct) =>
        (await Store.GetAsync<AssessmentCodeRoute>(Keys.Directory, Keys.AssessmentCode(hash), ct))?.Value;

    /// <summary>
    /// Issues a code for a visit's link, before the text that carries it is claimed: the directory row of its hash first,
    /// then the hash on the visit's link row (under its ETag). A code whose text then does not go opens nothing anybody
    /// holds; it expires with the visit. Returns false when the link was answered meanwhile.
    /// </summary>
    public async Task<bool> IssueAssessmentCodeAsync(string clinicId, string patientId, string sessionId, Instant expiresAt, IssuedCode code, CancellationToken ct)
    {
        await Store.CommitAsync(Keys.Directory, [new Change.Insert(Keys.AssessmentCode(code.Hash), new AssessmentCodeRoute(clinicId, sessionId))], ct);
        return await Concurrency.RetryAsync(async () =>
        {
            var link = await AssessmentLinkAsync(clinicId, sessionId, ct);
            if (link?.Value.AnsweredAt is not null)
            {
                return false;
            }
            var issued = (link?.Value ?? new AssessmentLink { PatientId = patientId, SessionId = sessionId, ExpiresAt = expiresAt }).Issued(code) with { ExpiresAt = expiresAt };
            await Store.CommitAsync(clinicId, [link is null
                ? new Change.Insert(Keys.AssessmentLink(sessionId), issued)
                : new Change.Replace(link.Key, issued, link.ETag)], ct);
            return true;
        }, () => false);
    }
}
