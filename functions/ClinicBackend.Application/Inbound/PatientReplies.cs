using ClinicBackend.Application.Escalation;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Sessions;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Offers;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Time;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace ClinicBackend.Application.Inbound;

/// <summary>
/// A patient's text, interpreted (crisis first) and applied in one unit of work with its history row and its
/// MessageSid record, so a retry or a crash never half-applies it.
/// </summary>
public sealed class PatientReplies(ClinicData data, EscalationService escalation, SelfServiceReplies selfService, ISessionObserver sessions, TimeProvider time, ILogger<PatientReplies> logger)
{
    public const int MaxStoredBody = 1600;

    /// <param name="read">The patient's row, read for this attempt; null to read it here (a retry after a conflict must decide on fresh data).</param>
    public async Task<InboundOutcome> ApplyAsync(Clinic clinic, string patientId, Stored<Patient>? read, string sid, IReadOnlyDictionary<string, string> form, CancellationToken ct)
    {
        var now = time.Now();
        var body = form.GetValueOrDefault("Body") ?? "";
        var media = int.TryParse(form.GetValueOrDefault("NumMedia"), out var n) ? n : 0;
        var intent = ReplyInterpreter.Interpret(body, form.GetValueOrDefault("OptOutType"));
        int? digit = intent is not (ReplyIntent.Crisis or ReplyIntent.OptOut or ReplyIntent.OptIn or ReplyIntent.Help)
            && int.TryParse(ReplyInterpreter.Keyword(body), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var d) && d is >= 0 and <= Offer.MaxStarts
            ? d : null;
        // The patient, the next visit and the latest offer (what a digit answers), read at once. Opting out or in and
        // asking for help concern no visit, so they skip its lookup (a key range query).
        var patientTask = read is null ? data.PatientAsync(clinic.Id, patientId, ct) : Task.FromResult<Stored<Patient>?>(read);
        var upcomingTask = intent is ReplyIntent.OptOut or ReplyIntent.OptIn or ReplyIntent.Help
            ? Task.FromResult<Stored<Domain.Sessions.Session>?>(null)
            : data.NextUpcomingSessionAsync(clinic, patientId, now, ct);
        var latestTask = digit is not null ? selfService.LatestOfferAsync(clinic.Id, patientId, ct) : Task.FromResult<(Stored<Offer>? Offer, Stored<OfferPointer>? Pointer)>((null, null));
        await Task.WhenAll(patientTask, upcomingTask, latestTask);
        var patientRow = (await patientTask)!;
        var patient = patientRow.Value;
        var language = patient.Language;
        var actor = Actors.PatientSms;
        var commit = new ClinicCommit(clinic.Id, actor, now);
        string? reply;
        string handling;
        Patient? changedPatient = null;
        SelfServiceOutcome? self = null;
        var upcoming = await upcomingTask;
        if (digit is { } answer && (await latestTask).Offer is { } latest)
        {
            // The latest prompt decides what a digit means: an open offer's answer, or a late "1" to a chair offer.
            self = latest.Value.IsOpenAt(now)
                ? await selfService.AnswerAsync(commit, clinic, patient, latest, answer, sid, ct)
                : await selfService.LateAnswerAsync(commit, clinic, patient, latest.Value, answer, upcoming?.Value, ct);
        }
        if (self is null && intent == ReplyIntent.Reschedule && upcoming is not null)
        {
            self = await selfService.OfferAsync(commit, clinic, patient, upcoming.Value, ct);
        }
        if (intent == ReplyIntent.Reschedule && upcoming is not null && self is not { Changed.Count: > 0 })
        {
            // The patient can't come as booked: the clinic follows up (flag or offer), so no ride check for it.
            var declined = upcoming.Value.DeclineByText(now, actor);
            if (declined != upcoming.Value)
            {
                SessionWrites.Apply(commit, upcoming, declined, "session.declined-by-sms");
            }
        }
        switch (self is null ? intent : ReplyIntent.SelfService)
        {
            case ReplyIntent.SelfService:
                reply = self!.Reply;
                handling = self.Handling;
                commit.Insert(Keys.Message(patient.Id, $"reply-{sid}"), new SmsMessage
                {
                    Id = $"reply-{sid}",
                    PatientId = patient.Id,
                    Direction = "outbound",
                    Kind = SmsKinds.Reply,
                    Body = reply,
                    Segments = SmsSegments.Count(reply),
                    Status = SmsStatus.Replied,
                    Reason = handling,
                    At = now + Duration.FromTicks(1), // after the text it answers
                    SentAt = now,
                    UpdatedAt = now,
                });
                break;
            case ReplyIntent.Crisis:
            {
                var flag = Flag.For(FlagKinds.Crisis, sid, FlagSeverity.Urgent, patient.Id, upcoming?.Value.Id, now,
                    "URGENT: the patient's text contains crisis language. Call the patient now; automated texts are paused until this flag is resolved. "
                    + $"The text: \"{Excerpt(body)}\"");
                await escalation.RaiseAsync(commit, clinic, flag, ct);
                changedPatient = patient with { PausedByFlagId = patient.PausedByFlagId ?? flag.Id };
                reply = SmsTexts.Crisis(clinic, language);
                handling = "crisis";
                break;
            }
            case ReplyIntent.OptOut:
                changedPatient = patient with { SmsOptedOut = true };
                reply = clinic.TwilioAdvancedOptOut ? null : SmsTexts.OptedOut(clinic, language);
                handling = "opted-out";
                break;
            case ReplyIntent.OptIn:
                changedPatient = patient with { SmsOptedOut = false };
                reply = clinic.TwilioAdvancedOptOut ? null : SmsTexts.OptedIn(clinic, language);
                handling = "opted-in";
                break;
            case ReplyIntent.Help:
                reply = clinic.TwilioAdvancedOptOut ? null : SmsTexts.Help(clinic, language);
                handling = "help";
                break;
            case ReplyIntent.Confirm when upcoming is not null:
            {
                var session = upcoming.Value;
                var confirmed = session.Confirm(now, actor);
                if (confirmed != session)
                {
                    SessionWrites.Apply(commit, upcoming, confirmed, "session.confirmed");
                }
                reply = SmsTexts.Confirmed(clinic, language, session.Start);
                handling = "confirmed";
                break;
            }
            case ReplyIntent.Reschedule:
                FlagWrites.Add(commit, Flag.For(FlagKinds.RescheduleRequest, sid, FlagSeverity.Normal, patient.Id, upcoming?.Value.Id, now,
                    upcoming is null
                        ? "The patient asked by text for a new appointment (no session is booked). Call them to book one."
                        : $"The patient asked by text to reschedule the session of {ClinicTime.FormatMinute(upcoming.Value.Start)}. Call them to find a new time."));
                reply = upcoming is null ? SmsTexts.NoUpcomingVisit(clinic, language) : SmsTexts.RescheduleRequested(clinic, language);
                handling = "reschedule-requested";
                break;
            case ReplyIntent.Confirm:
                reply = SmsTexts.NoUpcomingVisit(clinic, language);
                handling = "confirm-without-session";
                break;
            default:
                FlagWrites.Add(commit, Flag.For(FlagKinds.PatientMessage, sid, FlagSeverity.Normal, patient.Id, upcoming?.Value.Id, now,
                    (body.Length == 0 ? "The patient sent a message without text" : $"The patient wrote: \"{Excerpt(body)}\"")
                    + (media > 0 ? $" ({media} picture or file attached)." : ".") + " Reply or call them."));
                reply = SmsTexts.FreeTextReceived(clinic, language);
                handling = "patient-message";
                break;
        }

        if (changedPatient is not null && changedPatient != patient)
        {
            changedPatient = changedPatient with { Version = patient.Version + 1 };
            commit.Replace(Keys.Patient(patient.Id), changedPatient, patientRow.ETag);
            commit.Audit($"patient.{handling}", "patient", patient.Id, patient, changedPatient);
        }
        commit.Insert(Keys.Message(patient.Id, SmsMessage.InboundId(sid)), new SmsMessage
        {
            Id = SmsMessage.InboundId(sid),
            PatientId = patient.Id,
            Direction = "inbound",
            Kind = SmsKinds.Inbound,
            SessionId = upcoming?.Value.Id,
            Body = body.Length > MaxStoredBody ? body[..MaxStoredBody] : body,
            Segments = int.TryParse(form.GetValueOrDefault("NumSegments"), out var segments) ? segments : 1,
            Status = SmsStatus.Received,
            Reason = handling,
            At = now,
            TwilioSid = sid,
            UpdatedAt = now,
        });
        commit.Insert(Keys.Inbound(sid), new InboundRecord(sid, reply, handling, now));
        await data.CommitAsync(commit, ct);
        if (self is { Changed.Count: > 0 })
        {
            await sessions.SessionsChangedAsync(commit, clinic, self.Changed, ct);
        }
        logger.LogInformation("Inbound text {MessageSid} for clinic {ClinicId}, patient {PatientId}: {Handling}", sid, clinic.Id, patient.Id, handling);
        return new InboundOutcome(reply, handling);
    }

    private static string Excerpt(string body) => body.Length <= 500 ? body : body[..500] + "...";
}
