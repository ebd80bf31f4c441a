using ClinicBackend.Domain.Clinics;
using NodaTime;

namespace ClinicBackend.Domain.Messaging;

/// <summary>When automated texts may go: the clinic's quiet hours, its reminder time, and the daily/weekly limits.</summary>
public static class SmsSchedule
{
    /// <summary>A reminder must arrive at least this long before the session to be of use.</summary>
    public static readonly Duration MinimumLead = Duration.FromHours(1);
    public const int DailyLimit = 1;
    public const int WeeklyLimit = 3;

    /// <summary>The first instant at or after <paramref name="at"/> outside the clinic's quiet hours, in the clinic's zone.</summary>
    public static Instant NextAllowed(Clinic clinic, Instant at) => NextAllowed(clinic.Reminders, clinic.Zone, at);

    /// <summary>The first instant at or after <paramref name="at"/> outside the quiet hours in <paramref name="zone"/> (the patient's).</summary>
    public static Instant NextAllowed(ReminderSettings reminders, DateTimeZone zone, Instant at)
    {
        var local = at.InZone(zone).LocalDateTime;
        if (!ClinicRules.IsQuiet(reminders, local.TimeOfDay))
        {
            return at;
        }
        var date = local.TimeOfDay >= reminders.QuietStart ? local.Date.PlusDays(1) : local.Date;
        return Time.ClinicTime.ResolveLenient(date.At(reminders.QuietEnd), zone).ToInstant();
    }

    /// <summary>
    /// When the day-before reminder goes: the clinic's reminder time on the day before, or the next allowed
    /// time when that has passed (booked late); null when no allowed time is early enough to be useful.
    /// </summary>
    public static Instant? DayBefore(Clinic clinic, Instant sessionStart, Instant now)
    {
        var sessionDate = sessionStart.InZone(clinic.Zone).Date;
        var planned = Time.ClinicTime.ResolveLenient(sessionDate.PlusDays(-1).At(clinic.Reminders.DayBeforeAt), clinic.Zone).ToInstant();
        var sendAt = NextAllowed(clinic, planned < now ? now : planned);
        return sendAt <= sessionStart - MinimumLead ? sendAt : null;
    }

    /// <summary>
    /// Whether an automated text may go on <paramref name="today"/> given the local days that already had
    /// one; if not, the first later day that keeps both limits.
    /// </summary>
    public static (bool Allowed, LocalDate FirstAllowedDay) Limits(IReadOnlyCollection<LocalDate> usedDays, LocalDate today)
    {
        var day = today;
        while (true)
        {
            var sameDay = usedDays.Count(d => d == day);
            var lastWeek = usedDays.Count(d => d > day.PlusDays(-7) && d <= day);
            if (sameDay < DailyLimit && lastWeek < WeeklyLimit)
            {
                return (day == today, day);
            }
            day = day.PlusDays(1);
        }
    }
}
