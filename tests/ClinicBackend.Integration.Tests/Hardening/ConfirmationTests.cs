using System.Diagnostics;
using Xunit.Abstractions;

namespace ClinicBackend.Integration.Tests.Hardening;

/// <summary>
/// Issue #12, finding 8: a repeated "1" changes nothing (no history entry, no new version, so staff's If-Match still holds),
/// and a session's history stays bounded however often it is moved and confirmed.
/// </summary>
public sealed class ConfirmationTests(ITestOutputHelper output) : TwilioAppTest
{
    private string _phone = null!;
    private string _session = null!;

    protected override async Task SetUpAsync()
    {
        _phone = Fixtures.UniquePhone();
        var patient = await Clinic.RegisterPatientAsync(phone: _phone);
        _session = (await Clinic.BookAsync(patient, "2026-12-02T09:00")).Expect(201)["id"]!;
    }

    private async Task<string> TextAsync(string body) =>
        (await TwilioRequests.PostSignedAsync(App, "/api/sms/inbound", TwilioRequests.Inbound(_phone, Clinic.SmsFrom, body))).Expect(200).Body;

    private async Task<System.Text.Json.Nodes.JsonNode> SessionAsync() => (await Clinic.GetAsync($"/sessions/{_session}")).Expect(200).Json!;

    /// <summary>Audit entries of changes (reads of patient data are audited too, in the background).</summary>
    private async Task<int> ChangesAuditedAsync() =>
        (await Clinic.GetAsync("/audit?limit=1000", Clinic.Admin)).Expect(200).Json!["entries"]!.AsArray()
            .Count(e => !e!["action"]!.ToString().EndsWith("-viewed", StringComparison.Ordinal));

    [Fact]
    public async Task Confirming_twice_changes_nothing_the_second_time()
    {
        var first = await TextAsync("1");
        var once = await SessionAsync();
        Assert.Equal("accepted", once["confirmation"]!.ToString());
        Assert.Equal(2, (int)once["version"]!);
        var audited = await ChangesAuditedAsync();

        Assert.Equal(first, await TextAsync("1"));
        Assert.Equal(first, await TextAsync("CONFIRM"));
        var twice = await SessionAsync();
        Assert.Equal(2, (int)twice["version"]!);
        Assert.Equal(once["history"]!.ToJsonString(), twice["history"]!.ToJsonString());
        Assert.Equal(audited, await ChangesAuditedAsync());

        // Staff read version 2 before the repeats; their If-Match still holds.
        App.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 2, 13, 30, 0, TimeSpan.Zero));
        (await Clinic.PostAsync($"/sessions/{_session}/check-in", ifMatch: "\"2\"")).Expect(200);
    }

    [Fact]
    public async Task Three_hundred_twenty_moves_and_confirmations_keep_the_history_bounded_and_the_session_working()
    {
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 320; i++)
        {
            var start = i % 2 == 0 ? "2026-12-02T09:15" : "2026-12-02T09:00";
            (await Clinic.PostAsync($"/sessions/{_session}/reschedule", new { start })).Expect(200);
            await TextAsync("1");
        }
        output.WriteLine($"320 reschedule + confirm cycles: {clock.Elapsed.TotalSeconds:F1} s");

        var session = await SessionAsync();
        Assert.Equal(1 + 2 * 320, (int)session["version"]!);
        Assert.Equal("accepted", session["confirmation"]!.ToString());
        var history = session["history"]!.AsArray();
        Assert.Equal(50, history.Count);
        Assert.Equal("confirmed-by-sms", history[^1]!["action"]!.ToString());

        App.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 2, 13, 30, 0, TimeSpan.Zero));
        (await Clinic.PostAsync($"/sessions/{_session}/check-in", ifMatch: $"\"{1 + 2 * 320}\"")).Expect(200);
        var cancelled = (await Clinic.PostAsync($"/sessions/{_session}/cancel", new { reason = "left before dosing" })).Expect(200);
        Assert.Equal("cancelled", cancelled["status"]);
        Assert.Equal(50, cancelled.Json!["history"]!.AsArray().Count);
        Assert.Contains("no upcoming visit", await TextAsync("1"));
        Assert.Contains("the clinic will get back to you", await TextAsync("thanks"));
    }
}
