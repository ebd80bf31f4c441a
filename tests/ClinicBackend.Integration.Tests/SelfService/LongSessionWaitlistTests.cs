using ClinicBackend.Application.Persistence;

namespace ClinicBackend.Integration.Tests.SelfService;

/// <summary>
/// A long session (200 minutes on 5-minute slots: 40 chair claims) moved earlier by a "1" to a waitlist offer: the
/// move's 40 new and 40 freed claims, its own rows, the offer, the entry and the reply's records exceed one
/// transaction's 100 rows unless the old claims are freed right after the commit, as a staff move of a longer one is.
/// </summary>
public sealed class LongSessionWaitlistTests : TwilioAppTest
{
    protected override ClinicOptions ClinicOptions => new()
    {
        SlotMinutes = 5,
        Chairs = 1,
        Adjust = body =>
        {
            body["sessionMinutes"] = 200;
            body["selfService"] = new { reschedule = true, waitlist = true, waitlistOfferMinutes = 30 };
        },
    };

    [Fact]
    public async Task A_long_session_moves_earlier_into_a_freed_chair_by_text()
    {
        var taken = (await Clinic.BookAsync(await Clinic.RegisterPatientAsync(), "2026-12-01T10:00")).Expect(201)["id"]!;
        var phone = Fixtures.UniquePhone();
        var patient = await Clinic.RegisterPatientAsync(phone);
        var later = (await Clinic.BookAsync(patient, "2026-12-04T09:00")).Expect(201)["id"]!;
        (await Clinic.PostAsync("/waitlist", new { patientId = patient, from = "2026-12-01", to = "2026-12-03", earliest = "08:00", latest = "12:00", sessionId = later })).Expect(201);
        (await Clinic.PostAsync($"/sessions/{taken}/cancel", new { reason = "Patient is travelling." })).Expect(200);
        await App.RunFunctionAsync("DispatchSms");

        Assert.Contains("done", await TextAsync(phone, "1"));
        var moved = (await Clinic.GetAsync($"/sessions/{later}")).Expect(200);
        Assert.Equal("2026-12-01T10:00", moved["start"]);
        var claims = (await StoredRows.ChairClaimsAsync(App, Clinic.ClinicId)).Where(c => c.SessionId == later).Select(c => c.Key).ToList();
        Assert.Equal(40, claims.Count);
        Assert.All(claims, c => Assert.StartsWith("chair|20261201", c));
        Assert.Empty(await StoredRows.PartitionAsync(App, Clinic.ClinicId, Keys.ClaimReleasePrefix));
    }
}
