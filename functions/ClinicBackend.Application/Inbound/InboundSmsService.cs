using System.Text.RegularExpressions;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Patients;

namespace ClinicBackend.Application.Inbound;

/// <summary>The answer to an inbound text: the reply (null for none) and what was done, for logs without content.</summary>
public sealed record InboundOutcome(string? Reply, string Handling);

/// <summary>
/// An inbound text: routed by the number texted (<c>To</c>) to a clinic, then by the sender (<c>From</c>): an
/// on-call contact's text is a staff reply, a patient's a patient reply, anyone else's only answered (crisis
/// language always gets the Lifeline). A MessageSid already handled gets the same answer and changes nothing.
/// </summary>
public sealed partial class InboundSmsService(ClinicData data, InboundRouter router, PatientReplies patients, StaffReplies staff)
{
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
        // Read once: the crisis check here and the patient's reply below decide on the same reading.
        var reading = ReplyInterpreter.Read(form.GetValueOrDefault("Body"), form.GetValueOrDefault("OptOutType"));
        var crisis = reading.IsCrisis;
        var clinicId = await router.ClinicForAsync(form, to, ct);
        if (clinicId is null)
        {
            return Unrouted(crisis);
        }
        // Read at once: the clinic's settings, the sender (Twilio's E.164 needs no region to parse, so the lookup need
        // not wait for the clinic's country) and whether this MessageSid was handled before. The sender is looked up
        // among patients before the clinic's on-call contacts are known; for a contact that lookup is not awaited.
        var clinicTask = data.ClinicAsync(clinicId, ct);
        var international = from.StartsWith('+') ? PhoneFormat.ToE164(from, "US") : null;
        var patientTask = international is null ? Task.FromResult<Stored<Patient>?>(null) : data.PatientByPhoneAsync(clinicId, international, ct);
        _ = patientTask.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        var doneTask = data.InboundAsync(clinicId, sid, ct);
        await Task.WhenAll(clinicTask, doneTask);
        if (await clinicTask is not { } stored)
        {
            return Unrouted(crisis);
        }
        var clinic = stored.Value;
        var e164 = international ?? PhoneFormat.ToE164(from, clinic.Country);
        var contact = e164 is null ? null : clinic.Escalation.ContactByPhone(e164);
        var patient = e164 is null || contact is not null ? null
            : international is not null ? await patientTask
            : await data.PatientByPhoneAsync(clinic.Id, e164, ct);
        if (contact is null && patient is null && !crisis)
        {
            return new InboundOutcome(SmsTexts.UnknownSender, "unknown-sender");
        }

        // A conflict is a concurrent retry of the same text, or a concurrent change to the patient or session: look
        // again. The first attempt decides on the rows read above; every later one reads afresh.
        var first = true;
        return await Concurrency.RetryAsync(async () =>
        {
            var done = first ? await doneTask : await data.InboundAsync(clinic.Id, sid, ct);
            var patientRow = first ? patient : null;
            first = false;
            return done is not null ? new InboundOutcome(done.Value.Reply, "repeat:" + done.Value.Handling)
                : contact is not null ? await staff.ApplyAsync(clinic, contact, sid, form, ct)
                : patient is not null ? await patients.ApplyAsync(clinic, patient.Value.Id, patientRow, PatientText.From(sid, form, reading), ct)
                : await staff.ApplyUnknownSenderCrisisAsync(clinic, sid, from, ct);
        }, () => throw new InvalidOperationException("The inbound text could not be applied; Twilio will retry it."));
    }

    /// <summary>No clinic has the number texted. Safety before the no-data rule: anyone in crisis gets the Lifeline.</summary>
    private static InboundOutcome Unrouted(bool crisis) =>
        crisis ? new InboundOutcome(SmsTexts.CrisisFromUnknown, "crisis-unknown-number") : new InboundOutcome(SmsTexts.UnknownSender, "unknown-clinic-number");
}
