using System.Globalization;

namespace ClinicBackend.Integration.Tests.Corpus;

/// <summary>
/// Real resources of the test's clinic for the corpus's valid values: a patient, a booked session, an open flag, a member, and
/// another clinic (whose id the caller may not use). Path parameters and same-named fields take these by name. After a
/// request that changed one of them succeeds, <see cref="RefreshAsync"/> makes a fresh one.
/// </summary>
public sealed class CorpusFixture(TestApp app, Scenario clinic)
{
    private readonly Dictionary<string, string> _ids = new(StringComparer.Ordinal);
    private int _texts;

    public string PatientPhone { get; } = Fixtures.UniquePhone();
    public string OtherClinicId { get; private set; } = "";
    public Scenario Clinic => clinic;

    /// <summary>A start booking accepts: tomorrow 09:00 (the clock stands on Monday 2026-11-30).</summary>
    public string SampleStart => "2026-12-01T09:00";
    public string SampleDate => "2026-12-01";

    public async Task InitAsync()
    {
        _ids["clinicId"] = clinic.ClinicId;
        _ids["patientId"] = await clinic.RegisterPatientAsync(phone: PatientPhone);
        OtherClinicId = (await Scenario.CreateAsync(app)).ClinicId;
        await RefreshAsync(["sessionId", "flagId", "oid"]);
    }

    /// <summary>The real value for a parameter or field of this name, if the fixture has one.</summary>
    public string? ValidValue(string name) => _ids.GetValueOrDefault(name);

    public bool Uses(string name) => _ids.ContainsKey(name);

    public async Task RefreshAsync(IEnumerable<string> names)
    {
        foreach (var name in names.Distinct())
        {
            switch (name)
            {
                case "patientId":
                    _ids[name] = await clinic.RegisterPatientAsync();
                    break;
                case "sessionId":
                    _ids[name] = await BookSomewhereAsync();
                    break;
                case "flagId":
                    _ids[name] = await RaiseFlagAsync();
                    break;
                case "oid":
                    var oid = Guid.NewGuid().ToString();
                    (await app.SendAsync(HttpMethod.Put, $"{clinic.Base}/members/{oid}", clinic.Admin, new { role = Roles.ClinicStaff })).EnsureStatus(201);
                    _ids[name] = oid;
                    break;
            }
        }
    }

    /// <summary>
    /// A new patient's session at the first start availability offers in the next weeks; the clinic is opened every day first,
    /// since accepted corpus requests may have closed days or changed its grid.
    /// </summary>
    private async Task<string> BookSomewhereAsync()
    {
        var open = new[] { "08:00", "18:00" };
        var week = new[] { "mon", "tue", "wed", "thu", "fri", "sat", "sun" }.ToDictionary(d => d, _ => open);
        (await app.SendAsync(HttpMethod.Patch, clinic.Base, clinic.Admin, new { openingHours = week, chairs = 4 })).EnsureStatus(200);
        var patient = await clinic.RegisterPatientAsync();
        for (var day = new DateOnly(2026, 12, 1); day < new DateOnly(2027, 1, 1); day = day.AddDays(1))
        {
            var slots = (await clinic.GetAsync($"/availability?date={day:yyyy-MM-dd}")).EnsureStatus(200).Json!["slots"]!.AsArray();
            foreach (var slot in slots.Take(3))
            {
                var booked = await clinic.BookAsync(patient, slot!["start"]!.ToString());
                if (booked.Status == 201)
                {
                    return booked["id"]!;
                }
            }
        }
        throw new InvalidOperationException("No start left to book a session for the corpus.");
    }

    /// <summary>An open patient-message flag, raised by a signed text from the fixture's patient.</summary>
    private async Task<string> RaiseFlagAsync()
    {
        var body = $"corpus question {Interlocked.Increment(ref _texts).ToString(CultureInfo.InvariantCulture)}";
        (await TwilioRequests.PostSignedAsync(app, "/api/sms/inbound", TwilioRequests.Inbound(PatientPhone, clinic.SmsFrom, body))).EnsureStatus(200);
        var flags = await clinic.FlagsAsync("patient-message");
        return flags.First(f => f!["detail"]!.ToString().Contains(body, StringComparison.Ordinal))!["id"]!.ToString();
    }
}
