namespace ClinicBackend.Integration.Tests.Messaging;

public sealed class StatusCallbackTests : TwilioAppTest
{
    private string _patient = null!;
    private TwilioStandIn.SentText _sent = null!;

    protected override async Task SetUpAsync()
    {
        _patient = await Clinic.RegisterPatientAsync();
        (await Clinic.BookAsync(_patient, "2026-12-02T09:00")).Expect(201);
        App.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 1, 22, 0, 30, TimeSpan.Zero));
        await App.RunFunctionAsync("DispatchSms");
        _sent = Assert.Single(Twilio.Accepted);
    }

    private string CallbackPath => new Uri(_sent.StatusCallback!).PathAndQuery;

    private Task<Reply> CallbackAsync(string status, string? errorCode = null, string? sid = null) =>
        TwilioRequests.PostSignedAsync(App, CallbackPath, new Dictionary<string, string>
        {
            ["MessageSid"] = sid ?? _sent.Sid,
            ["SmsSid"] = sid ?? _sent.Sid,
            ["AccountSid"] = TwilioStandIn.AccountSid,
            ["MessageStatus"] = status,
            ["SmsStatus"] = status,
            ["To"] = _sent.To,
            ["From"] = _sent.From!,
            ["ApiVersion"] = "2010-04-01",
            ["ErrorCode"] = errorCode ?? "",
        });

    private async Task<string> StatusAsync() =>
        (await Clinic.MessagesAsync(_patient))[0]!["status"]!.ToString();

    [Fact]
    public async Task Statuses_only_move_forward_and_repeats_change_nothing()
    {
        (await CallbackAsync("sent")).Expect(204);
        Assert.Equal("sent", await StatusAsync());
        (await CallbackAsync("delivered")).Expect(204);
        Assert.Equal("delivered", await StatusAsync());
        (await CallbackAsync("sent")).Expect(204); // late and out of order
        (await CallbackAsync("delivered")).Expect(204); // repeated
        Assert.Equal("delivered", await StatusAsync());
        (await CallbackAsync("delivered", sid: "SM" + new string('9', 32))).Expect(204); // another message's sid
        Assert.Equal("delivered", await StatusAsync());
    }

    [Fact]
    public async Task A_callback_without_a_valid_signature_is_403_and_changes_nothing()
    {
        var fields = new Dictionary<string, string> { ["MessageSid"] = _sent.Sid, ["MessageStatus"] = "undelivered", ["ErrorCode"] = "30003" };
        (await TwilioRequests.PostSignedAsync(App, CallbackPath, fields, signature: "bm90IGEgc2lnbmF0dXJl")).ExpectProblem(403, "invalid-signature");
        (await TwilioRequests.PostSignedAsync(App, CallbackPath, fields, publicUrl: "https://evil.example.org" + CallbackPath)).ExpectProblem(403);
        var tampered = new Dictionary<string, string>(fields) { ["MessageStatus"] = "delivered" };
        (await TwilioRequests.PostSignedAsync(App, CallbackPath, fields, sentFields: tampered)).ExpectProblem(403);
        Assert.Equal("queued", await StatusAsync());
        Assert.Empty(await Clinic.FlagsAsync());
    }

    [Fact]
    public async Task An_undelivered_text_raises_one_flag_for_staff()
    {
        (await CallbackAsync("undelivered", "30003")).Expect(204);
        (await CallbackAsync("undelivered", "30003")).Expect(204);
        Assert.Equal("undelivered", await StatusAsync());
        var flag = Assert.Single(await Clinic.FlagsAsync())!;
        Assert.Equal("sms-undeliverable", flag["kind"]!.ToString());
        Assert.Contains("30003", flag["detail"]!.ToString());
    }
}
