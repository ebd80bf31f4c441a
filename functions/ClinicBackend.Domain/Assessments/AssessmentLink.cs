using System.Security.Cryptography;
using System.Text;
using NodaTime;

namespace ClinicBackend.Domain.Assessments;

/// <summary>Whether the clinic sends PHQ-9 links before visits, and how often a patient answers one.</summary>
public sealed record AssessmentSettings(bool Phq9, int EveryDays)
{
    public const int MinEveryDays = 1;
    public const int MaxEveryDays = 90;

    public static AssessmentSettings Default { get; } = new(false, 7);

    /// <summary>A PHQ-9 is due when the patient's last one is older than <see cref="EveryDays"/> (or there is none).</summary>
    public bool Phq9Due(Instant? lastPhq9, Instant now) => Phq9 && (lastPhq9 is not { } last || now - last > Duration.FromDays(EveryDays));
}

/// <summary>
/// The one-time code in a link: 128 random bits in base64url (22 characters, all GSM-7), kept only as a SHA-256 hash.
/// </summary>
public static class AssessmentCode
{
    public const int Length = 22;

    public static string New() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>What is stored: the code's SHA-256 in lower-case hex.</summary>
    public static string Hash(string code) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(code)));

    /// <summary>Could be a code (anything else is not looked up at all).</summary>
    public static bool IsWellFormed(string? code) => code is { Length: Length } && code.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>A text's body with every link's code masked, as the ledger keeps it (and compares it with Twilio's list).</summary>
    public static string Masked(string body)
    {
        var at = body.IndexOf(PathMarker, StringComparison.Ordinal);
        while (at >= 0 && at + PathMarker.Length + Length <= body.Length && IsWellFormed(body.Substring(at + PathMarker.Length, Length)))
        {
            body = string.Concat(body.AsSpan(0, at + PathMarker.Length), new string('*', Length), body.AsSpan(at + PathMarker.Length + Length));
            at = body.IndexOf(PathMarker, at + PathMarker.Length, StringComparison.Ordinal);
        }
        return body;
    }

    /// <summary>The route of the questionnaire page below the app's public URL.</summary>
    public const string PathMarker = "/api/a/";
}

/// <summary>One code sent for a link, and the text that carried it.</summary>
public sealed record IssuedCode(string Hash, string MessageId, Instant At);

/// <summary>
/// The PHQ-9 link of one visit (<c>alink|{sessionId}</c>): the codes sent for it (a text sent again after an unanswered
/// send carries a new one), until when they work (the visit's start), and whether it was answered. One answer ends
/// every code of the visit.
/// </summary>
public sealed record AssessmentLink
{
    public required string PatientId { get; init; }
    public required string SessionId { get; init; }
    public required Instant ExpiresAt { get; init; }
    public IReadOnlyList<IssuedCode> Codes { get; init; } = [];
    public Instant? AnsweredAt { get; init; }
    public string? AssessmentId { get; init; }

    /// <summary>At most this many codes a visit (a text tried again after unanswered sends).</summary>
    public const int MaxCodes = 10;

    public AssessmentLink Issued(IssuedCode code) => this with { Codes = [.. Codes.TakeLast(MaxCodes - 1), code] };

    /// <summary>The code with this hash opens the questionnaire now.</summary>
    public bool Opens(string hash, Instant now) => AnsweredAt is null && now < ExpiresAt && Codes.Any(c => c.Hash == hash);

    /// <summary>A text other than <paramref name="messageId"/> already carried a code of this visit.</summary>
    public bool SentBy(string messageId) => Codes.Any(c => c.MessageId != messageId);

    public AssessmentLink Answered(string assessmentId, Instant now) => this with { AnsweredAt = now, AssessmentId = assessmentId };
}
