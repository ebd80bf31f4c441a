using ClinicBackend.Domain.Assessments;
using ClinicBackend.Domain.Monitoring;
using NodaTime;

namespace ClinicBackend.Domain.Clinics;

public sealed record DayHours(LocalTime Open, LocalTime Close);

public sealed record ReminderSettings(
    LocalTime DayBeforeAt,
    LocalTime QuietStart,
    LocalTime QuietEnd,
    LocalTime RideCheckAt)
{
    public static readonly LocalTime LegalQuietStart = new(21, 0);
    public static readonly LocalTime LegalQuietEnd = new(8, 0);

    public static ReminderSettings Default { get; } =
        new(new LocalTime(17, 0), LegalQuietStart, LegalQuietEnd, new LocalTime(20, 0));
}

/// <summary>How a clinic gets the drug: it stocks and counts it by lot, or a specialty pharmacy ships it per patient.</summary>
public enum InventoryMode
{
    /// <summary>The clinic stocks the drug: every device is counted by lot.</summary>
    Tracked,
    /// <summary>The drug arrives per patient from a specialty pharmacy: the dose keeps its lot, nothing is counted.</summary>
    Pharmacy,
}

/// <summary>A person paged when a flag is urgent.</summary>
public sealed record OnCallContact(string Name, string Phone);

/// <summary>Who is paged for urgent flags, in order, and how long each has to acknowledge.</summary>
public sealed record EscalationSettings(IReadOnlyList<OnCallContact> Contacts, int AckMinutes)
{
    public const int MaxContacts = 10;
    public const int DefaultAckMinutes = 10;

    public static EscalationSettings Default { get; } = new([], DefaultAckMinutes);

    public OnCallContact? ContactByPhone(string e164) => Contacts.FirstOrDefault(c => c.Phone == e164);
}

/// <summary>What patients may do by text: pick a new time themselves, and take chairs freed for a waitlist.</summary>
public sealed record SelfServiceSettings(bool Reschedule, int OfferDays, int OfferMinutes, bool Waitlist, int WaitlistOfferMinutes)
{
    public static SelfServiceSettings Default { get; } = new(false, 7, 120, false, 30);
}

/// <summary>A certified clinic: where and when it treats, with how many monitoring chairs.</summary>
public sealed record Clinic
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string TimeZone { get; init; }
    public required string Country { get; init; }
    public required string Phone { get; init; }
    /// <summary>The clinic's Twilio number (E.164) or Messaging Service SID (MG...).</summary>
    public required string SmsFrom { get; init; }
    public required int Chairs { get; init; }
    public required int SessionMinutes { get; init; }
    public required int SlotMinutes { get; init; }
    public required IReadOnlyDictionary<IsoDayOfWeek, DayHours> OpeningHours { get; init; }
    public required ReminderSettings Reminders { get; init; }
    /// <summary>Minutes after a session's end before an unchecked-in session counts as missed.</summary>
    public int MissedGraceMinutes { get; init; } = 30;
    /// <summary>Days of slack on top of the phase's interval before a cadence lapse is flagged.</summary>
    public int CadenceGraceDays { get; init; } = 2;
    /// <summary>True when Twilio Advanced Opt-Out answers STOP/START/HELP itself, so our reply stays silent.</summary>
    public bool TwilioAdvancedOptOut { get; init; }
    public EscalationSettings Escalation { get; init; } = EscalationSettings.Default;
    public SelfServiceSettings SelfService { get; init; } = SelfServiceSettings.Default;
    /// <summary>The URI of the system that issues patients' externalId (the EHR's), as FHIR identifiers name it; null for the default.</summary>
    public string? ExternalIdSystem { get; init; }
    /// <summary>When an observation during monitoring is an alert.</summary>
    public MonitoringSettings Monitoring { get; init; } = MonitoringSettings.Default;
    /// <summary>Whether the clinic counts its drug by lot or gets it per patient from a specialty pharmacy.</summary>
    public InventoryMode Inventory { get; init; } = InventoryMode.Tracked;
    /// <summary>PHQ-9 links before visits (off by default).</summary>
    public AssessmentSettings Assessments { get; init; } = AssessmentSettings.Default;
    public int Version { get; init; } = 1;
    public Instant CreatedAt { get; init; }

    public DateTimeZone Zone => DateTimeZoneProviders.Tzdb[TimeZone];

    public DayHours? HoursOn(IsoDayOfWeek day) => OpeningHours.GetValueOrDefault(day);

    /// <summary>The system of patients' external ids: the clinic's own setting, or a URI of this service that names the clinic.</summary>
    public string PatientIdentifierSystem => ExternalIdSystem ?? $"https://clinic-backend.dev/fhir/{Id}/external-id";
}
