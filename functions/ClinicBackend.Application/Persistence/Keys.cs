using ClinicBackend.Domain.Time;
using NodaTime;

namespace ClinicBackend.Application.Persistence;

/// <summary>
/// Every row key, in one place. A clinic's data lives in the partition named by its id, so a change and
/// its index rows, claims, audit record and event commit together. Keys only ever hold validated ids,
/// E.164 numbers, dates and digits: never free text.
/// </summary>
public static class Keys
{
    /// <summary>The partition holding the clinic directory and the SMS-number routing (not a clinic id).</summary>
    public const string Directory = "_directory";

    // Directory partition
    public static string DirectoryClinic(string clinicId) => $"clinic|{clinicId}";
    public const string DirectoryClinicPrefix = "clinic|";
    public static string SmsRoute(string smsFrom) => $"{SmsRoutePrefix}{smsFrom}";
    public const string SmsRoutePrefix = "from|";
    /// <summary>The clinic whose inbound texts came through a Messaging Service: no other clinic may claim it.</summary>
    public static string ServiceTraffic(string messagingServiceSid) => $"{ServiceTrafficPrefix}{messagingServiceSid}";
    public const string ServiceTrafficPrefix = "traffic|";

    // Clinic partition
    public const string Clinic = "clinic";
    public static string Member(string oid) => $"member|{oid}";
    public const string MemberPrefix = "member|";
    /// <summary>The clinic's admins in one row: the last-admin rule is decided by its ETag.</summary>
    public const string AdminRoster = "admins";
    public static string Patient(string patientId) => $"patient|{patientId}";
    public const string PatientPrefix = "patient|";
    public static string PatientPhone(string e164) => $"tel|{e164}";
    /// <summary>A patient under a hash of their external (EHR) id: the id is free text, so the key holds only its hash.</summary>
    public static string PatientExternalId(string externalId, string patientId) => $"{PatientExternalIdPrefix(externalId)}{patientId}";
    public static string PatientExternalIdPrefix(string externalId) =>
        $"extid|{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(externalId)))[..32]}|";
    /// <summary>Written once every patient registered before the external-id index has its row.</summary>
    public const string PatientExternalIdsIndexed = "extidindexed";

    public static string Session(string sessionId) => $"session|{sessionId}";
    /// <summary>The day index: one copy of each session under its clinic-local date and start.</summary>
    public static string DaySession(LocalDateTime start, string sessionId) =>
        $"day|{ClinicTime.FormatDate(start.Date)}|{start.Hour:D2}{start.Minute:D2}|{sessionId}";
    public static string DayFrom(LocalDate date) => $"day|{ClinicTime.FormatDate(date)}|";
    public static string DayTo(LocalDate dateExclusive) => $"day|{ClinicTime.FormatDate(dateExclusive)}|";
    /// <summary>The patient index: one copy of each session under its patient.</summary>
    public static string PatientSession(string patientId, LocalDateTime start, string sessionId) =>
        $"psession|{patientId}|{ClinicTime.FormatDate(start.Date)}T{start.Hour:D2}{start.Minute:D2}|{sessionId}";
    public static string PatientSessionPrefix(string patientId) => $"psession|{patientId}|";
    public static string PatientSessionFrom(string patientId, LocalDate date) =>
        $"psession|{patientId}|{ClinicTime.FormatDate(date)}";

    /// <summary>Chair claim k at one 5-minute UTC tick: at most one row per (tick, k), so at most chairs per tick.</summary>
    public static string ChairClaim(Instant tick, int k) => $"{ChairTickPrefix(tick)}{k:D2}";
    public static string ChairTickPrefix(Instant tick) => $"chair|{TickText(tick)}|";
    public static string ChairFrom(Instant from) => $"chair|{TickText(from)}|";
    public static string ChairTo(Instant toExclusive) => $"chair|{TickText(toExclusive)}|";
    /// <summary>Claim rows still to delete after a change that freed them (finished right after, or by the sweep).</summary>
    public static string ClaimRelease(string ownerId, string id) => $"{ClaimReleasePrefix}{ownerId}|{id}";
    public const string ClaimReleasePrefix = "release|";
    /// <summary>A patient's claim on a clinic-local day: at most one live session a day.</summary>
    public static string PatientDayClaim(string patientId, LocalDate date) => $"pday|{patientId}|{ClinicTime.FormatDate(date)}";

    public static string Flag(string flagId) => $"flag|{flagId}";
    public static string FlagIndex(string status, Instant createdAt, string flagId) =>
        $"flagix|{status}|{ReverseTicks(createdAt)}|{flagId}";
    public static string FlagIndexPrefix(string status) => $"flagix|{status}|";

    /// <summary>An urgent flag's next escalation step is due at this time.</summary>
    public static string EscalationWatch(Instant due, string flagId) => $"{EscalationWatchPrefix}{TickText(due)}|{flagId}";
    public const string EscalationWatchPrefix = "escalate|";
    public static string EscalationWatchTo(Instant dueInclusive) => $"{EscalationWatchPrefix}{TickText(dueInclusive)}}}";
    /// <summary>An open page's short code (ACK 4821).</summary>
    public static string PageCode(string code) => $"pagecode|{code}";
    /// <summary>A flag paged to this on-call contact and still open.</summary>
    public static string ContactPage(string phone, string flagId) => $"{ContactPagePrefix(phone)}{flagId}";
    public static string ContactPagePrefix(string phone) => $"contactpage|{phone}|";
    /// <summary>An on-call contact who texted STOP.</summary>
    public static string ContactOptOut(string phone) => $"{ContactOptOutPrefix}{phone}";
    public const string ContactOptOutPrefix = "contactoptout|";

    /// <summary>An offer of starts made to a patient by text.</summary>
    public static string Offer(string offerId) => $"offer|{offerId}";
    /// <summary>The latest offer sent to a patient: it decides what a reply digit means.</summary>
    public static string PatientOffer(string patientId) => $"patientoffer|{patientId}";
    /// <summary>An open offer closes at this time (ExpireOffers reads the due ones).</summary>
    public static string OfferExpiry(Instant at, string offerId) => $"{OfferExpiryPrefix}{TickText(at)}|{offerId}";
    public const string OfferExpiryPrefix = "offerexp|";
    public static string OfferExpiryTo(Instant atInclusive) => $"{OfferExpiryPrefix}{TickText(atInclusive)}}}";
    /// <summary>One of at most two waitlist offers a patient gets on a day of their own zone.</summary>
    public static string OfferDay(string patientId, LocalDate day, int n) => $"offerday|{patientId}|{ClinicTime.FormatDate(day)}|{n}";
    public static string OfferDayPrefix(string patientId, LocalDate day) => $"offerday|{patientId}|{ClinicTime.FormatDate(day)}|";
    /// <summary>A future chair-time that a cancellation or a move freed, to offer to the waitlist.</summary>
    public static string FreedSlot(Instant start, string sessionId) => $"{FreedSlotPrefix}{TickText(start)}|{sessionId}";
    public const string FreedSlotPrefix = "freedslot|";
    /// <summary>A waitlist entry, and its status index (oldest first).</summary>
    public static string WaitlistEntry(string entryId) => $"waitlist|{entryId}";
    public static string WaitlistIndex(string status, Instant createdAt, string entryId) => $"{WaitlistIndexPrefix(status)}{createdAt.ToUnixTimeTicks():D20}|{entryId}";
    public static string WaitlistIndexPrefix(string status) => $"waitix|{status}|";

    /// <summary>A course booking in progress (or finished), its holds, and when the scheduled run finishes it.</summary>
    public static string CourseBooking(string courseId) => $"course|{courseId}";
    public static string CourseHold(string courseId, string sessionId) => $"{CourseHoldPrefix(courseId)}{sessionId}";
    public static string CourseHoldPrefix(string courseId) => $"coursehold|{courseId}|";
    public static string CourseExpiry(Instant at, string courseId) => $"{CourseExpiryPrefix}{TickText(at)}|{courseId}";
    public const string CourseExpiryPrefix = "courseexp|";
    public static string CourseExpiryTo(Instant atInclusive) => $"{CourseExpiryPrefix}{TickText(atInclusive)}}}";

    /// <summary>A patient's SMS history: outbound ledger rows and inbound messages.</summary>
    public static string Message(string patientId, string messageId) => $"msg|{patientId}|{messageId}";
    public static string MessagePrefix(string patientId) => $"msg|{patientId}|";
    /// <summary>Every patient's history (and the on-call pages) in one key range.</summary>
    public const string MessagesPrefix = "msg|";
    /// <summary>
    /// An outbound text not yet known to be final, under the time it first fell due: the reconciler reads the
    /// ones overdue and re-enqueues any whose outbox message was lost.
    /// </summary>
    public static string PendingText(Instant due, string patientId, string messageId) => $"{PendingTextPrefix}{TickText(due)}|{patientId}|{messageId}";
    public const string PendingTextPrefix = "pending|";
    public static string PendingTextTo(Instant dueInclusive) => $"{PendingTextPrefix}{TickText(dueInclusive)}}}";

    /// <summary>An inbound MessageSid already handled (idempotency for Twilio retries).</summary>
    public static string Inbound(string messageSid) => $"inbound|{messageSid}";
    /// <summary>The open crisis flag of a sender who is no patient, by a hash of the number (repeats join it).</summary>
    public static string CrisisSender(string e164) => $"crisisfrom|{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(e164)))[..16]}";
    /// <summary>How many pages unknown senders' crisis texts started in a UTC hour.</summary>
    public static string UnknownSenderPages(Instant hour) => $"unknownpages|{hour.InUtc().ToString("yyyyMMddHH", System.Globalization.CultureInfo.InvariantCulture)}";
    /// <summary>The days of the last week on which a patient had an automated text.</summary>
    public static string SmsQuota(string patientId) => $"quota|{patientId}";
    /// <summary>The rows of the layout before 2026-11-27, one a day: <c>quota|{patientId}|{date}</c>.</summary>
    public static string PerDaySmsQuota(string patientId, LocalDate date) => $"quota|{patientId}|{ClinicTime.FormatDate(date)}";
    public static string PerDaySmsQuotaEnd(string patientId) => PrefixEnd($"quota|{patientId}|");

    /// <summary>Newest first.</summary>
    public static string Audit(Instant at, string id) => $"audit|{ReverseTicks(at)}|{id}";
    public const string AuditPrefix = "audit|";

    /// <summary>Clinic events waiting to be published.</summary>
    public static string PendingEvent(string eventId) => $"event|{eventId}";
    public const string PendingEventPrefix = "event|";

    /// <summary>Cadence watch: from its due date on, the sweep checks whether the patient's treatment lapsed.</summary>
    public static string CadenceWatch(LocalDate due, string patientId) => $"cadence|{ClinicTime.FormatDate(due)}|{patientId}";
    public const string CadenceWatchPrefix = "cadence|";
    public static string CadenceWatchTo(LocalDate dueInclusive) => $"cadence|{ClinicTime.FormatDate(dueInclusive)}}}";
    /// <summary>Points at a patient's current cadence watch row.</summary>
    public static string CadencePointer(string patientId) => $"cadenceptr|{patientId}";

    /// <summary>
    /// Induction watch of a course that goes on after week 4: from the day its induction is over without pauses, the sweep
    /// raises the induction review unless a session already did.
    /// </summary>
    public static string InductionWatch(LocalDate due, string patientId) => $"{InductionWatchPrefix}{ClinicTime.FormatDate(due)}|{patientId}";
    public const string InductionWatchPrefix = "inductionend|";
    public static string InductionWatchTo(LocalDate dueInclusive) => $"{InductionWatchPrefix}{ClinicTime.FormatDate(dueInclusive)}}}";

    /// <summary>REMS form watch: from its due instant on, the sweep flags a monitoring form still not filed.</summary>
    public static string RemsWatch(Instant due, string sessionId) => $"remsdue|{TickText(due)}|{sessionId}";
    public const string RemsWatchPrefix = "remsdue|";
    public static string RemsWatchTo(Instant dueInclusive) => $"remsdue|{TickText(dueInclusive)}}}";

    /// <summary>A patient not REMS-enrolled who was booked: the sweep flags their sessions 2 days ahead until they are enrolled.</summary>
    public static string EnrolmentWatch(string patientId) => $"{EnrolmentWatchPrefix}{patientId}";
    public const string EnrolmentWatchPrefix = "remsenrol|";

    /// <summary>A lot of the drug on hand (lot numbers are upper-case letters, digits and '-').</summary>
    public static string Lot(string number) => $"{LotPrefix}{number}";
    public const string LotPrefix = "lot|";
    /// <summary>A lot's controlled-substance log, line by line: a second write of the same line is an insert conflict.</summary>
    public static string LotLog(string number, int seq) => $"{LotLogPrefix(number)}{seq:D7}";
    public static string LotLogPrefix(string number) => $"lotlog|{number}|";
    /// <summary>A patient's rating (PHQ-9 or MADRS) under when it was taken: the patient's ratings oldest first in one prefix range.</summary>
    public static string Assessment(string patientId, Instant at, string assessmentId) => $"{AssessmentPrefix(patientId)}{at.ToUnixTimeTicks():D20}|{assessmentId}";
    public static string AssessmentPrefix(string patientId) => $"{AssessmentsPrefix}{patientId}|";
    /// <summary>Every patient's ratings (the report's assessments block).</summary>
    public const string AssessmentsPrefix = "assessment|";
    /// <summary>A visit's PHQ-9 link: the hashes of its codes, its expiry, whether it was answered.</summary>
    public static string AssessmentLink(string sessionId) => $"alink|{sessionId}";
    /// <summary>Directory: the clinic and visit of a link's code, under the code's SHA-256 (the code itself is never stored).</summary>
    public static string AssessmentCode(string hash) => $"acode|{hash}";

    /// <summary>Since when the stock has been too low for the next week (the stock-low flag's cause).</summary>
    public const string InventoryState = "inventory";

    /// <summary>A patient's coverage: payer, member id, route, authorizations and pharmacy shipments (PHI; never in a key but the id).</summary>
    public static string Coverage(string patientId) => $"coverage|{patientId}";
    public const string CoveragePrefix = "coverage|";
    /// <summary>The clinic-local day the sweep last looked for authorizations to renew (once a day).</summary>
    public const string RenewalCheck = "renewalcheck";
    /// <summary>A visit found not ready by the last sweep of the day before it, with the causes (the report's readiness counts).</summary>
    public static string ReportNotReady(LocalDate date, string sessionId) => $"rday|{ClinicTime.FormatDate(date)}|notready|{sessionId}";

    /// <summary>
    /// The report's stored rows of a clinic-local day, side by side so one range query reads a whole range's: its
    /// session figures (past days), the mark that they changed, and its texts.
    /// </summary>
    public static string ReportDayFrom(LocalDate date) => $"rday|{ClinicTime.FormatDate(date)}|";
    public const string ReportDayPrefix = "rday|";
    public static string ReportSessions(LocalDate date) => $"rday|{ClinicTime.FormatDate(date)}|sessions";
    /// <summary>Written with every change to a day's sessions: that day's stored figures must be computed again.</summary>
    public static string ReportDayChanged(LocalDate date) => $"rday|{ClinicTime.FormatDate(date)}|changed";
    public static string ReportTexts(LocalDate date) => $"rday|{ClinicTime.FormatDate(date)}|texts";
    /// <summary>
    /// Chair-time released before the session's start (a cancellation or a move), under the clinic-local day and start
    /// of the place released: written with the change and kept, for the report's freed and refilled chair-time.
    /// Keyed by the session's version after the change, so a session moved away from the same place twice in one instant
    /// keeps both releases.
    /// </summary>
    public static string ChairRelease(LocalDateTime start, string sessionId, int version) =>
        $"{ChairReleaseFrom(start.Date)}{start.Hour:D2}{start.Minute:D2}|{sessionId}|{version:D8}";
    public static string ChairReleaseFrom(LocalDate date) => $"rfreed|{ClinicTime.FormatDate(date)}|";
    /// <summary>Up to when the stored texts of the report are complete (storage's write time of the texts read).</summary>
    public const string ReportTextsMark = "rsmsmark";

    /// <summary>Sweep progress of a clinic.</summary>
    public const string SweepState = "sweep";

    public static string TickText(Instant instant) => instant.ToDateTimeUtc().ToString("yyyyMMddHHmm", System.Globalization.CultureInfo.InvariantCulture);

    public static string ReverseTicks(Instant at) => (DateTime.MaxValue.Ticks - at.ToDateTimeUtc().Ticks).ToString("D19", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The smallest key greater than every key starting with <paramref name="prefix"/>.</summary>
    public static string PrefixEnd(string prefix) => prefix[..^1] + (char)(prefix[^1] + 1);
}

public static class ClaimKeys
{
    /// <summary>Reads the tick and chair index back out of a chair-claim key.</summary>
    public static bool TryParseChair(string key, out Instant tick, out int k)
    {
        tick = default;
        k = -1;
        var parts = key.Split('|');
        if (parts.Length != 3 || parts[0] != "chair" ||
            !DateTime.TryParseExact(parts[1], "yyyyMMddHHmm", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var utc) ||
            !int.TryParse(parts[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out k))
        {
            return false;
        }
        tick = Instant.FromDateTimeUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc));
        return true;
    }
}
