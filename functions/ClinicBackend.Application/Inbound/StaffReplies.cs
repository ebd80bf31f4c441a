using ClinicBackend.Application.Escalation;
using ClinicBackend.Application.Operations;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Events;
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

    /// <summary>At most this many pages an hour start for crisis texts from numbers that are no patients of the clinic.</summary>
    public const int UnknownSenderPagesPerHour = 6;

    /// <summary>
    /// Crisis language from a number that is no patient of the clinic: the 988 reply always, and an urgent flag with no
    /// patient for the clinic that owns the number texted (the sender only as the last four digits). A first crisis
    /// from a number pages at once; repeats while its flag is open join that flag; and at most
    /// <see cref="UnknownSenderPagesPerHour"/> pages an hour start for unknown senders, so a burst cannot page without
    /// end (the flags beyond stay on the urgent list, and operators are told).
    /// </summary>
    public async Task<InboundOutcome> ApplyUnknownSenderCrisisAsync(Clinic clinic, string sid, string from, CancellationToken ct)
    {
        var now = time.Now();
        var ending = new string(from.Where(char.IsAsciiDigit).TakeLast(4).ToArray());
        var commit = new ClinicCommit(clinic.Id, Actors.UnknownSender, now);
        var reply = SmsTexts.Crisis(clinic, "en");
        var senderTask = data.CrisisSenderAsync(clinic.Id, from, ct);
        var pagesTask = data.UnknownSenderPagesAsync(clinic.Id, now, ct);
        await Task.WhenAll(senderTask, pagesTask);
        var (sender, pages) = (await senderTask, await pagesTask);
        var open = sender is null ? null : await data.FlagAsync(clinic.Id, sender.Value.FlagId, ct);
        string handling;
        if (sender is not null && open is { Value.Status: FlagStatus.Open })
        {
            var texts = sender.Value.Texts + 1;
            var repeated = open.Value.Repeated(UnknownCrisisDetail(ending, sid, texts, open.Value.Escalation.State != EscalationState.None), now, commit.Actor);
            FlagWrites.Update(commit, open.Value, repeated, open.ETag, "flag.repeated", EventTypes.FlagRepeated, $"flag-{repeated.Id}-v{repeated.Version}");
            commit.Replace(Keys.CrisisSender(from), sender.Value with { Texts = texts }, sender.ETag);
            handling = "crisis-unknown-sender-repeat";
        }
        else
        {
            var pageNow = (pages?.Value.Count ?? 0) < UnknownSenderPagesPerHour;
            var flag = Flag.For(FlagKinds.Crisis, sid, FlagSeverity.Urgent, null, null, now, UnknownCrisisDetail(ending, sid, 1, pageNow));
            if (pageNow)
            {
                await escalation.RaiseAsync(commit, clinic, flag, ct);
                var counted = new UnknownSenderPages((pages?.Value.Count ?? 0) + 1);
                _ = pages is null ? commit.Insert(Keys.UnknownSenderPages(now), counted) : commit.Replace(Keys.UnknownSenderPages(now), counted, pages.ETag);
            }
            else
            {
                FlagWrites.Add(commit, flag);
                logger.LogWarning(OperationalEvents.UnknownSenderPagesCapped,
                    "UnknownSenderPagesCapped: clinic {ClinicId} had {Pages} pages for crisis texts from unknown numbers this hour; flag {FlagId} is on the urgent list without a page.",
                    clinic.Id, pages!.Value.Count, flag.Id);
            }
            var pointer = new CrisisSender(flag.Id, 1);
            _ = sender is null ? commit.Insert(Keys.CrisisSender(from), pointer) : commit.Replace(Keys.CrisisSender(from), pointer, sender.ETag);
            handling = "crisis-unknown-sender";
        }
        commit.Insert(Keys.Inbound(sid), new InboundRecord(sid, reply, handling, now));
        await data.CommitAsync(commit, ct);
        logger.LogWarning("Inbound text {MessageSid} for clinic {ClinicId} from an unknown number holds crisis language: {Handling}.", sid, clinic.Id, handling);
        return new InboundOutcome(reply, handling);
    }

    private static string UnknownCrisisDetail(string ending, string sid, int texts, bool paged) =>
        $"URGENT: a text from a number that is not a patient of this clinic (ending {ending}) contains crisis language. "
        + $"It was answered with the 988 Lifeline. Find the sender in the Twilio console by message {sid} and reach out."
        + (texts > 1 ? $" {texts} texts from this number so far; the latest is message {sid}." : "")
        + (paged ? "" : $" Not paged: {UnknownSenderPagesPerHour} pages for unknown numbers started this hour already.");
}
