using System.Text.Json;
using ClinicBackend.Domain.Audit;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Offers;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Reports;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Waitlist;
using NodaTime;

namespace ClinicBackend.Application.Persistence;

/// <summary>The reads of the clinic partition's other rows, and the writes that are not a unit of work.</summary>
public sealed partial class ClinicData
{
    // Patients, members, audit, flags

    /// <summary>Every patient of the clinic (one prefix range).</summary>
    public async Task<IReadOnlyList<Patient>> PatientsAsync(string clinicId, CancellationToken ct) =>
        Values(await Store.QueryPrefixAsync<Patient>(clinicId, Keys.PatientPrefix, ct));

    public Task<Stored<AdminRoster>?> AdminRosterAsync(string clinicId, CancellationToken ct) =>
        Store.GetAsync<AdminRoster>(clinicId, Keys.AdminRoster, ct);

    /// <summary>The newest <paramref name="take"/> audit records.</summary>
    public async Task<IReadOnlyList<AuditEntry>> AuditAsync(string clinicId, int take, CancellationToken ct) =>
        Values(await Store.QueryPrefixAsync<AuditEntry>(clinicId, Keys.AuditPrefix, ct, take));

    /// <summary>Flags of a status, newest first, from <paramref name="fromKey"/> on (the start of the status when null).</summary>
    public Task<IReadOnlyList<Stored<Flag>>> FlagIndexAsync(string clinicId, string status, string? fromKey, int take, CancellationToken ct)
    {
        var prefix = Keys.FlagIndexPrefix(status);
        return Store.QueryRangeAsync<Flag>(clinicId, fromKey ?? prefix, Keys.PrefixEnd(prefix), ct, take);
    }

    public async Task<IReadOnlyList<Flag>> OpenFlagsAsync(string clinicId, CancellationToken ct) =>
        Values(await Store.QueryPrefixAsync<Flag>(clinicId, Keys.FlagIndexPrefix(Names.Kebab(FlagStatus.Open)), ct));

    // Escalation

    /// <summary>The watches of flags whose next escalation step is due at <paramref name="now"/>.</summary>
    public Task<IReadOnlyList<Stored<EscalationWatch>>> EscalationsDueAsync(string clinicId, Instant now, CancellationToken ct) =>
        Store.QueryRangeAsync<EscalationWatch>(clinicId, Keys.EscalationWatchPrefix, Keys.EscalationWatchTo(now), ct);

    public Task<Stored<PageCode>?> PageCodeAsync(string clinicId, string code, CancellationToken ct) =>
        Store.GetAsync<PageCode>(clinicId, Keys.PageCode(code), ct);

    /// <summary>The open pages of one on-call contact.</summary>
    public Task<IReadOnlyList<Stored<ContactPage>>> ContactPagesAsync(string clinicId, string phone, CancellationToken ct) =>
        Store.QueryPrefixAsync<ContactPage>(clinicId, Keys.ContactPagePrefix(phone), ct);

    /// <summary>The phones of the contacts who texted STOP to the clinic's number.</summary>
    public async Task<IReadOnlySet<string>> OptedOutContactsAsync(string clinicId, CancellationToken ct) =>
        (await Store.QueryPrefixAsync<ContactOptOut>(clinicId, Keys.ContactOptOutPrefix, ct))
            .Select(r => r.Key[Keys.ContactOptOutPrefix.Length..]).ToHashSet(StringComparer.Ordinal);

    public async Task<bool> ContactOptedOutAsync(string clinicId, string phone, CancellationToken ct) =>
        await Store.GetAsync<ContactOptOut>(clinicId, Keys.ContactOptOut(phone), ct) is not null;

    // Texts

    public Task<Stored<CrisisSender>?> CrisisSenderAsync(string clinicId, string e164, CancellationToken ct) =>
        Store.GetAsync<CrisisSender>(clinicId, Keys.CrisisSender(e164), ct);

    public Task<Stored<UnknownSenderPages>?> UnknownSenderPagesAsync(string clinicId, Instant now, CancellationToken ct) =>
        Store.GetAsync<UnknownSenderPages>(clinicId, Keys.UnknownSenderPages(now), ct);

    public Task<Stored<InboundRecord>?> InboundAsync(string clinicId, string messageSid, CancellationToken ct) =>
        Store.GetAsync<InboundRecord>(clinicId, Keys.Inbound(messageSid), ct);

    public Task<Stored<SmsMessage>?> MessageAsync(string clinicId, string patientId, string messageId, CancellationToken ct) =>
        Store.GetAsync<SmsMessage>(clinicId, Keys.Message(patientId, messageId), ct);

    /// <summary>A patient's texts, both directions, in key order.</summary>
    public async Task<IReadOnlyList<SmsMessage>> MessagesAsync(string clinicId, string patientId, CancellationToken ct) =>
        Values(await Store.QueryPrefixAsync<SmsMessage>(clinicId, Keys.MessagePrefix(patientId), ct));

    /// <summary>Texts not final yet that were due before <paramref name="dueBefore"/>.</summary>
    public Task<IReadOnlyList<Stored<PendingText>>> PendingTextsAsync(string clinicId, Instant dueBefore, CancellationToken ct) =>
        Store.QueryRangeAsync<PendingText>(clinicId, Keys.PendingTextPrefix, Keys.PendingTextTo(dueBefore), ct);

    /// <summary>Deletes a pending-text row as read; false when it changed or went meanwhile.</summary>
    public Task<bool> DropPendingTextAsync(string clinicId, Stored<PendingText> pending, CancellationToken ct) =>
        TryWriteAsync(clinicId, [new Change.Delete(pending.Key, pending.ETag)], ct);

    // Offers and the waitlist

    public Task<Stored<Offer>?> OfferAsync(string clinicId, string offerId, CancellationToken ct) =>
        Store.GetAsync<Offer>(clinicId, Keys.Offer(offerId), ct);

    /// <summary>The patient's latest offer (whatever its status) and the pointer to it, read with their ETags.</summary>
    public async Task<(Stored<Offer>? Offer, Stored<OfferPointer>? Pointer)> LatestOfferAsync(string clinicId, string patientId, CancellationToken ct)
    {
        var pointer = await Store.GetAsync<OfferPointer>(clinicId, Keys.PatientOffer(patientId), ct);
        var offer = pointer is null ? null : await OfferAsync(clinicId, pointer.Value.OfferId, ct);
        return (offer, pointer);
    }

    /// <summary>Pointers to the open offers whose time is up at <paramref name="now"/>.</summary>
    public Task<IReadOnlyList<Stored<OfferPointer>>> OffersDueAsync(string clinicId, Instant now, CancellationToken ct) =>
        Store.QueryRangeAsync<OfferPointer>(clinicId, Keys.OfferExpiryPrefix, Keys.OfferExpiryTo(now), ct);

    /// <summary>How many waitlist offers the patient had on a day of their zone.</summary>
    public async Task<int> OffersOnDayAsync(string clinicId, string patientId, LocalDate day, CancellationToken ct) =>
        (await Store.QueryPrefixAsync<OfferPointer>(clinicId, Keys.OfferDayPrefix(patientId, day), ct)).Count;

    /// <summary>Every freed chair-time not offered to the end yet.</summary>
    public Task<IReadOnlyList<Stored<FreedSlot>>> FreedSlotsAsync(string clinicId, CancellationToken ct) =>
        Store.QueryPrefixAsync<FreedSlot>(clinicId, Keys.FreedSlotPrefix, ct);

    public Task<Stored<FreedSlot>?> FreedSlotAsync(string clinicId, string slotKey, CancellationToken ct) =>
        Store.GetAsync<FreedSlot>(clinicId, slotKey, ct);

    public Task<Stored<WaitlistEntry>?> WaitlistEntryAsync(string clinicId, string entryId, CancellationToken ct) =>
        Store.GetAsync<WaitlistEntry>(clinicId, Keys.WaitlistEntry(entryId), ct);

    /// <summary>Index copies of the entries of a status, oldest first: read the entry before changing one.</summary>
    /// <summary>Entries of a status, oldest first: all of them, or the oldest <paramref name="take"/>.</summary>
    public async Task<IReadOnlyList<WaitlistEntry>> WaitlistAsync(string clinicId, string status, CancellationToken ct, int? take = null) =>
        Values(await Store.QueryPrefixAsync<WaitlistEntry>(clinicId, Keys.WaitlistIndexPrefix(status), ct, take));

    // Course bookings

    public Task<Stored<CourseBooking>?> CourseBookingAsync(string clinicId, string courseId, CancellationToken ct) =>
        Store.GetAsync<CourseBooking>(clinicId, Keys.CourseBooking(courseId), ct);

    public Task<IReadOnlyList<Stored<CourseHold>>> CourseHoldsAsync(string clinicId, string courseId, CancellationToken ct) =>
        Store.QueryPrefixAsync<CourseHold>(clinicId, Keys.CourseHoldPrefix(courseId), ct);

    /// <summary>Pointers to the course bookings whose request is overdue at <paramref name="now"/>.</summary>
    public Task<IReadOnlyList<Stored<CourseBookingPointer>>> CourseBookingsDueAsync(string clinicId, Instant now, CancellationToken ct) =>
        Store.QueryRangeAsync<CourseBookingPointer>(clinicId, Keys.CourseExpiryPrefix, Keys.CourseExpiryTo(now), ct);

    // The sweep's watches

    public Task<Stored<SweepState>?> SweepStateAsync(string clinicId, CancellationToken ct) =>
        Store.GetAsync<SweepState>(clinicId, Keys.SweepState, ct);

    /// <summary>Moves the missed-session watermark from the state read (none yet: inserted); a conflict throws.</summary>
    public Task SaveSweepStateAsync(string clinicId, Stored<SweepState>? read, SweepState next, CancellationToken ct) =>
        Store.CommitAsync(clinicId, [read is null ? new Change.Insert(Keys.SweepState, next) : new Change.Replace(Keys.SweepState, next, read.ETag)], ct);

    /// <summary>Cadence watches due on or before <paramref name="day"/>.</summary>
    public Task<IReadOnlyList<Stored<CadenceWatch>>> CadenceWatchesDueAsync(string clinicId, LocalDate day, CancellationToken ct) =>
        Store.QueryRangeAsync<CadenceWatch>(clinicId, Keys.CadenceWatchPrefix, Keys.CadenceWatchTo(day), ct);

    /// <summary>The patient's cadence watch, found through its pointer.</summary>
    public async Task<Stored<CadenceWatch>?> CadenceWatchAsync(string clinicId, string patientId, CancellationToken ct) =>
        await Store.GetAsync<CadencePointer>(clinicId, Keys.CadencePointer(patientId), ct) is { } pointer
            ? await Store.GetAsync<CadenceWatch>(clinicId, pointer.Value.Key, ct)
            : null;

    /// <summary>Deletes a cadence watch as read, and its pointer; false when it changed meanwhile.</summary>
    public Task<bool> EndCadenceWatchAsync(string clinicId, Stored<CadenceWatch> watch, CancellationToken ct) =>
        TryWriteAsync(clinicId, [new Change.Delete(watch.Key, watch.ETag), new Change.Delete(Keys.CadencePointer(watch.Value.PatientId))], ct);

    /// <summary>The induction watch of the patient's course that starts on <paramref name="course"/>'s start date, if there is one.</summary>
    public Task<Stored<InductionWatch>?> InductionWatchAsync(string clinicId, string patientId, TreatmentCourse course, CancellationToken ct) =>
        Store.GetAsync<InductionWatch>(clinicId, Keys.InductionWatch(InductionReview.EarliestEnd(course), patientId), ct);

    /// <summary>Induction watches due on or before <paramref name="day"/>.</summary>
    public Task<IReadOnlyList<Stored<InductionWatch>>> InductionWatchesDueAsync(string clinicId, LocalDate day, CancellationToken ct) =>
        Store.QueryRangeAsync<InductionWatch>(clinicId, Keys.InductionWatchPrefix, Keys.InductionWatchTo(day), ct);

    /// <summary>Monitoring-form watches due at <paramref name="now"/>.</summary>
    public Task<IReadOnlyList<Stored<RemsWatch>>> RemsWatchesDueAsync(string clinicId, Instant now, CancellationToken ct) =>
        Store.QueryRangeAsync<RemsWatch>(clinicId, Keys.RemsWatchPrefix, Keys.RemsWatchTo(now), ct);

    public Task<Stored<RemsWatch>?> RemsWatchAsync(string clinicId, string key, CancellationToken ct) =>
        Store.GetAsync<RemsWatch>(clinicId, key, ct);

    // The report's stored figures

    public Task<Stored<ReportTextsMark>?> ReportTextsMarkAsync(string clinicId, CancellationToken ct) =>
        Store.GetAsync<ReportTextsMark>(clinicId, Keys.ReportTextsMark, ct);

    /// <summary>Every stored report row of the days [from, toExclusive), in key order (one range query).</summary>
    public Task<IReadOnlyList<Stored<JsonElement>>> ReportDayRowsAsync(string clinicId, LocalDate from, LocalDate toExclusive, CancellationToken ct) =>
        Store.QueryRangeAsync<JsonElement>(clinicId, Keys.ReportDayFrom(from), Keys.ReportDayFrom(toExclusive), ct);

    /// <summary>The chair-time released on the clinic-local days [from, toExclusive) (one range query).</summary>
    public async Task<IReadOnlyList<ChairRelease>> ChairReleasesOnDaysAsync(string clinicId, LocalDate from, LocalDate toExclusive, CancellationToken ct) =>
        Values(await Store.QueryRangeAsync<ChairRelease>(clinicId, Keys.ChairReleaseFrom(from), Keys.ChairReleaseFrom(toExclusive), ct));

    public Task<Stored<ReportTexts>?> ReportTextsAsync(string clinicId, LocalDate date, CancellationToken ct) =>
        Store.GetAsync<ReportTexts>(clinicId, Keys.ReportTexts(date), ct);

    /// <summary>The clinic's texts that storage wrote at or after <paramref name="since"/> (all when null), with their write times.</summary>
    public Task<WrittenRows<SmsMessage>> TextsWrittenSinceAsync(string clinicId, DateTimeOffset? since, CancellationToken ct) =>
        Store.QueryWrittenSinceAsync<SmsMessage>(clinicId, Keys.MessagesPrefix, Keys.PrefixEnd(Keys.MessagesPrefix), since, ct);

    /// <summary>
    /// Stores report rows (figures the report derived from other rows, no audit or event); false when another report
    /// or a change came first. Other failures throw.
    /// </summary>
    public Task<bool> TryStoreReportRowsAsync(string clinicId, IReadOnlyList<Change> rows, CancellationToken ct)
    {
        if (rows.Any(r => !r.Key.StartsWith(Keys.ReportDayPrefix, StringComparison.Ordinal) && r.Key != Keys.ReportTextsMark))
        {
            throw new ArgumentException("Only the report's own rows are stored this way.", nameof(rows));
        }
        return TryWriteAsync(clinicId, rows, ct);
    }

    private async Task<bool> TryWriteAsync(string partition, IReadOnlyList<Change> changes, CancellationToken ct)
    {
        try
        {
            await Store.CommitAsync(partition, changes, ct);
            return true;
        }
        catch (CommitConflictException)
        {
            return false;
        }
    }

    private static List<T> Values<T>(IEnumerable<Stored<T>> rows) => rows.Select(r => r.Value).ToList();
}
