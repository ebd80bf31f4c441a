using NodaTime;

namespace ClinicBackend.Domain.Messaging;

/// <summary>What the outbox carries: a pointer to the ledger row, which stays the truth.</summary>
/// <param name="Generation">How often the message was handed back to the outbox (deferred or retried).</param>
public sealed record OutboxMessage(string ClinicId, string PatientId, string MessageId, int Generation = 0)
{
    /// <summary>
    /// The broker's duplicate-detection id: the ledger key, plus the generation, so a re-scheduled copy is
    /// not mistaken for a duplicate of the message it replaces.
    /// </summary>
    public string DeduplicationId => Generation == 0 ? $"{ClinicId}.{MessageId}" : $"{ClinicId}.{MessageId}.{Generation}";

    public OutboxMessage Next() => this with { Generation = Generation + 1 };
}

/// <summary>The SMS outbox: Service Bus in Azure, an Azure Storage queue locally. Messages become visible at their send time.</summary>
public interface ISmsOutbox
{
    Task EnqueueAsync(OutboxMessage message, Instant sendAt, CancellationToken ct);

    /// <summary>Up to <paramref name="max"/> due messages, each leased until completed, retried or dead-lettered.</summary>
    Task<IReadOnlyList<IOutboxDelivery>> ReceiveAsync(int max, CancellationToken ct);
}

public interface IOutboxDelivery
{
    OutboxMessage Message { get; }

    /// <summary>How often this message was received, this time included.</summary>
    int DeliveryCount { get; }

    Task CompleteAsync(CancellationToken ct);

    /// <summary>Hands the message back (as its next generation) to be received again after <paramref name="delay"/>.</summary>
    Task RetryAsync(Duration delay, CancellationToken ct);

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

/// <summary>What became of a send.</summary>
public abstract record SendResult
{
    public sealed record Accepted(string Sid, string Status) : SendResult;

    /// <summary>Recorded but not sent: no Twilio credentials (local runs).</summary>
    public sealed record Simulated : SendResult;

    /// <summary>Worth trying again later: 429, 5xx, a timeout, a dropped connection.</summary>
    public sealed record Transient(string Code) : SendResult;

    /// <summary>Never worth retrying: the recipient opted out (21610), the number is invalid (21211) or not mobile (21614), ...</summary>
    public sealed record Permanent(string Code, string Detail) : SendResult;
}

public interface ISmsGateway
{
    Task<SendResult> SendAsync(SmsRequest request, CancellationToken ct);
}

public static class TwilioErrors
{
    public const string OptedOut = "21610";
    public const string InvalidTo = "21211";
    public const string NotMobile = "21614";
}
