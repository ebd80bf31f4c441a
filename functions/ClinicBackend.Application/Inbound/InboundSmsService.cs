using System.Text.RegularExpressions;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Time;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace ClinicBackend.Application.Inbound;

/// <summary>The answer to an inbound text: the reply (null for none) and what was done, for logs without content.</summary>
public sealed record InboundOutcome(string? Reply, string Handling);

/// <summary>The answer stored for a MessageSid, so Twilio's retry gets the same reply and changes nothing.</summary>
public sealed record InboundRecord(string MessageSid, string? Reply, string Handling, Instant At);

/// <summary>
/// A patient's text: routed by the number texted (To) to a clinic and by the sender (From) to a patient of
/// that clinic, interpreted (crisis first), and applied in one commit with its history row and its
/// MessageSid record, so a retry or a crash never half-applies it.
/// </summary>
public sealed partial class InboundSmsService(ClinicData data, InboundRouter router, TimeProvider time, ILogger<InboundSmsService> logger)
{
    public const int MaxStoredBody = 1600;

    [GeneratedRegex("^(SM|MM)[0-9a-fA-F]{32}$")]
    private static partial Regex MessageSidPattern();

    public async Task<InboundOutcome> HandleAsync(IReadOnlyDictionary<string, string> form, CancellationToken ct)
    {
        var sid = form.GetValueOrDefault("MessageSid") ?? form.GetValueOrDefault("SmsMessageSid");
        var from = form.GetValueOrDefault("From");
        var to = form.GetValueOrDefault("To");
        if (sid is null || !MessageSidPattern().IsMatch(sid) || string.IsNullOrEmpty(from) || string.IsNullOrEmpty(to))
        {
            return new InboundOutcome(null, "malformed");
        }
        var crisis = ReplyInterpreter.IsCrisis(form.GetValueOrDefault("Body") ?? "");
        var clinicId = await router.ClinicForAsync(form, to, ct);
        var clinic = clinicId is null ? null : await data.ClinicAsync(clinicId, ct);
        if (clinic is null)
        {
            // Safety before the no-data rule: anyone in crisis gets the Lifeline.
            return crisis ? new InboundOutcome(SmsTexts.CrisisFromUnknown, "crisis-unknown-number") : new InboundOutcome(SmsTexts.UnknownSender, "unknown-clinic-number");
        }
        var e164 = PhoneFormat.ToE164(from, clinic.Value.Country);
        var patient = e164 is null ? null : await data.PatientByPhoneAsync(clinic.Value.Id, e164, ct);
        if (patient is null && !crisis)
        {
            return new InboundOutcome(SmsTexts.UnknownSender, "unknown-sender");
        }

        // A conflict is a concurrent retry of the same text, or a concurrent change to the patient or session: look again.
        return await Concurrency.RetryAsync(async () =>
        {
            var done = await data.Store.GetAsync<InboundRecord>(clinic.Value.Id, Keys.Inbound(sid), ct);
            return done is not null ? new InboundOutcome(done.Value.Reply, "repeat:" + done.Value.Handling)
                : patient is null ? await ApplyUnknownSenderCrisisAsync(clinic.Value, sid, from, ct)
                : await ApplyAsync(clinic.Value, patient.Value.Id, sid, form, ct);
        }, () => throw new InvalidOperationException("The inbound text could not be applied; Twilio will retry it."));
    }

    /// <summary>
    /// Crisis language from a number that is no patient of the clinic: the 988 reply, and an urgent flag with no
    /// patient for the clinic that owns the number texted (the sender only as the last four digits).
    /// </summary>
    private async Task<InboundOutcome> ApplyUnknownSenderCrisisAsync(Clinic clinic, string sid, string from, CancellationToken ct)
    {
        var now = time.Now();
        var ending = new string(from.Where(char.IsAsciiDigit).TakeLast(4).ToArray());
        var commit = new ClinicCommit(clinic.Id, Actors.UnknownSender, now);
        await FlagWrites.RaiseAsync(data, commit, Flag.For(FlagKinds.Crisis, sid, FlagSeverity.Urgent, null, null, now,
            $"URGENT: a text from a number that is not a patient of this clinic (ending {ending}) contains crisis language. "
            + $"It was answered with the 988 Lifeline. Find the sender in the Twilio console by message {sid} and reach out."), ct);
        var reply = SmsTexts.Crisis(clinic, "en");
        commit.Insert(Keys.Inbound(sid), new InboundRecord(sid, reply, "crisis-unknown-sender", now));
        await data.CommitAsync(commit, ct);
        logger.LogWarning("Inbound text {MessageSid} for clinic {ClinicId} from an unknown number holds crisis language: urgent flag raised.", sid, clinic.Id);
        return new InboundOutcome(reply, "crisis-unknown-sender");
    }

    private async Task<InboundOutcome> ApplyAsync(Clinic clinic, string patientId, string sid, IReadOnlyDictionary<string, string> form, CancellationToken ct)
    {
        var now = time.Now();
        // Read again on every attempt: a retry after a conflict must decide on fresh data.
        var patientRow = (await data.PatientAsync(clinic.Id, patientId, ct))!;
        var patient = patientRow.Value;
        var body = form.GetValueOrDefault("Body") ?? "";
        var media = int.TryParse(form.GetValueOrDefault("NumMedia"), out var n) ? n : 0;
        var intent = ReplyInterpreter.Interpret(body, form.GetValueOrDefault("OptOutType"));
        var language = patient.Language;
        var actor = Actors.Patient(patient.Id);
        var commit = new ClinicCommit(clinic.Id, actor, now);
        string? reply;
        string handling;
        Patient? changedPatient = null;

        var upcoming = await data.NextUpcomingSessionAsync(clinic, patient.Id, now, ct);
        switch (intent)
        {
            case ReplyIntent.Crisis:
            {
                var flag = Flag.For(FlagKinds.Crisis, sid, FlagSeverity.Urgent, patient.Id, upcoming?.Value.Id, now,
                    "URGENT: the patient's text contains crisis language. Call the patient now; automated texts are paused until this flag is resolved. "
                    + $"The text: \"{Excerpt(body)}\"");
                await FlagWrites.RaiseAsync(data, commit, flag, ct);
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
                await FlagWrites.RaiseAsync(data, commit, Flag.For(FlagKinds.RescheduleRequest, sid, FlagSeverity.Normal, patient.Id, upcoming?.Value.Id, now,
                    upcoming is null
                        ? "The patient asked by text for a new appointment (no session is booked). Call them to book one."
                        : $"The patient asked by text to reschedule the session of {ClinicTime.FormatMinute(upcoming.Value.Start)}. Call them to find a new time."), ct);
                reply = upcoming is null ? SmsTexts.NoUpcomingVisit(clinic, language) : SmsTexts.RescheduleRequested(clinic, language);
                handling = "reschedule-requested";
                break;
            case ReplyIntent.Confirm:
                reply = SmsTexts.NoUpcomingVisit(clinic, language);
                handling = "confirm-without-session";
                break;
            default:
                await FlagWrites.RaiseAsync(data, commit, Flag.For(FlagKinds.PatientMessage, sid, FlagSeverity.Normal, patient.Id, upcoming?.Value.Id, now,
                    (body.Length == 0 ? "The patient sent a message without text" : $"The patient wrote: \"{Excerpt(body)}\"")
                    + (media > 0 ? $" ({media} picture or file attached)." : ".") + " Reply or call them."), ct);
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
        logger.LogInformation("Inbound text {MessageSid} for clinic {ClinicId}, patient {PatientId}: {Handling}", sid, clinic.Id, patient.Id, handling);
        return new InboundOutcome(reply, handling);
    }

    private static string Excerpt(string body) => body.Length <= 500 ? body : body[..500] + "...";
}
