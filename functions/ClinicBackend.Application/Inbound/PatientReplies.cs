using ClinicBackend.Application.Escalation;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Sessions;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Offers;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Time;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace ClinicBackend.Application.Inbound;

/// <summary>A patient's text as received, and as read once (<see cref="ReplyInterpreter.Read"/>).</summary>
public sealed record PatientText(string Sid, string Body, int Media, int Segments, ReplyReading Reading)
{
    public static PatientText From(string sid, IReadOnlyDictionary<string, string> form, ReplyReading reading) => new(
        sid,
        form.GetValueOrDefault("Body") ?? "",
        int.TryParse(form.GetValueOrDefault("NumMedia"), out var media) ? media : 0,
        int.TryParse(form.GetValueOrDefault("NumSegments"), out var segments) ? segments : 1,
        reading);

    public ReplyIntent Intent => Reading.Intent;
}

/// <summary>
/// A patient's text, applied by what it asks for (crisis first) in one unit of work with its history row and its
/// MessageSid record, so a retry or a crash never half-applies it. A digit that answers the patient's latest offer
/// is self-service; otherwise each intent has its own method.
/// </summary>
public sealed class PatientReplies(ClinicData data, EscalationService escalation, SelfServiceReplies selfService, ISessionObserver sessions, TimeProvider time, ILogger<PatientReplies> logger)
{
    public const int MaxStoredBody = 1600;

    /// <summary>What a reply decides on: the clinic, the patient as read, their next visit, and the unit of work.</summary>
    private sealed record Incoming(Clinic Clinic, Stored<Patient> PatientRow, Stored<Session>? Upcoming, ClinicCommit Commit, PatientText Text)
    {
        public Patient Patient => PatientRow.Value;

        public string Language => Patient.Language;

        public Instant Now => Commit.Now;
    }

    /// <param name="read">The patient's row, read for this attempt; null to read it here (a retry after a conflict must decide on fresh data).</param>
    public async Task<InboundOutcome> ApplyAsync(Clinic clinic, string patientId, Stored<Patient>? read, PatientText text, CancellationToken ct)
    {
        var now = time.Now();
        // The patient, the next visit and the latest offer (what a digit answers), read at once. Opting out or in and
        // asking for help concern no visit, so they skip its lookup (a key range query).
        var patientTask = read is null ? data.PatientAsync(clinic.Id, patientId, ct) : Task.FromResult<Stored<Patient>?>(read);
        var upcomingTask = text.Intent is ReplyIntent.OptOut or ReplyIntent.OptIn or ReplyIntent.Help
            ? Task.FromResult<Stored<Session>?>(null)
            : data.NextUpcomingSessionAsync(clinic, patientId, now, ct);
        var latestTask = text.Reading.Digit is not null || text.Intent == ReplyIntent.OptOut ? data.LatestOfferAsync(clinic.Id, patientId, ct) : Task.FromResult<(Stored<Offer>? Offer, Stored<OfferPointer>? Pointer)>((null, null));
        await Task.WhenAll(patientTask, upcomingTask, latestTask);
        var incoming = new Incoming(clinic, (await patientTask)!, await upcomingTask, new ClinicCommit(clinic.Id, Actors.PatientSms, now), text);

        var self = await SelfServiceAsync(incoming, (await latestTask).Offer, ct);
        if (text.Intent == ReplyIntent.Reschedule && self is not { Changed.Count: > 0 })
        {
            DeclineUpcoming(incoming);
        }
        var outcome = self is not null ? SelfServiceAnswered(incoming, self) : text.Intent switch
        {
            ReplyIntent.Crisis => await CrisisAsync(incoming, ct),
            ReplyIntent.OptOut => await OptOutAsync(incoming, (await latestTask).Offer, ct),
            ReplyIntent.OptIn => OptIn(incoming),
            ReplyIntent.Help => Help(incoming),
            ReplyIntent.Confirm => Confirm(incoming),
            ReplyIntent.Reschedule => RescheduleRequest(incoming),
            _ => FreeText(incoming),
        };

        Record(incoming, outcome);
        await data.CommitAsync(incoming.Commit, ct);
        if (self is { Changed.Count: > 0 })
        {
            await sessions.SessionsChangedAsync(incoming.Commit, clinic, self.Changed, ct);
        }
        else if (clinic.SelfService.Waitlist && WaitlistWrites.ReleasesHeldChair(incoming.Commit))
        {
            await PassOnReleasedChairsAsync(clinic, ct);
        }
        logger.LogInformation("Inbound text {MessageSid} for clinic {ClinicId}, patient {PatientId}: {Handling}", text.Sid, clinic.Id, patientId, outcome.Handling);
        return outcome;
    }

    /// <summary>
    /// The latest prompt the patient received decides what a digit means: an open offer whose text went out, unless a
    /// reminder reached the patient after it (then the offer closes and the digit answers the reminder); a late "1" to a
    /// chair offer. A "2" (reschedule) that answers nothing offers new starts for the next visit. Null when the text is
    /// not self-service.
    /// </summary>
    private async Task<SelfServiceOutcome?> SelfServiceAsync(Incoming m, Stored<Offer>? latest, CancellationToken ct)
    {
        SelfServiceOutcome? self = null;
        if (m.Text.Reading.Digit is { } answer && latest is not null)
        {
            if (!latest.Value.IsOpenAt(m.Now))
            {
                self = await selfService.LateAnswerAsync(m.Commit, m.Clinic, m.Patient, latest.Value, answer, m.Upcoming?.Value, ct);
            }
            else
            {
                switch (await selfService.OpenOfferPromptAsync(m.Clinic.Id, latest.Value, m.Upcoming?.Value, ct))
                {
                    case SelfServiceReplies.OpenOfferPrompt.Offer:
                        self = await selfService.AnswerAsync(m.Commit, m.Clinic, m.Patient, latest, answer, m.Text.Sid, m.Upcoming?.Value, ct);
                        break;
                    case SelfServiceReplies.OpenOfferPrompt.LaterReminder:
                        await selfService.SupersedeAsync(m.Commit, m.Clinic.Id, latest, ct);
                        break;
                }
            }
        }
        if (self is null && m.Text.Intent == ReplyIntent.Reschedule && m.Upcoming is not null)
        {
            self = await selfService.OfferAsync(m.Commit, m.Clinic, m.Patient, m.Upcoming.Value, ct);
        }
        return self;
    }

    /// <summary>A chair this text released (an offer declined, withdrawn by STOP or superseded) goes to the next patient now; ExpireOffers does it otherwise.</summary>
    private async Task PassOnReleasedChairsAsync(Clinic clinic, CancellationToken ct)
    {
        try
        {
            await selfService.OfferFreedChairsAsync(clinic, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Offering the chairs released in clinic {ClinicId} failed; ExpireOffers offers them.", clinic.Id);
        }
    }

    /// <summary>The patient can't come as booked: the clinic follows up (flag or offer), so no ride check for the visit.</summary>
    private static void DeclineUpcoming(Incoming m)
    {
        if (m.Upcoming is { } upcoming && upcoming.Value.DeclineByText(m.Now, m.Commit.Actor) is var declined && declined != upcoming.Value)
        {
            SessionWrites.Apply(m.Commit, upcoming, declined, "session.declined-by-sms");
        }
    }

    /// <summary>The self-service reply is written to the patient's history as sent, just after the text it answers.</summary>
    private static InboundOutcome SelfServiceAnswered(Incoming m, SelfServiceOutcome self)
    {
        m.Commit.Insert(Keys.Message(m.Patient.Id, $"reply-{m.Text.Sid}"), new SmsMessage
        {
            Id = $"reply-{m.Text.Sid}",
            PatientId = m.Patient.Id,
            Direction = "outbound",
            Kind = SmsKinds.Reply,
            Body = self.Reply,
            Segments = SmsSegments.Count(self.Reply),
            Status = SmsStatus.Replied,
            Reason = self.Handling,
            At = m.Now + Duration.FromTicks(1), // after the text it answers
            SentAt = m.Now,
            UpdatedAt = m.Now,
        });
        return new InboundOutcome(self.Reply, self.Handling);
    }

    /// <summary>An urgent flag that pages the on-call contacts, automated texts paused until it is resolved, and the Lifeline.</summary>
    private async Task<InboundOutcome> CrisisAsync(Incoming m, CancellationToken ct)
    {
        var flag = Flag.For(FlagKinds.Crisis, m.Text.Sid, FlagSeverity.Urgent, m.Patient.Id, m.Upcoming?.Value.Id, m.Now,
            "URGENT: the patient's text contains crisis language. Call the patient now; automated texts are paused until this flag is resolved. "
            + $"The text: \"{Excerpt(m.Text.Body)}\"");
        await escalation.RaiseAsync(m.Commit, m.Clinic, flag, ct);
        return ChangePatient(m, m.Patient.PauseForCrisis(flag.Id), new InboundOutcome(SmsTexts.Crisis(m.Clinic, m.Language), "crisis"));
    }

    /// <summary>Texts stop, and the patient's open offer closes with them (its chair goes to the next patient).</summary>
    private async Task<InboundOutcome> OptOutAsync(Incoming m, Stored<Offer>? latest, CancellationToken ct)
    {
        await selfService.WithdrawAsync(m.Commit, m.Clinic.Id, latest, m.Text.Sid, ct);
        return ChangePatient(m, m.Patient.OptOut(), new InboundOutcome(m.Clinic.TwilioAdvancedOptOut ? null : SmsTexts.OptedOut(m.Clinic, m.Language), "opted-out"));
    }

    private static InboundOutcome OptIn(Incoming m) =>
        ChangePatient(m, m.Patient.OptIn(), new InboundOutcome(m.Clinic.TwilioAdvancedOptOut ? null : SmsTexts.OptedIn(m.Clinic, m.Language), "opted-in"));

    private static InboundOutcome Help(Incoming m) =>
        new(m.Clinic.TwilioAdvancedOptOut ? null : SmsTexts.Help(m.Clinic, m.Language), "help");

    private static InboundOutcome Confirm(Incoming m)
    {
        if (m.Upcoming is not { } upcoming)
        {
            return new InboundOutcome(SmsTexts.NoUpcomingVisit(m.Clinic, m.Language), "confirm-without-session");
        }
        var confirmed = upcoming.Value.Confirm(m.Now, m.Commit.Actor);
        if (confirmed != upcoming.Value)
        {
            SessionWrites.Apply(m.Commit, upcoming, confirmed, "session.confirmed");
        }
        return new InboundOutcome(SmsTexts.Confirmed(m.Clinic, m.Language, upcoming.Value.Start), "confirmed");
    }

    /// <summary>A reschedule request that self-service did not answer: a flag for the clinic to call.</summary>
    private static InboundOutcome RescheduleRequest(Incoming m)
    {
        var upcoming = m.Upcoming?.Value;
        FlagWrites.Add(m.Commit, Flag.For(FlagKinds.RescheduleRequest, m.Text.Sid, FlagSeverity.Normal, m.Patient.Id, upcoming?.Id, m.Now,
            upcoming is null
                ? "The patient asked by text for a new appointment (no session is booked). Call them to book one."
                : $"The patient asked by text to reschedule the session of {ClinicTime.FormatMinute(upcoming.Start)}. Call them to find a new time."));
        return new InboundOutcome(upcoming is null ? SmsTexts.NoUpcomingVisit(m.Clinic, m.Language) : SmsTexts.RescheduleRequested(m.Clinic, m.Language), "reschedule-requested");
    }

    /// <summary>Anything else is a message for the clinic: a flag to reply or call.</summary>
    private static InboundOutcome FreeText(Incoming m)
    {
        var body = m.Text.Body;
        FlagWrites.Add(m.Commit, Flag.For(FlagKinds.PatientMessage, m.Text.Sid, FlagSeverity.Normal, m.Patient.Id, m.Upcoming?.Value.Id, m.Now,
            (body.Length == 0 ? "The patient sent a message without text" : $"The patient wrote: \"{Excerpt(body)}\"")
            + (m.Text.Media > 0 ? $" ({m.Text.Media} picture or file attached)." : ".") + " Reply or call them."));
        return new InboundOutcome(SmsTexts.FreeTextReceived(m.Clinic, m.Language), "patient-message");
    }

    /// <summary>Writes the patient's transition (nothing when it changed nothing), audited under the reply's handling.</summary>
    private static InboundOutcome ChangePatient(Incoming m, Patient changed, InboundOutcome outcome)
    {
        if (changed != m.Patient)
        {
            m.Commit.Replace(Keys.Patient(m.Patient.Id), changed, m.PatientRow.ETag);
            m.Commit.Audit($"patient.{outcome.Handling}", "patient", m.Patient.Id, m.Patient, changed);
        }
        return outcome;
    }

    /// <summary>The text in the patient's history, and its MessageSid record with the answer given (for Twilio's retries).</summary>
    private static void Record(Incoming m, InboundOutcome outcome)
    {
        var (text, now) = (m.Text, m.Now);
        m.Commit.Insert(Keys.Message(m.Patient.Id, SmsMessage.InboundId(text.Sid)), new SmsMessage
        {
            Id = SmsMessage.InboundId(text.Sid),
            PatientId = m.Patient.Id,
            Direction = "inbound",
            Kind = SmsKinds.Inbound,
            SessionId = m.Upcoming?.Value.Id,
            Body = text.Body.Length > MaxStoredBody ? text.Body[..MaxStoredBody] : text.Body,
            Segments = text.Segments,
            Status = SmsStatus.Received,
            Reason = outcome.Handling,
            At = now,
            TwilioSid = text.Sid,
            UpdatedAt = now,
        });
        m.Commit.Insert(Keys.Inbound(text.Sid), new InboundRecord(text.Sid, outcome.Reply, outcome.Handling, now));
    }

    private static string Excerpt(string body) => body.Length <= 500 ? body : body[..500] + "...";
}
