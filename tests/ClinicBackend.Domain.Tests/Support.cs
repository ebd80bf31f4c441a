using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Patients;
using NodaTime;

namespace ClinicBackend.Domain.Tests;

public static class TestClinics
{
    public static Clinic Riverside(string zone = "America/New_York", int chairs = 4, int slot = 15, int session = 120) => new()
    {
        Id = "riverside",
        Name = "Riverside Behavioral Health",
        TimeZone = zone,
        Country = "US",
        Phone = "+12125550100",
        SmsFrom = "+12125550199",
        Chairs = chairs,
        SessionMinutes = session,
        SlotMinutes = slot,
        OpeningHours = new Dictionary<IsoDayOfWeek, DayHours>
        {
            [IsoDayOfWeek.Monday] = new(new LocalTime(8, 0), new LocalTime(18, 0)),
            [IsoDayOfWeek.Tuesday] = new(new LocalTime(8, 0), new LocalTime(18, 0)),
            [IsoDayOfWeek.Wednesday] = new(new LocalTime(8, 0), new LocalTime(18, 0)),
            [IsoDayOfWeek.Thursday] = new(new LocalTime(8, 0), new LocalTime(18, 0)),
            [IsoDayOfWeek.Friday] = new(new LocalTime(8, 0), new LocalTime(16, 0)),
            [IsoDayOfWeek.Sunday] = new(new LocalTime(0, 0), new LocalTime(23, 55)),
        },
        Reminders = ReminderSettings.Default,
    };
}

public static class TestPatients
{
    /// <summary>Ana Silva of Riverside (patient0001), in maintenance since November 2.</summary>
    public static Patient Ana(bool consent = true, bool optedOut = false, bool active = true, bool rems = true, string? paused = null, string? zone = null) => new()
    {
        Id = "patient0001",
        ClinicId = "riverside",
        GivenName = "Ana",
        FamilyName = "Silva",
        Phone = "+12125550123",
        SmsConsent = consent,
        SmsOptedOut = optedOut,
        RemsEnrolled = rems,
        Active = active,
        PausedByFlagId = paused,
        TimeZone = zone,
        Course = new TreatmentCourse(new LocalDate(2026, 11, 2), 14),
    };
}
