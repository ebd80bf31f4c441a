using NodaTime;

namespace ClinicBackend.Domain.Messaging;

/// <summary>What the outbox carries: a pointer to the ledger row, which stays the truth.</summary>
/// <param name="Generation">Which wake-up of the text this is; each gets its own duplicate-detection id.</param>
/// <param name="DueAt">When the text first fell due: a run sends older texts first.</param>
public sealed record OutboxMessage(string ClinicId, string PatientId, string MessageId, int Generation = 0, Instant? DueAt = null)
{
    /// <summary>
    /// The broker's duplicate-detection id: the ledger key, plus the generation, so a re-scheduled copy is
    /// not mistaken for a duplicate of the message it replaces.
    /// </summary>
    public string DeduplicationId => Generation == 0 ? $"{ClinicId}.{MessageId}" : $"{ClinicId}.{MessageId}.{Generation}";

    public TextRef Text => new(ClinicId, PatientId, MessageId);
}

/// <summary>The SMS outbox: Service Bus in Azure, an Azure Storage queue locally. Messages become visible at their send time.</summary>
public interface ISmsOutbox
{
    Task EnqueueAsync(OutboxMessage message, Instant sendAt, CancellationToken ct);

    /// <summary>Up to <paramref name="max"/> due messages, each leased until completed, retried or dead-lettered.</summary>
    Task<IReadOnlyList<IOutboxDelivery>> ReceiveAsync(int max, CancellationToken ct);

    /// <summary>Up to <paramref name="max"/> dead-lettered messages (the broker gave up on them); completing one removes it.</summary>
    Task<IReadOnlyList<IOutboxDelivery>> ReceiveDeadLetteredAsync(int max, CancellationToken ct);
}

public interface IOutboxDelivery
{
    OutboxMessage Message { get; }

    /// <summary>How often this message was received, this time included.</summary>
    int DeliveryCount { get; }

    Task CompleteAsync(CancellationToken ct);

    /// <summary>Hands the message back under <paramref name="generation"/> (a new duplicate-detection id) to be received again after <paramref name="delay"/>.</summary>
    Task RetryAsync(int generation, Duration delay, CancellationToken ct);

    Task DeadLetterAsync(string reason, CancellationToken ct);
}

public sealed record SmsRequest(string From, string To, string Body, Uri? StatusCallback);

/// <summary>Names one outbound text of the ledger: the clinic partition, the patient and the message id.</summary>
public sealed record TextRef(string ClinicId, string PatientId, string MessageId);

/// <summary>Where Twilio reports a text's delivery status; null when the app has no public URL.</summary>
public interface IStatusCallbacks
{
    Uri? For(TextRef text);
}

/// <summary>The public address of the questionnaire page a code opens (<c>https://host/api/a/{code}</c>).</summary>
public interface IAssessmentUrls
{
    string For(string code);
}

/// <summary>What became of a send.</summary>
public abstract record SendResult
{
    public sealed record Accepted(string Sid, string Status) : SendResult;

    /// <summary>Recorded but not sent: no Twilio credentials (local runs).</summary>
    public sealed record Simulated : SendResult;

    /// <summary>429: Twilio did not process it; safe to send again, slower.</summary>
    public sealed record Throttled : SendResult;

    /// <summary>
    /// No clear answer after the request may have reached Twilio: a timeout, a dropped connection, a 5xx. Twilio
    /// may have taken the text, so it is looked up in Twilio before any resend.
    /// </summary>
    public sealed record Unsettled(string Code) : SendResult;

    /// <summary>401 / 20003: Twilio refused the credentials. No text can go until the token is fixed; nothing is the text's fault.</summary>
    public sealed record Unauthorized : SendResult;

    /// <summary>Never worth retrying: the recipient opted out (21610), the number is invalid (21211) or not mobile (21614), ...</summary>
    public sealed record Permanent(string Code, string Detail) : SendResult;
}

/// <summary>What a text that may have been sent is looked up by: only this text has this body to this number from about then on.</summary>
public sealed record SentTextQuery(string From, string To, string Body, Instant NotBefore);

/// <summary>What Twilio's message list says about a text that may have been sent.</summary>
public abstract record LookupResult
{
    public sealed record Found(string Sid, string Status) : LookupResult;

    public sealed record NotFound : LookupResult;

    /// <summary>Twilio could not be asked (down, throttled, credentials): ask again later, send nothing.</summary>
    public sealed record Unknown(string Why) : LookupResult;
}

public interface ISmsGateway
{
    Task<SendResult> SendAsync(SmsRequest request, CancellationToken ct);

    /// <summary>Looks a text up in Twilio's message list (newest first, to the number, from the clinic's number).</summary>
    Task<LookupResult> FindAsync(SentTextQuery query, CancellationToken ct);
}

public static class TwilioErrors
{
    public const string OptedOut = "21610";
    public const string InvalidTo = "21211";
    public const string NotMobile = "21614";
}
