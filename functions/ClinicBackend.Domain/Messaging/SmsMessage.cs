using NodaTime;

namespace ClinicBackend.Domain.Messaging;

public static class SmsKinds
{
    /// <summary>The day-before reminder, which also asks the patient to confirm their ride home.</summary>
    public const string DayBefore = "day-before";
    /// <summary>After a missed session: one text inviting the patient to reschedule.</summary>
    public const string Missed = "missed";
    /// <summary>A patient's own text to the clinic.</summary>
    public const string Inbound = "inbound";
    /// <summary>A page to an on-call contact for an urgent flag: no patient data, not held by quiet hours or the limits.</summary>
    public const string Page = "page";
    /// <summary>A freed chair offered to a patient on the waitlist: keeps quiet hours, not counted against the limits (two a day at most).</summary>
    public const string Offer = "offer";
    /// <summary>An answer to the patient's own text that the history keeps (an offer of starts, a confirmation of a move).</summary>
    public const string Reply = "reply";
    /// <summary>A PHQ-9 link of its own before a visit (when the day-before reminder cannot carry it in one segment).</summary>
    public const string Assessment = "assessment";

    /// <summary>Automated texts to patients count against the healthcare exemption's 1 a day and 3 a week.</summary>
    public static bool CountsAgainstLimits(string kind) => kind is DayBefore or Missed or Assessment;

    /// <summary>Automated texts to patients wait out quiet hours; a page is for staff who are on call.</summary>
    public static bool KeepsQuietHours(string kind) => kind is DayBefore or Missed or Offer or Assessment;
}

/// <summary>Where a text stands. Outbound texts move forward only (Twilio's callbacks arrive in any order).</summary>
public static class SmsStatus
{
    public const string Planned = "planned";
    public const string Sending = "sending";
    /// <summary>The call to Twilio ended without an answer (timeout, reset, 5xx): Twilio is asked before any resend.</summary>
    public const string Unsettled = "unsettled";
    public const string Simulated = "simulated";
    public const string Skipped = "skipped";
    public const string Failed = "failed";
    public const string Received = "received";
    /// <summary>An answer given in the reply to the patient's own text (TwiML), kept in the history.</summary>
    public const string Replied = "replied";

    // Twilio's own statuses (Twilio's "sending" and "failed" are the two above)
    public const string Accepted = "accepted";
    public const string Scheduled = "scheduled";
    public const string Queued = "queued";
    public const string Sent = "sent";
    public const string Delivered = "delivered";
    public const string Undelivered = "undelivered";
    public const string Read = "read";
    public const string Canceled = "canceled";

    /// <summary>How far along a status is; a callback never moves a text back.</summary>
    public static int Rank(string status) => status switch
    {
        Planned => 0,
        Sending or Unsettled => 1, // also Twilio's "sending"
        Accepted or Scheduled or Queued => 2,
        Sent => 3,
        Delivered or Undelivered or Failed or Canceled or Simulated or Skipped or Replied => 4,
        Read => 5,
        _ => -1,
    };

    public static bool IsKnownTwilioStatus(string status) =>
        status is Accepted or Scheduled or Queued or Sending or Sent or Delivered or Undelivered or Failed or Read or Canceled;

    /// <summary>Handed over to Twilio (or simulated): the dispatcher is done with it.</summary>
    public static bool IsHandedOver(string status) => Rank(status) >= 2 && status is not (Skipped or Failed);

    /// <summary>Nothing more will be sent for it: handed over, skipped or failed.</summary>
    public static bool IsFinal(string status) => Rank(status) >= 2;
}

/// <summary>
/// One text in a patient's history. Outbound rows are the reminder ledger: their id derives from
/// (session, schedule version, kind), so planning twice finds the row and sends nothing twice.
/// </summary>
public sealed record SmsMessage
{
    public required string Id { get; init; }
    public required string PatientId { get; init; }
    public required string Direction { get; init; } // outbound | inbound
    public required string Kind { get; init; }
    public string? SessionId { get; init; }
    /// <summary>A page: the urgent flag it is for.</summary>
    public string? FlagId { get; init; }
    /// <summary>An offer text: the offer it carries.</summary>
    public string? OfferId { get; init; }
    /// <summary>The session's schedule version the text was planned for.</summary>
    public int? SessionVersion { get; init; }
    /// <summary>Outbound: the numbers it was sent from and to (written when it is claimed for sending).</summary>
    public string? From { get; init; }
    public string? To { get; init; }
    /// <summary>The text; for a planned reminder it is written when it is sent (in the patient's language, for the session as it then is).</summary>
    public string? Body { get; init; }
    public int Segments { get; init; }
    public required string Status { get; init; }
    public string? Reason { get; init; }
    /// <summary>Outbound: when it may go. Inbound: when it arrived.</summary>
    public required Instant At { get; init; }
    public Instant? SentAt { get; init; }
    public Instant? ClaimedAt { get; init; }
    /// <summary>The clinic-local day whose automated text this one holds (from its claim until it is released or sent).</summary>
    public LocalDate? QuotaDate { get; init; }
    public int Attempts { get; init; }
    public string? TwilioSid { get; init; }
    /// <summary>After this the text is never sent: its moment has passed (a reminder after its session, a late "we missed you").</summary>
    public Instant? ExpiresAt { get; init; }
    /// <summary>When the latest outbox message for this row falls due; the reconciler re-enqueues a row whose message did not come.</summary>
    public Instant? WakeAt { get; init; }
    /// <summary>The generation of that outbox message (its duplicate-detection id includes it).</summary>
    public int Generation { get; init; }
    /// <summary>The due time its pending-text index row is keyed by; cleared when the commit that records its send deletes that row (the reconciler deletes the rows of texts that ended otherwise).</summary>
    public Instant? PendingAt { get; init; }
    public string? ErrorCode { get; init; }
    public Instant UpdatedAt { get; init; }

    /// <summary>The text that carries a waitlist offer.</summary>
    public static string OfferTextId(string offerId) => $"w-{offerId}";

    public static string ReminderId(string sessionId, int version, string kind) => $"r-{sessionId}-v{version}-{kind}";

    public static string InboundId(string messageSid) => $"in-{messageSid}";
}

/// <summary>
/// A patient's automated texts of the last week, one row for the patient: which text used which local day. A claim
/// replaces the row under its ETag, so two texts claiming at once cannot both take a day or the week.
/// </summary>
public sealed record SmsQuota(IReadOnlyList<SmsQuotaDay> Days)
{
    public static readonly SmsQuota None = new([]);

    /// <summary>The days used from <paramref name="since"/> on by texts other than <paramref name="besides"/> (a text's own claim never holds it back).</summary>
    public IReadOnlyList<LocalDate> DaysUsedSince(LocalDate since, string? besides = null) =>
        Days.Where(d => d.Date >= since && d.MessageId != besides).Select(d => d.Date).ToList();

    /// <summary>With <paramref name="date"/> used by the text; days older than a week before it are dropped.</summary>
    public SmsQuota Use(string messageId, Instant at, LocalDate date) =>
        new([.. Days.Where(d => d.Date >= date.PlusDays(-7) && d.MessageId != messageId), new SmsQuotaDay(messageId, at, date)]);

    public bool Holds(string messageId) => Days.Any(d => d.MessageId == messageId);

    /// <summary>Without the text's day: the send did not use it after all.</summary>
    public SmsQuota Release(string messageId) => new(Days.Where(d => d.MessageId != messageId).ToList());
}

/// <summary>The local day on which a text used the patient's automated text.</summary>
public sealed record SmsQuotaDay(string MessageId, Instant At, LocalDate Date);
