using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Sessions;
using NodaTime;

namespace ClinicBackend.Domain.Reports;

/// <summary>
/// How each figure of the summary is defined, as pure functions of the rows read. docs/reports.md and openapi.json
/// say the same in words.
/// </summary>
public static class SummaryFigures
{
    // History actions written by Session.Confirm and Session.MoveTo.
    private const string ConfirmedBySms = "confirmed-by-sms";
    private const string Rescheduled = "rescheduled";

    /// <summary>The Reason PatientReplies records on an inbound row whose text opted the patient out (STOP and the like).</summary>
    public const string OptedOutReply = "opted-out";

    public static SummaryReport Compute(SummaryInput input)
    {
        var days = input.Days.Where(d => input.Range.Contains(d.Date)).ToList();
        var counts = Sum(days.Select(d => d.Sessions));
        return new SummaryReport(
            input.Range,
            counts,
            NoShows(counts),
            new Share(days.Sum(d => d.Confirmations.Count), days.Sum(d => d.Confirmations.Of)),
            new RemsFormCounts(days.Sum(d => d.RemsForms.Due), days.Sum(d => d.RemsForms.FiledInTime), days.Sum(d => d.RemsForms.FiledLate), days.Sum(d => d.RemsForms.Open)),
            Cadence(input.Patients, input.Range, input.Zone, input.LapsedPatientIds),
            input.Sms,
            Weeks(days, input.Range),
            ChairUse.Of(input.AvailableChairMinutes, days.Select(d => d.Chairs).OfType<ChairDay>()));
    }

    private static SessionCounts Sum(IEnumerable<SessionCounts> counts) => counts.Aggregate(new SessionCounts(0, 0, 0, 0, 0), (a, b) =>
        new SessionCounts(a.Booked + b.Booked, a.Arrived + b.Arrived, a.Fulfilled + b.Fulfilled, a.Cancelled + b.Cancelled, a.Noshow + b.Noshow));

    public static SessionCounts CountSessions(IReadOnlyCollection<Session> sessions) => new(
        sessions.Count(s => s.Status == SessionStatus.Booked),
        sessions.Count(s => s.Status == SessionStatus.Arrived),
        sessions.Count(s => s.Status == SessionStatus.Fulfilled),
        sessions.Count(s => s.Status == SessionStatus.Cancelled),
        sessions.Count(s => s.Status == SessionStatus.Noshow));

    /// <summary>No-shows of the sessions that ended one way or the other: noshow / (fulfilled + noshow).</summary>
    public static Share NoShows(SessionCounts counts) => new(counts.Noshow, counts.Fulfilled + counts.Noshow);

    /// <summary>
    /// Of the sessions that were due to be confirmed (not cancelled, and started by <paramref name="now"/>), those the
    /// patient confirmed by text before the start (see <see cref="ConfirmedBeforeStart"/>).
    /// </summary>
    public static Share Confirmations(IReadOnlyCollection<Session> sessions, Instant now)
    {
        var due = sessions.Where(s => s.Status != SessionStatus.Cancelled && s.StartUtc <= now).ToList();
        return new Share(due.Count(ConfirmedBeforeStart), due.Count);
    }

    /// <summary>
    /// The history has a "confirmed-by-sms" change before the start, and no reschedule after it (a moved session
    /// is confirmed again for its new time).
    /// </summary>
    public static bool ConfirmedBeforeStart(Session session)
    {
        var confirmed = false;
        foreach (var change in session.History)
        {
            if (change.Action == Rescheduled)
            {
                confirmed = false;
            }
            else if (change.Action == ConfirmedBySms && change.At < session.StartUtc)
            {
                confirmed = true;
            }
        }
        return confirmed;
    }

    /// <summary>Every fulfilled session owes a form: filed by its due time (start + 7 days), filed after it, or not filed yet.</summary>
    public static RemsFormCounts RemsForms(IReadOnlyCollection<Session> sessions)
    {
        var fulfilled = sessions.Where(s => s.Status == SessionStatus.Fulfilled).ToList();
        return new RemsFormCounts(
            fulfilled.Count,
            fulfilled.Count(s => s.RemsFormSubmittedAt is { } at && at <= s.RemsFormDueBy),
            fulfilled.Count(s => s.RemsFormSubmittedAt is { } at && at > s.RemsFormDueBy),
            fulfilled.Count(s => s.RemsFormSubmittedAt is null));
    }

    /// <summary>
    /// A patient is in treatment on <paramref name="day"/> when active, registered by then and with a course that has
    /// started by then.
    /// </summary>
    public static bool InTreatmentOn(Patient patient, LocalDate day, DateTimeZone zone) =>
        patient.Active && patient.Course.StartDate <= day && patient.CreatedAt.InZone(zone).Date <= day;

    /// <summary>The patients in treatment on the range's last day, by their phase that day, lapsed or on track.</summary>
    public static CadenceCounts Cadence(IEnumerable<Patient> patients, ReportRange range, DateTimeZone zone, IReadOnlySet<string> lapsedPatientIds)
    {
        var inTreatment = patients.Where(p => InTreatmentOn(p, range.To, zone)).ToList();
        var lapsed = inTreatment.Count(p => lapsedPatientIds.Contains(p.Id));
        var phases = inTreatment.Select(p => p.Course.PhaseOn(range.To)).ToList();
        return new CadenceCounts(inTreatment.Count, inTreatment.Count - lapsed, lapsed, new PhaseCounts(
            phases.Count(p => p == TreatmentPhase.Induction),
            phases.Count(p => p == TreatmentPhase.Optimization),
            phases.Count(p => p == TreatmentPhase.Maintenance)));
    }

    /// <summary>
    /// The clinic-local day a patient's text counts on and what it adds (null for on-call pages, which are staff
    /// texts). Outbound texts are dated by when they were handed to Twilio (the dispatcher's claim, moments before
    /// Twilio took them, which a status callback arriving first cannot move; never sent, when they were due): <c>sent</c> =
    /// Twilio accepted them (they carry its SID; simulated texts are not sent), <c>delivered</c> = Twilio reported
    /// delivered or read, <c>undelivered</c> = Twilio reported undelivered or failed, or the send itself failed.
    /// Inbound texts are dated by arrival: each is a reply. <c>optOuts</c> = replies that opted out plus texts Twilio
    /// refused with 21610. A text that adds something keeps its day: it was sent, or it failed, at a fixed time.
    /// </summary>
    public static (LocalDate Date, SmsTally Tally)? Tally(SmsMessage message, DateTimeZone zone)
    {
        if (message.Kind == SmsKinds.Page)
        {
            return null;
        }
        if (message.Direction == "inbound")
        {
            return (message.At.InZone(zone).Date, SmsTally.Reply | (message.Reason == OptedOutReply ? SmsTally.OptOut : SmsTally.None));
        }
        var tally = (message.TwilioSid is not null ? SmsTally.Sent : SmsTally.None)
            | (message.Status is SmsStatus.Delivered or SmsStatus.Read ? SmsTally.Delivered : SmsTally.None)
            | (message.Status is SmsStatus.Undelivered or SmsStatus.Failed ? SmsTally.Undelivered : SmsTally.None)
            | (message.ErrorCode == TwilioErrors.OptedOut ? SmsTally.OptOut : SmsTally.None);
        var dated = message.TwilioSid is not null ? message.ClaimedAt ?? message.SentAt ?? message.At : message.SentAt ?? message.At;
        return (dated.InZone(zone).Date, tally);
    }

    public static SmsCounts CountTexts(IEnumerable<SmsTally> tallies)
    {
        int sent = 0, delivered = 0, undelivered = 0, optOuts = 0, replies = 0;
        foreach (var tally in tallies)
        {
            sent += tally.HasFlag(SmsTally.Sent) ? 1 : 0;
            delivered += tally.HasFlag(SmsTally.Delivered) ? 1 : 0;
            undelivered += tally.HasFlag(SmsTally.Undelivered) ? 1 : 0;
            optOuts += tally.HasFlag(SmsTally.OptOut) ? 1 : 0;
            replies += tally.HasFlag(SmsTally.Reply) ? 1 : 0;
        }
        return new SmsCounts(sent, delivered, undelivered, optOuts, replies);
    }

    /// <summary>Fulfilled, no-show and cancelled sessions per Monday-to-Sunday week covering the range.</summary>
    public static IReadOnlyList<WeekCounts> Weeks(IEnumerable<SessionDay> days, ReportRange range)
    {
        var starts = range.WeekStarts();
        var counts = new int[starts.Count, 3];
        foreach (var day in days.Where(d => range.Contains(d.Date)))
        {
            var week = Period.Between(starts[0], ReportRange.WeekOf(day.Date), PeriodUnits.Days).Days / 7;
            counts[week, 0] += day.Sessions.Fulfilled;
            counts[week, 1] += day.Sessions.Noshow;
            counts[week, 2] += day.Sessions.Cancelled;
        }
        return starts.Select((monday, i) => new WeekCounts(monday, counts[i, 0], counts[i, 1], counts[i, 2])).ToList();
    }
}
