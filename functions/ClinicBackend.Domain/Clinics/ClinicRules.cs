using System.Text.RegularExpressions;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Time;
using NodaTime;

namespace ClinicBackend.Domain.Clinics;

/// <summary>The limits a clinic's settings must keep.</summary>
public static partial class ClinicRules
{
    public const int MaxChairs = 50;
    public const int MinSessionMinutes = 120;
    public const int MaxSessionMinutes = 240;
    public const int CapacityTickMinutes = 5;
    public static readonly int[] AllowedSlotMinutes = [5, 10, 15, 20, 30, 60];

    [GeneratedRegex("^MG[0-9a-fA-F]{32}$")]
    private static partial Regex MessagingServiceSidPattern();

    public static bool IsMessagingServiceSid(string value) => MessagingServiceSidPattern().IsMatch(value);

    /// <summary>Checks the whole clinic and adds one message per broken rule.</summary>
    public static void Check(Clinic clinic, FieldErrors errors)
    {
        if (!PlainText.IsValid(clinic.Name, 100))
        {
            errors.Add("name", "Give the clinic's name, 1 to 100 printable characters.");
        }
        else if (TreatmentWords.Contains(clinic.Name))
        {
            errors.Add("name", "The clinic's name goes into every text a patient gets, and a text can be read by others: "
                + "leave out words that name the drug, a diagnosis or the treatment (for example 'Spravato', 'ketamine', 'depression').");
        }
        if (ClinicTime.FindZone(clinic.TimeZone) is null)
        {
            errors.Add("timeZone", "Use an IANA time zone id such as 'America/New_York'.");
        }
        if (clinic.Chairs is < 1 or > MaxChairs)
        {
            errors.Add("chairs", $"chairs must be between 1 and {MaxChairs}.");
        }
        if (!AllowedSlotMinutes.Contains(clinic.SlotMinutes))
        {
            errors.Add("slotMinutes", $"slotMinutes must be one of {string.Join(", ", AllowedSlotMinutes)}.");
        }
        if (clinic.SessionMinutes is < MinSessionMinutes or > MaxSessionMinutes || clinic.SessionMinutes % CapacityTickMinutes != 0)
        {
            errors.Add("sessionMinutes",
                $"sessionMinutes must be a multiple of {CapacityTickMinutes} between {MinSessionMinutes} (the 2-hour monitoring minimum) and {MaxSessionMinutes}.");
        }
        foreach (var (day, hours) in clinic.OpeningHours)
        {
            if (hours.Open >= hours.Close)
            {
                errors.Add($"openingHours.{DayNames.Of(day)}", "Opening must come before closing on the same day.");
            }
        }
        CheckReminders(clinic.Reminders, errors);
        if (clinic.MissedGraceMinutes is < 0 or > 24 * 60)
        {
            errors.Add("missedGraceMinutes", "missedGraceMinutes must be between 0 and 1440.");
        }
        if (clinic.CadenceGraceDays is < 0 or > 30)
        {
            errors.Add("cadenceGraceDays", "cadenceGraceDays must be between 0 and 30.");
        }
    }

    private static void CheckReminders(ReminderSettings reminders, FieldErrors errors)
    {
        // The sending window may only be narrower than 08:00-21:00: quiet hours start at 21:00 or earlier
        // in the evening and end at 08:00 or later in the morning.
        var noon = new LocalTime(12, 0);
        if (reminders.QuietStart < noon || reminders.QuietStart > ReminderSettings.LegalQuietStart)
        {
            errors.Add("reminders.quietHours", "Quiet hours must start between 12:00 and 21:00.");
        }
        if (reminders.QuietEnd < ReminderSettings.LegalQuietEnd || reminders.QuietEnd > noon)
        {
            errors.Add("reminders.quietHours", "Quiet hours must end between 08:00 and 12:00.");
        }
        if (IsQuiet(reminders, reminders.DayBeforeAt))
        {
            errors.Add("reminders.dayBeforeAt", "The day-before reminder time must fall outside quiet hours.");
        }
    }

    public static bool IsQuiet(ReminderSettings reminders, LocalTime time) =>
        time >= reminders.QuietStart || time < reminders.QuietEnd;
}

public static class DayNames
{
    private static readonly (string Name, IsoDayOfWeek Day)[] All =
    [
        ("mon", IsoDayOfWeek.Monday), ("tue", IsoDayOfWeek.Tuesday), ("wed", IsoDayOfWeek.Wednesday),
        ("thu", IsoDayOfWeek.Thursday), ("fri", IsoDayOfWeek.Friday), ("sat", IsoDayOfWeek.Saturday),
        ("sun", IsoDayOfWeek.Sunday),
    ];

    public static IEnumerable<(string Name, IsoDayOfWeek Day)> Week => All;

    public static string Of(IsoDayOfWeek day) => All.First(d => d.Day == day).Name;

    public static IsoDayOfWeek? Parse(string name)
    {
        foreach (var (n, d) in All)
        {
            if (n == name)
            {
                return d;
            }
        }
        return null;
    }
}
