using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Offers;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Time;
using NodaTime;

namespace ClinicBackend.Domain.Messaging;

/// <summary>What the dispatcher knows about a due text when it decides.</summary>
/// <param name="QuotaDaysUsed">Clinic-local days of the last week on which the patient already had an automated text.</param>
/// <param name="Rebooked">The patient has a session ahead (matters for the "we missed you" text).</param>
/// <param name="Flag">A page's flag.</param>
/// <param name="ContactOptedOut">A page's on-call contact texted STOP.</param>
/// <param name="Offer">An offer text's offer.</param>
/// <param name="OfferChairFree">A waitlist offer's chair is still free (it may have been booked while the text waited for the morning).</param>
public sealed record DispatchFacts(
    Clinic? Clinic,
    Patient? Patient,
    Session? Session,
    SmsMessage Text,
    Instant Now,
    IReadOnlyCollection<LocalDate> QuotaDaysUsed,
    bool Rebooked,
    Flag? Flag = null,
    bool ContactOptedOut = false,
    Offer? Offer = null,
    bool OfferChairFree = true,
    LinkFacts? Link = null)
{
    /// <summary>Whom the text goes to: the patient, or a page's contact (written on the row when it was planned).</summary>
    public string? Recipient => Text.Kind == SmsKinds.Page ? Text.To : Patient?.Phone;
}

/// <summary>What decides a PHQ-9 link before a visit (in the day-before reminder, or as a text of its own).</summary>
/// <param name="Due">The clinic sends links, the patient's last PHQ-9 is older than its <c>everyDays</c>, the visit's link was not
/// answered, and no other text of the visit carried a code.</param>
/// <param name="ReminderCarries">The visit's day-before reminder can carry the link within one segment.</param>
/// <param name="ReminderDueAt">When the visit's day-before reminder is due, while it has not gone (null once it went, or was skipped).</param>
public sealed record LinkFacts(bool Due, bool ReminderCarries, Instant? ReminderDueAt);

/// <summary>What to do with a due text.</summary>
public abstract record DispatchDecision
{
    public sealed record Send : DispatchDecision;

    /// <summary>Never send it; the reason goes into the history.</summary>
    public sealed record Skip(string Reason) : DispatchDecision;

    /// <summary>Not now: look again at <paramref name="Until"/>.</summary>
    public sealed record Defer(Instant Until, string Why) : DispatchDecision;
}

/// <summary>
/// Whether a planned automated text still goes, and when. Pure: the dispatcher loads the facts, these rules
/// decide (tested as tables). Order: the text must still make sense (patient, consent, session state),
/// then quiet hours, then the daily and weekly limits.
/// </summary>
public static class DispatchRules
{
    /// <summary>How long a link of its own waits, each time, for the visit's reminder that is due.</summary>
    public static readonly Duration LinkWaitsForReminder = Duration.FromMinutes(5);

    public static DispatchDecision Decide(DispatchFacts facts)
    {
        if (WhyNot(facts) is { } reason)
        {
            return new DispatchDecision.Skip(reason);
        }
        var (clinic, now) = (facts.Clinic!, facts.Now);
        if (!SmsKinds.KeepsQuietHours(facts.Text.Kind))
        {
            return new DispatchDecision.Send();
        }
        if (facts.Text.Kind == SmsKinds.Assessment && facts.Link?.ReminderDueAt is { } reminderDue && reminderDue <= now)
        {
            // The day's one automated text is the reminder's: the link waits for it to go.
            return DeferOrDrop(facts, now + LinkWaitsForReminder, "the visit's reminder goes first");
        }
        // Quiet hours and the daily limit follow where the patient is.
        var zone = facts.Patient!.ZoneOr(clinic.Zone);
        var allowedAt = SmsSchedule.NextAllowed(clinic.Reminders, zone, now);
        if (allowedAt > now)
        {
            return DeferOrDrop(facts, allowedAt, "quiet hours");
        }
        if (!SmsKinds.CountsAgainstLimits(facts.Text.Kind))
        {
            return new DispatchDecision.Send();
        }
        var today = now.InZone(zone).Date;
        var (allowedToday, firstDay) = SmsSchedule.Limits(facts.QuotaDaysUsed, today);
        if (!allowedToday)
        {
            var next = ClinicTime.ResolveLenient(firstDay.At(clinic.Reminders.QuietEnd), zone).ToInstant();
            var limit = facts.QuotaDaysUsed.Contains(today) ? "daily limit (1 automated text a day)" : "weekly limit (3 automated texts a week)";
            return DeferOrDrop(facts, next, limit);
        }
        return new DispatchDecision.Send();
    }

    /// <summary>Why a text should no longer go, or null when it still should.</summary>
    public static string? WhyNot(DispatchFacts facts) =>
        WhyNotForItsKind(facts)
        ?? (facts.Text.ExpiresAt is { } expires && facts.Now > expires ? $"expired: its moment passed at {ClinicTime.FormatUtc(expires)}" : null);

    private static string? WhyNotForItsKind(DispatchFacts facts)
    {
        var (patient, session, sms) = (facts.Patient, facts.Session, facts.Text);
        if (sms.Kind == SmsKinds.Page)
        {
            return WhyNotPage(facts);
        }
        if (facts.Clinic is null || patient is null)
        {
            return "patient-or-clinic-gone";
        }
        if (!patient.MayReceiveAutomatedTexts)
        {
            return !patient.Active ? "patient-inactive"
                : !patient.SmsConsent ? "no-consent"
                : patient.SmsOptedOut ? "opted-out"
                : "paused-by-crisis-flag";
        }
        switch (sms.Kind)
        {
            case SmsKinds.DayBefore:
                return WhyNotForVisit(session, sms) ?? (session!.StartUtc - SmsSchedule.MinimumLead < facts.Now ? "too-late" : null);
            case SmsKinds.Assessment:
                return WhyNotForVisit(session, sms)
                    ?? (facts.Link is not { Due: true } ? "assessment-not-due"
                        : facts.Link is { ReminderCarries: true, ReminderDueAt: not null } ? "carried-by-the-reminder"
                        : null);
            case SmsKinds.Missed:
                if (session is null || session.Status != SessionStatus.Noshow || session.ScheduleVersion != sms.SessionVersion)
                {
                    return "session-changed";
                }
                return facts.Rebooked ? "already-rebooked" : null;
            case SmsKinds.Offer:
                return facts.Offer is not { } offer || !offer.IsOpenAt(facts.Now) ? "offer-closed"
                    : facts.OfferChairFree ? null : "offer-chair-taken";
            default:
                return "not-an-automated-text";
        }
    }

    /// <summary>A text about a visit goes only while the visit is booked as it was planned for.</summary>
    private static string? WhyNotForVisit(Session? session, SmsMessage sms)
    {
        if (session is null || session.Status == SessionStatus.Cancelled)
        {
            return "session-cancelled";
        }
        if (session.ScheduleVersion != sms.SessionVersion)
        {
            return "rescheduled";
        }
        return session.Status != SessionStatus.Booked ? $"session-{Names.Kebab(session.Status)}" : null;
    }

    /// <summary>A page goes while its flag is still being paged and it is the latest page; never to a contact who texted STOP.</summary>
    private static string? WhyNotPage(DispatchFacts facts)
    {
        var flag = facts.Flag;
        if (facts.Clinic is null || flag is null || facts.Text.To is null)
        {
            return "flag-or-clinic-gone";
        }
        if (flag.Status == FlagStatus.Resolved)
        {
            return "flag-resolved";
        }
        if (flag.Escalation.State != EscalationState.Paging)
        {
            return $"escalation-{Names.Kebab(flag.Escalation.State)}";
        }
        if (flag.Escalation.Pages.LastOrDefault()?.MessageId != facts.Text.Id)
        {
            return "superseded-by-a-later-page";
        }
        return facts.ContactOptedOut ? "opted-out" : null;
    }

    /// <summary>A text that could only go after its moment (for a reminder: too close to its session) is dropped instead.</summary>
    private static DispatchDecision DeferOrDrop(DispatchFacts facts, Instant until, string why)
    {
        if (facts.Text.Kind == SmsKinds.DayBefore && facts.Session is not null && until > facts.Session.StartUtc - SmsSchedule.MinimumLead)
        {
            return new DispatchDecision.Skip($"dropped: {why} leaves no time before the session");
        }
        return facts.Text.ExpiresAt is { } expires && until > expires
            ? new DispatchDecision.Skip($"dropped: {why} lasts past the text's moment ({ClinicTime.FormatUtc(expires)})")
            : new DispatchDecision.Defer(until, $"deferred: {why}");
    }
}
