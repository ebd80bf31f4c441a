using ClinicBackend.Application.Escalation;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Time;
using Microsoft.Extensions.Logging;

namespace ClinicBackend.Application.Inbound;

/// <summary>
/// Texts that are not a patient's: an on-call contact's (ACK takes a page; STOP and START are honoured like
/// anyone's; never read as a patient's reply), and crisis language from a number the clinic does not know.
/// </summary>
public sealed class StaffReplies(ClinicData data, EscalationService escalation, TimeProvider time, ILogger<StaffReplies> logger)
{
    public async Task<InboundOutcome> ApplyAsync(Clinic clinic, OnCallContact contact, string sid, IReadOnlyDictionary<string, string> form, CancellationToken ct)
    {
        var body = form.GetValueOrDefault("Body") ?? "";
        if (ReplyInterpreter.IsCrisis(body))
        {
            return await ApplyUnknownSenderCrisisAsync(clinic, sid, contact.Phone, ct);
        }
        var commit = new ClinicCommit(clinic.Id, Actors.OnCall(contact.Name), time.Now());
        StaffReply answer;
        switch (ReplyInterpreter.Interpret(body, form.GetValueOrDefault("OptOutType")))
        {
            case ReplyIntent.OptOut:
                escalation.SetContactOptOut(commit, contact, optedOut: true);
                answer = new StaffReply(SmsTexts.OptedOut(clinic, "en"), "contact-opted-out");
                break;
            case ReplyIntent.OptIn:
                if (await data.ContactOptedOutAsync(clinic.Id, contact.Phone, ct))
                {
                    escalation.SetContactOptOut(commit, contact, optedOut: false);
                }
                answer = new StaffReply(SmsTexts.OptedIn(clinic, "en"), "contact-opted-in");
                break;
            case ReplyIntent.Help:
                answer = new StaffReply(SmsTexts.OnCallNumber(clinic), "contact-help");
                break;
            default:
                answer = ReplyInterpreter.TryParseAck(body, out var code)
                    ? await escalation.AcknowledgeBySmsAsync(commit, clinic, contact, code, ct)
                    : new StaffReply(SmsTexts.OnCallNumber(clinic), "contact-other");
                break;
        }
        var reply = clinic.TwilioAdvancedOptOut && answer.Handling is "contact-opted-out" or "contact-opted-in" ? null : answer.Reply;
        commit.Insert(Keys.Inbound(sid), new InboundRecord(sid, reply, answer.Handling, commit.Now));
        await data.CommitAsync(commit, ct);
        logger.LogInformation("Inbound text {MessageSid} for clinic {ClinicId} from an on-call contact: {Handling}", sid, clinic.Id, answer.Handling);
        return new InboundOutcome(reply, answer.Handling);
    }

    /// <summary>
    /// Crisis language from a number that is no patient of the clinic: the 988 reply, and an urgent flag with no
    /// patient for the clinic that owns the number texted (the sender only as the last four digits), paged at once.
    /// </summary>
    public async Task<InboundOutcome> ApplyUnknownSenderCrisisAsync(Clinic clinic, string sid, string from, CancellationToken ct)
    {
        var now = time.Now();
        var ending = new string(from.Where(char.IsAsciiDigit).TakeLast(4).ToArray());
        var commit = new ClinicCommit(clinic.Id, Actors.UnknownSender, now);
        await escalation.RaiseAsync(commit, clinic, Flag.For(FlagKinds.Crisis, sid, FlagSeverity.Urgent, null, null, now,
            $"URGENT: a text from a number that is not a patient of this clinic (ending {ending}) contains crisis language. "
            + $"It was answered with the 988 Lifeline. Find the sender in the Twilio console by message {sid} and reach out."), ct);
        var reply = SmsTexts.Crisis(clinic, "en");
        commit.Insert(Keys.Inbound(sid), new InboundRecord(sid, reply, "crisis-unknown-sender", now));
        await data.CommitAsync(commit, ct);
        logger.LogWarning("Inbound text {MessageSid} for clinic {ClinicId} from an unknown number holds crisis language: urgent flag raised.", sid, clinic.Id);
        return new InboundOutcome(reply, "crisis-unknown-sender");
    }
}
