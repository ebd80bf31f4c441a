using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Sessions;
using ClinicBackend.Application.Waitlist;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Offers;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Waitlist;
using NodaTime;

namespace ClinicBackend.Application.Inbound;

/// <summary>What a patient's text did when it was self-service: the reply, how it was handled, and the sessions it changed.</summary>
public sealed record SelfServiceOutcome(string Reply, string Handling, IReadOnlyList<Session> Changed);

/// <summary>
/// Patients move their own visits by text. "2" offers up to three starts (when the clinic allows it and the
/// visit is more than two hours away); while an offer is open, "1"-"3" pick a start and "0" keeps the visit and
/// asks the clinic to call; a waitlist offer's "1" takes the freed chair. A pick is checked again when it
/// arrives and moves the visit exactly as staff would (claims, version, reminders, history, audit, event); a
/// start taken meanwhile gets a fresh offer (or "that time was just taken"). Everything goes into the caller's
/// unit of work, with the text's MessageSid record.
/// </summary>
public sealed class SelfServiceReplies(ClinicData data, BookingService booking, WaitlistOffers waitlist)
{
    /// <summary>Self-service moves only a visit more than this far ahead; nearer ones are for the front desk.</summary>
    public static readonly Duration MinimumNotice = Duration.FromHours(2);

    /// <summary>How a late answer to a closed chair offer is handled.</summary>
    public const string OfferClosed = "offer-closed";

    /// <summary>What a digit answers when the patient's latest offer is open.</summary>
    public enum OpenOfferPrompt
    {
        /// <summary>The offer's text is the last prompt the patient got: the digit answers it.</summary>
        Offer,
        /// <summary>The offer's text has not gone out yet (a waitlist offer waiting for the morning): the digit answers what the patient did get.</summary>
        NotSent,
        /// <summary>A reminder reached the patient after the offer: the digit answers the reminder.</summary>
        LaterReminder,
    }

    /// <summary>
    /// Which prompt a digit answers while <paramref name="offer"/> is open: the latest one the patient received, by
    /// when each was sent (a reschedule offer is the reply itself; a waitlist offer's text may wait for the morning).
    /// </summary>
    public async Task<OpenOfferPrompt> OpenOfferPromptAsync(string clinicId, Offer offer, Session? upcoming, CancellationToken ct)
    {
        var reminderTask = ReminderSentAtAsync(clinicId, offer.PatientId, upcoming, ct);
        if (await OfferSentAtAsync(clinicId, offer, ct) is not { } offered)
        {
            return OpenOfferPrompt.NotSent;
        }
        return await reminderTask > offered ? OpenOfferPrompt.LaterReminder : OpenOfferPrompt.Offer;
    }

    /// <summary>
    /// A later reminder answered instead of the open offer: the offer asks nothing any more, so it closes (a waitlist
    /// chair passes on, an entry waits again; a reschedule offer raises no call request, the patient answered the visit).
    /// </summary>
    public Task SupersedeAsync(ClinicCommit commit, string clinicId, Stored<Offer> offer, CancellationToken ct) =>
        waitlist.CloseAsync(commit, clinicId, offer, OfferStatus.Superseded, ct);

    /// <summary>
    /// The patient opted out of texts: their open offer closes in the same unit of work (a waitlist chair is released
    /// for the next patient); an open reschedule offer becomes a request for the clinic to call, since no text can
    /// answer it now.
    /// </summary>
    public async Task WithdrawAsync(ClinicCommit commit, string clinicId, Stored<Offer>? offer, string messageSid, CancellationToken ct)
    {
        if (offer is null || !offer.Value.IsOpenAt(commit.Now))
        {
            return;
        }
        await waitlist.CloseAsync(commit, clinicId, offer, OfferStatus.Withdrawn, ct);
        if (offer.Value.Kind == OfferKind.Reschedule)
        {
            await FlagWrites.RaiseAsync(data, commit, Flag.For(FlagKinds.RescheduleRequest, messageSid, FlagSeverity.Normal, offer.Value.PatientId, offer.Value.SessionId, commit.Now,
                "The patient asked by text to reschedule, then opted out of texts before picking a time. Call them to find a new time."), ct);
        }
    }

    /// <summary>Offers the clinic's freed chairs that no offer holds (see <see cref="WaitlistOffers.OfferFreedSlotsAsync"/>).</summary>
    public Task<int> OfferFreedChairsAsync(Clinic clinic, CancellationToken ct) => waitlist.OfferFreedSlotsAsync(clinic, ct);

    private async Task<Instant?> OfferSentAtAsync(string clinicId, Offer offer, CancellationToken ct) => offer.Kind == OfferKind.Reschedule
        ? offer.SentAt
        : (await data.MessageAsync(clinicId, offer.PatientId, SmsMessage.OfferTextId(offer.Id), ct))?.Value.SentAt;

    /// <summary>When the visit's day-before reminder (which asks for 1 or 2) was sent; null when it was not.</summary>
    private async Task<Instant?> ReminderSentAtAsync(string clinicId, string patientId, Session? upcoming, CancellationToken ct) => upcoming is null
        ? null
        : (await data.MessageAsync(clinicId, patientId, SmsMessage.ReminderId(upcoming.Id, upcoming.ScheduleVersion, SmsKinds.DayBefore), ct))?.Value.SentAt;

    /// <summary>Offers starts for the visit; null when self-service is off, the visit is too near, or nothing is free.</summary>
    public async Task<SelfServiceOutcome?> OfferAsync(ClinicCommit commit, Clinic clinic, Patient patient, Session visit, CancellationToken ct)
    {
        if (!clinic.SelfService.Reschedule || visit.StartUtc - MinimumNotice <= commit.Now)
        {
            return null;
        }
        var today = commit.Now.InZone(clinic.Zone).Date;
        var window = await data.SessionsOnDaysAsync(clinic.Id, today, today.PlusDays(clinic.SelfService.OfferDays + 1), ct);
        var starts = RescheduleChoices.Choose(clinic, visit, window, commit.Now);
        if (starts.Count == 0)
        {
            return null;
        }
        var offer = new Offer
        {
            Id = Offer.NewId(),
            PatientId = patient.Id,
            Kind = OfferKind.Reschedule,
            SessionId = visit.Id,
            Starts = starts.Select(s => s.LocalDateTime).ToList(),
            SentAt = commit.Now,
            ExpiresAt = commit.Now + Duration.FromMinutes(clinic.SelfService.OfferMinutes),
        };
        var (previous, pointer) = await data.LatestOfferAsync(clinic.Id, patient.Id, ct);
        if (previous is not null && previous.Value.Status == OfferStatus.Open)
        {
            await waitlist.CloseAsync(commit, clinic.Id, previous, OfferStatus.Superseded, ct);
        }
        WaitlistWrites.Open(commit, offer, null, pointer);
        return new SelfServiceOutcome(SmsTexts.RescheduleOffer(clinic, patient.Language, offer.Starts, ZoneNote(clinic, patient)), "reschedule-offered", []);
    }

    /// <summary>A digit to the patient's open offer; null when the digit is not an answer to it (the text is read as usual).</summary>
    /// <param name="upcoming">The patient's next visit: a waitlist chair booked as a new visit names it in the reply.</param>
    public async Task<SelfServiceOutcome?> AnswerAsync(ClinicCommit commit, Clinic clinic, Patient patient, Stored<Offer> offer, int digit, string messageSid,
        Session? upcoming, CancellationToken ct)
    {
        if (digit == 0)
        {
            await waitlist.CloseAsync(commit, clinic.Id, offer, OfferStatus.Declined, ct);
            if (offer.Value.Kind == OfferKind.Waitlist)
            {
                return new SelfServiceOutcome(SmsTexts.WaitlistDeclined(clinic, patient.Language), "waitlist-offer-declined", []);
            }
            await FlagWrites.RaiseAsync(data, commit, Flag.For(FlagKinds.RescheduleRequest, messageSid, FlagSeverity.Normal, patient.Id, offer.Value.SessionId, commit.Now,
                "The patient declined the times offered by text and asked the clinic to call to find a new time."), ct);
            return new SelfServiceOutcome(SmsTexts.RescheduleRequested(clinic, patient.Language), "reschedule-offer-declined", []);
        }
        if (offer.Value.Pick(digit) is not { } start)
        {
            return null;
        }
        var placed = BookingRules.Place(clinic, start, "start");
        var session = offer.Value.SessionId is { } id ? await data.SessionAsync(clinic.Id, id, ct) : null;
        var patientRow = await data.PatientAsync(clinic.Id, patient.Id, ct);
        Result<Session> result = !placed.IsSuccess ? placed.Problem!
            : session is not null ? await booking.DecideMoveAsync(commit, clinic, session.Value, placed.Value.Start, placed.Value.End, ct)
            : offer.Value.Kind == OfferKind.Waitlist ? await booking.DecideBookAsync(commit, clinic, patientRow!.Value, placed.Value.Start, placed.Value.End, ct)
            : Problem.Conflict("session-gone", "The visit is gone.", "The visit to move no longer exists.");
        if (!result.IsSuccess)
        {
            return await RefusedAsync(commit, clinic, patient, offer, ct);
        }
        if (session is not null)
        {
            SessionWrites.Apply(commit, session, result.Value, "session.rescheduled");
            WaitlistWrites.NoteFreedSlot(commit, clinic, session.Value, result.Value);
        }
        WaitlistWrites.Close(commit, offer, OfferStatus.Taken, start);
        if (offer.Value.Kind == OfferKind.Waitlist)
        {
            await CompleteWaitlistAsync(commit, clinic.Id, offer.Value, ct);
        }
        var reply = session is not null
            ? SmsTexts.Rescheduled(clinic, patient.Language, start, ZoneNote(clinic, patient))
            : SmsTexts.NewVisitBooked(clinic, patient.Language, start, upcoming?.Start, ZoneNote(clinic, patient));
        return new SelfServiceOutcome(reply, offer.Value.Kind == OfferKind.Waitlist ? "waitlist-offer-taken" : "rescheduled-by-sms", [result.Value]);
    }

    /// <summary>
    /// A "1" to a chair offer that closed untaken within the last day, when no reminder went to the patient since:
    /// the chair went to somebody else. Null otherwise (the digit is read as usual).
    /// </summary>
    public async Task<SelfServiceOutcome?> LateAnswerAsync(ClinicCommit commit, Clinic clinic, Patient patient, Offer offer, int digit, Session? upcoming, CancellationToken ct)
    {
        if (digit != 1 || offer.Kind != OfferKind.Waitlist || offer.Status is not (OfferStatus.Expired or OfferStatus.Superseded)
            || commit.Now - offer.ExpiresAt > Duration.FromDays(1))
        {
            return null;
        }
        if (await OfferSentAtAsync(clinic.Id, offer, ct) is not { } offered)
        {
            return null; // the patient never got the offer
        }
        if (await ReminderSentAtAsync(clinic.Id, patient.Id, upcoming, ct) > offered)
        {
            return null; // the reminder is the latest prompt: "1" confirms
        }
        return new SelfServiceOutcome(SmsTexts.TimeJustTaken(clinic, patient.Language), OfferClosed, []);
    }

    /// <summary>The chair was taken meanwhile: a fresh offer for a reschedule, "just taken" for a waitlist chair.</summary>
    private async Task<SelfServiceOutcome> RefusedAsync(ClinicCommit commit, Clinic clinic, Patient patient, Stored<Offer> offer, CancellationToken ct)
    {
        if (offer.Value.Kind == OfferKind.Reschedule && offer.Value.SessionId is { } id && await data.SessionAsync(clinic.Id, id, ct) is { Value.IsUpcoming: true } visit
            && await OfferAsync(commit, clinic, patient, visit.Value, ct) is { } fresh)
        {
            return fresh with { Reply = $"{SmsTexts.TimeJustTaken(clinic, patient.Language)} {fresh.Reply}", Handling = "reschedule-reoffered" };
        }
        await waitlist.CloseAsync(commit, clinic.Id, offer, OfferStatus.Expired, ct);
        return new SelfServiceOutcome(SmsTexts.TimeJustTaken(clinic, patient.Language), "offer-time-taken", []);
    }

    private async Task CompleteWaitlistAsync(ClinicCommit commit, string clinicId, Offer offer, CancellationToken ct)
    {
        if (offer.WaitlistEntryId is { } entryId && await data.WaitlistEntryAsync(clinicId, entryId, ct) is { } entry)
        {
            WaitlistWrites.Update(commit, entry, entry.Value.With(WaitlistStatus.Booked));
        }
        if (offer.SlotKey is { } slotKey && await data.FreedSlotAsync(clinicId, slotKey, ct) is { } slot)
        {
            commit.Delete(slotKey, slot.ETag);
        }
    }

    private static string? ZoneNote(Clinic clinic, Patient patient) =>
        patient.TimeZone is { } own && own != clinic.TimeZone ? SmsTexts.ZoneNote(clinic.TimeZone) : null;
}
