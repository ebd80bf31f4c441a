using ClinicBackend.Domain.Assessments;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Monitoring;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Time;
using NodaTime;

namespace ClinicBackend.Application.Clinics;

/// <summary>The body of POST /clinics and PATCH /clinics/{id}; absent fields keep their value on PATCH.</summary>
public sealed class ClinicInput
{
    public string? Id { get; set; }
    public string? Name { get; set; }
    public string? TimeZone { get; set; }
    public string? Country { get; set; }
    public string? Phone { get; set; }
    public string? SmsFrom { get; set; }
    public int? Chairs { get; set; }
    public int? SessionMinutes { get; set; }
    public int? SlotMinutes { get; set; }
    public Dictionary<string, string[]?>? OpeningHours { get; set; }
    public ReminderInput? Reminders { get; set; }
    public int? MissedGraceMinutes { get; set; }
    public int? CadenceGraceDays { get; set; }
    public bool? TwilioAdvancedOptOut { get; set; }
    public EscalationInput? Escalation { get; set; }
    public SelfServiceInput? SelfService { get; set; }
    /// <summary>An absolute URI; an empty string goes back to the default.</summary>
    public string? ExternalIdSystem { get; set; }
    public MonitoringInput? Monitoring { get; set; }
    /// <summary>tracked (the clinic counts its drug by lot) or pharmacy (a specialty pharmacy ships it per patient).</summary>
    public string? Inventory { get; set; }
    public AssessmentsInput? Assessments { get; set; }
}

/// <summary>PHQ-9 links before visits; absent fields keep their value.</summary>
public sealed class AssessmentsInput
{
    public bool? Phq9 { get; set; }
    public int? EveryDays { get; set; }
}

/// <summary>When an observation during monitoring is an alert; absent fields keep their value.</summary>
public sealed class MonitoringInput
{
    public string? AlertAbove { get; set; }
    public int? Spo2Below { get; set; }
}

/// <summary>What patients may do by text; absent fields keep their value.</summary>
public sealed class SelfServiceInput
{
    public bool? Reschedule { get; set; }
    public int? OfferDays { get; set; }
    public int? OfferMinutes { get; set; }
    public bool? Waitlist { get; set; }
    public int? WaitlistOfferMinutes { get; set; }
}

public sealed class ReminderInput
{
    public string? DayBeforeAt { get; set; }
    public string[]? QuietHours { get; set; }
    public string? RideCheckAt { get; set; }
}

/// <summary>Turns a clinic body into a clinic, collecting every field error.</summary>
public static class ClinicInputs
{
    public static Result<Clinic> ToClinic(ClinicInput input, Clinic? existing, string newId, Instant now)
    {
        var errors = new FieldErrors();
        var creating = existing is null;

        if (input.Id is not null && !Ids.IsClinicId(input.Id))
        {
            errors.Add("id", "Use 3-40 characters of a-z, 0-9 and '-', not starting or ending with '-'.");
        }
        if (!creating && input.Id is not null && input.Id != existing!.Id)
        {
            errors.Add("id", "A clinic's id cannot change.");
        }
        Require(creating, input.Name, "name", errors);
        Require(creating, input.TimeZone, "timeZone", errors);
        Require(creating, input.Country, "country", errors);
        Require(creating, input.Phone, "phone", errors);
        Require(creating, input.SmsFrom, "smsFrom", errors);
        if (creating && input.Chairs is null)
        {
            errors.Add("chairs", "chairs is required.");
        }
        if (creating && input.OpeningHours is null)
        {
            errors.Add("openingHours", "openingHours is required: give each day [\"HH:mm\", \"HH:mm\"] or null when closed.");
        }

        var country = (input.Country ?? existing?.Country ?? "").ToUpperInvariant();
        if (input.Country is not null && !PhoneFormat.IsSupportedCountry(country))
        {
            errors.Add("country", "Use an ISO 3166-1 alpha-2 country code such as 'US'.");
        }
        if (input.TimeZone is not null && ClinicTime.FindZone(input.TimeZone) is null)
        {
            errors.Add("timeZone", "Use an IANA time zone id such as 'America/New_York'.");
        }
        if (!creating && input.TimeZone is not null && input.TimeZone != existing!.TimeZone)
        {
            errors.Add("timeZone", "A clinic's time zone cannot change: its sessions are booked in it.");
        }

        string? phone = existing?.Phone;
        if (input.Phone is not null)
        {
            phone = PhoneFormat.IsSupportedCountry(country) ? PhoneFormat.ToE164(input.Phone, country) : null;
            if (phone is null)
            {
                errors.Add("phone", "Give a valid phone number in E.164 (+12125550100) or the clinic country's national format.");
            }
        }
        string? smsFrom = existing?.SmsFrom;
        if (input.SmsFrom is not null)
        {
            smsFrom = ClinicRules.IsMessagingServiceSid(input.SmsFrom)
                ? input.SmsFrom
                : PhoneFormat.IsSupportedCountry(country) ? PhoneFormat.ToE164(input.SmsFrom, country) : null;
            if (smsFrom is null)
            {
                errors.Add("smsFrom", "Give the clinic's Twilio number (E.164) or its Messaging Service SID (MG followed by 32 hex characters).");
            }
        }

        var hours = existing?.OpeningHours ?? new Dictionary<IsoDayOfWeek, DayHours>();
        if (input.OpeningHours is not null)
        {
            hours = ParseHours(input.OpeningHours, errors);
        }
        var reminders = existing?.Reminders ?? ReminderSettings.Default;
        if (input.Reminders is not null)
        {
            reminders = ParseReminders(input.Reminders, reminders, errors);
        }
        var escalation = existing?.Escalation ?? EscalationSettings.Default;
        if (input.Escalation is not null)
        {
            escalation = EscalationInputs.Parse(input.Escalation, escalation, country, errors);
        }
        var selfService = existing?.SelfService ?? SelfServiceSettings.Default;
        if (input.SelfService is { } self)
        {
            selfService = new SelfServiceSettings(
                self.Reschedule ?? selfService.Reschedule, self.OfferDays ?? selfService.OfferDays, self.OfferMinutes ?? selfService.OfferMinutes,
                self.Waitlist ?? selfService.Waitlist, self.WaitlistOfferMinutes ?? selfService.WaitlistOfferMinutes);
            if (selfService.OfferDays is < 1 or > 30)
            {
                errors.Add("selfService.offerDays", "offerDays must be between 1 and 30: how many days ahead starts are offered.");
            }
            if (selfService.OfferMinutes is < 5 or > 24 * 60)
            {
                errors.Add("selfService.offerMinutes", "offerMinutes must be between 5 and 1440: how long an offer of starts stays open.");
            }
            if (selfService.WaitlistOfferMinutes is < 5 or > 24 * 60)
            {
                errors.Add("selfService.waitlistOfferMinutes", "waitlistOfferMinutes must be between 5 and 1440: how long a freed chair is held for one patient.");
            }
        }
        if (input.ExternalIdSystem is { Length: > 0 } system
            && (system.Length > 200 || !Uri.TryCreate(system, UriKind.Absolute, out var uri) || !PlainText.IsValid(system, 200) || system.Any(char.IsWhiteSpace) || uri.Scheme is not ("http" or "https" or "urn")))
        {
            errors.Add("externalIdSystem", "Give the absolute URI (http, https or urn, up to 200 characters, no spaces) of the system that issues patients' externalId, or \"\" for the default.");
        }
        var monitoring = existing?.Monitoring ?? MonitoringSettings.Default;
        if (input.Monitoring is { } thresholds)
        {
            if (thresholds.AlertAbove is not null)
            {
                if (BloodPressure.TryParse(thresholds.AlertAbove, out var above))
                {
                    monitoring = monitoring with { AlertAbove = above };
                }
                else
                {
                    errors.Add("monitoring.alertAbove", "alertAbove is a blood pressure such as \"180/110\": a reading above either number is an alert.");
                }
            }
            if (thresholds.Spo2Below is { } spo2)
            {
                monitoring = monitoring with { Spo2Below = spo2 };
                if (spo2 is < MonitoringSettings.MinSpo2Threshold or > MonitoringSettings.MaxSpo2Threshold)
                {
                    errors.Add("monitoring.spo2Below", $"spo2Below is a saturation in percent, {MonitoringSettings.MinSpo2Threshold} to {MonitoringSettings.MaxSpo2Threshold}: a reading below it is an alert.");
                }
            }
        }
        var inventory = existing?.Inventory ?? InventoryMode.Tracked;
        if (input.Inventory is not null && !Names.TryParseKebab(input.Inventory, out inventory))
        {
            errors.Add("inventory", "inventory is tracked (the clinic counts its drug by lot) or pharmacy (a specialty pharmacy ships it per patient).");
        }
        var assessments = existing?.Assessments ?? AssessmentSettings.Default;
        if (input.Assessments is { } links)
        {
            assessments = new AssessmentSettings(links.Phq9 ?? assessments.Phq9, links.EveryDays ?? assessments.EveryDays);
            if (assessments.EveryDays is < AssessmentSettings.MinEveryDays or > AssessmentSettings.MaxEveryDays)
            {
                errors.Add("assessments.everyDays", $"everyDays is how many days a PHQ-9 counts before the next is asked: {AssessmentSettings.MinEveryDays} to {AssessmentSettings.MaxEveryDays}.");
            }
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var clinic = new Clinic
        {
            Id = existing?.Id ?? input.Id ?? newId,
            Name = input.Name?.Trim() ?? existing!.Name,
            TimeZone = input.TimeZone ?? existing!.TimeZone,
            Country = country,
            Phone = phone!,
            SmsFrom = smsFrom!,
            Chairs = input.Chairs ?? existing!.Chairs,
            SessionMinutes = input.SessionMinutes ?? existing?.SessionMinutes ?? 120,
            SlotMinutes = input.SlotMinutes ?? existing?.SlotMinutes ?? 15,
            OpeningHours = hours,
            Reminders = reminders,
            MissedGraceMinutes = input.MissedGraceMinutes ?? existing?.MissedGraceMinutes ?? 30,
            CadenceGraceDays = input.CadenceGraceDays ?? existing?.CadenceGraceDays ?? 2,
            TwilioAdvancedOptOut = input.TwilioAdvancedOptOut ?? existing?.TwilioAdvancedOptOut ?? false,
            Escalation = escalation,
            SelfService = selfService,
            ExternalIdSystem = input.ExternalIdSystem is null ? existing?.ExternalIdSystem : input.ExternalIdSystem.Length == 0 ? null : input.ExternalIdSystem,
            Monitoring = monitoring,
            Inventory = inventory,
            Assessments = assessments,
            Version = existing is null ? 1 : existing.Version + 1,
            CreatedAt = existing?.CreatedAt ?? now,
        };
        ClinicRules.Check(clinic, errors);
        return errors.Any ? errors.ToProblem() : clinic;
    }

    private static void Require(bool creating, string? value, string field, FieldErrors errors)
    {
        if (creating && string.IsNullOrWhiteSpace(value))
        {
            errors.Add(field, $"{field} is required.");
        }
    }

    private static Dictionary<IsoDayOfWeek, DayHours> ParseHours(Dictionary<string, string[]?> input, FieldErrors errors)
    {
        var hours = new Dictionary<IsoDayOfWeek, DayHours>();
        foreach (var (name, value) in input)
        {
            var field = $"openingHours.{name}";
            if (DayNames.Parse(name) is not { } day)
            {
                errors.Add(field, "Use the day names mon, tue, wed, thu, fri, sat, sun.");
                continue;
            }
            if (value is null)
            {
                continue;
            }
            if (value.Length != 2 || !ClinicTime.TryParseHourMinute(value[0], out var open) || !ClinicTime.TryParseHourMinute(value[1], out var close))
            {
                errors.Add(field, "Give [\"HH:mm\", \"HH:mm\"] (opening, closing) or null when closed.");
                continue;
            }
            hours[day] = new DayHours(open, close);
        }
        return hours;
    }

    private static ReminderSettings ParseReminders(ReminderInput input, ReminderSettings current, FieldErrors errors)
    {
        var result = current;
        if (input.DayBeforeAt is not null)
        {
            if (ClinicTime.TryParseHourMinute(input.DayBeforeAt, out var at))
            {
                result = result with { DayBeforeAt = at };
            }
            else
            {
                errors.Add("reminders.dayBeforeAt", "Give a local time as HH:mm.");
            }
        }
        if (input.RideCheckAt is not null)
        {
            if (ClinicTime.TryParseHourMinute(input.RideCheckAt, out var at))
            {
                result = result with { RideCheckAt = at };
            }
            else
            {
                errors.Add("reminders.rideCheckAt", "Give a local time as HH:mm.");
            }
        }
        if (input.QuietHours is not null)
        {
            if (input.QuietHours.Length == 2 && ClinicTime.TryParseHourMinute(input.QuietHours[0], out var start)
                && ClinicTime.TryParseHourMinute(input.QuietHours[1], out var end))
            {
                result = result with { QuietStart = start, QuietEnd = end };
            }
            else
            {
                errors.Add("reminders.quietHours", "Give [\"HH:mm\", \"HH:mm\"]: when quiet hours start in the evening and end in the morning.");
            }
        }
        return result;
    }
}
