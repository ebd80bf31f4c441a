namespace ClinicBackend.Testing;

/// <summary>Request bodies of the contract's examples, with overrides.</summary>
public static class Fixtures
{
    private static int _phones = Random.Shared.Next(0, 1_000_000);

    /// <summary>A valid US number no other call of this process gets (212-2xx-xxxx).</summary>
    public static string UniquePhone() => $"+12122{Interlocked.Increment(ref _phones) % 1_000_000:D6}";

    public static Dictionary<string, object?> ClinicBody(string? id = null, string timeZone = "America/New_York", string country = "US",
        string phone = "+12125550100", string? smsFrom = null, int chairs = 4, int slotMinutes = 15, int sessionMinutes = 120) => new()
        {
            ["id"] = id,
            ["name"] = "Riverside Behavioral Health",
            ["timeZone"] = timeZone,
            ["country"] = country,
            ["phone"] = phone,
            ["smsFrom"] = smsFrom ?? UniquePhone(),
            ["chairs"] = chairs,
            ["sessionMinutes"] = sessionMinutes,
            ["slotMinutes"] = slotMinutes,
            ["openingHours"] = new Dictionary<string, string[]?>
            {
                ["mon"] = ["08:00", "18:00"],
                ["tue"] = ["08:00", "18:00"],
                ["wed"] = ["08:00", "18:00"],
                ["thu"] = ["08:00", "18:00"],
                ["fri"] = ["08:00", "16:00"],
                ["sat"] = null,
                ["sun"] = null,
            },
            ["reminders"] = new { dayBeforeAt = "17:00", quietHours = new[] { "21:00", "08:00" } },
        };

    public static Dictionary<string, object?> PatientBody(string phone = "(212) 555-0123", bool remsEnrolled = true, bool smsConsent = true,
        string startDate = "2026-11-02", int interval = 14, string language = "en") => new()
        {
            ["givenName"] = "Ana",
            ["familyName"] = "Silva",
            ["phone"] = phone,
            ["smsConsent"] = smsConsent,
            ["remsEnrolled"] = remsEnrolled,
            ["language"] = language,
            ["externalId"] = "EHR-1234",
            ["course"] = new { startDate, maintenanceIntervalDays = interval },
        };
}
