using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Assessments;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Sessions;
using NodaTime;

namespace ClinicBackend.Application.Outbound;

/// <summary>
/// PHQ-9 links before visits: whether a text should carry one (<see cref="LinkFacts"/>), the text of its own planned
/// with each day-before reminder, and the code issued right before the text that carries it is sent.
/// </summary>
public sealed class AssessmentLinks(ClinicData data, IAssessmentUrls urls)
{
    /// <summary>The link of its own is planned this long before the reminder: the day before the reminder's day.</summary>
    public static readonly Duration AheadOfReminder = Duration.FromDays(1);

    /// <summary>The facts of a day-before reminder or a link of its own while the clinic sends links; null otherwise.</summary>
    public async Task<LinkFacts?> FactsAsync(Clinic clinic, Patient? patient, Session? session, SmsMessage sms, Instant now, string? zoneNote, CancellationToken ct)
    {
        if (!clinic.Assessments.Phq9 || patient is null || session is null || sms.Kind is not (SmsKinds.DayBefore or SmsKinds.Assessment))
        {
            return null;
        }
        var ratings = data.AssessmentsAsync(clinic.Id, patient.Id, ct);
        var link = data.AssessmentLinkAsync(clinic.Id, session.Id, ct);
        var reminder = sms.Kind == SmsKinds.Assessment
            ? new TextLedger(data, new TextRef(clinic.Id, patient.Id, SmsMessage.ReminderId(session.Id, session.ScheduleVersion, SmsKinds.DayBefore))).ReadAsync(ct)
            : Task.FromResult<Stored<SmsMessage>?>(null);
        await Task.WhenAll(ratings, link, reminder);
        var lastPhq9 = (await ratings).LastOrDefault(a => a.Instrument == Instrument.Phq9)?.At;
        var visitLink = (await link)?.Value;
        var due = clinic.Assessments.Phq9Due(lastPhq9, now) && visitLink?.AnsweredAt is null && !(visitLink?.SentBy(sms.Id) ?? false);
        var carries = SmsTexts.DayBeforeReminderWithLink(clinic, patient.Language, session.Start, zoneNote, urls.For(new string('x', AssessmentCode.Length))).Carried;
        var pendingReminder = (await reminder)?.Value is { } r && !SmsStatus.IsFinal(r.Status) ? r.At : (Instant?)null;
        return new LinkFacts(due, carries, pendingReminder);
    }

    /// <summary>
    /// Issues a new code for the visit's link and gives its URL, or null when the link was answered meanwhile. Only the
    /// code's hash is stored; the URL goes into the text and nowhere else.
    /// </summary>
    public async Task<string?> IssueAsync(string clinicId, Session session, SmsMessage sms, Instant now, CancellationToken ct)
    {
        var code = AssessmentCode.New();
        var issued = await data.IssueAssessmentCodeAsync(clinicId, session.PatientId, session.Id, session.StartUtc, new IssuedCode(AssessmentCode.Hash(code), sms.Id, now), ct);
        return issued ? urls.For(code) : null;
    }

    /// <summary>
    /// The link of its own that goes with a visit's day-before reminder, planned a day ahead of it (or now, when that
    /// passed); it expires at the visit's start. Whether it goes is decided when it is due.
    /// </summary>
    public static SmsMessage? OwnTextRow(Clinic clinic, Session session, SmsMessage reminder, Instant now)
    {
        if (!clinic.Assessments.Phq9 || reminder.Status != SmsStatus.Planned)
        {
            return null;
        }
        var ahead = reminder.At - AheadOfReminder;
        return reminder with
        {
            Id = SmsMessage.ReminderId(session.Id, session.ScheduleVersion, SmsKinds.Assessment),
            Kind = SmsKinds.Assessment,
            At = SmsSchedule.NextAllowed(clinic, ahead < now ? now : ahead),
            ExpiresAt = session.StartUtc,
        };
    }
}
