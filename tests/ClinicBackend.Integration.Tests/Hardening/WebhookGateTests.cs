using System.Text;

namespace ClinicBackend.Integration.Tests.Hardening;

/// <summary>
/// Issue #12, findings 5 and 6: Twilio's webhooks read at most 64 KiB (counted while reading, chunked or not) and 256 form
/// fields, take only forms, and act only on requests about the configured Twilio account. None of it is a 500 or writes.
/// </summary>
public sealed class WebhookGateTests : TwilioAppTest
{
    private const string Url = "https://clinic.example.org/api/sms/inbound";
    private string _phone = null!;
    private string _patient = null!;

    protected override async Task SetUpAsync()
    {
        _phone = Fixtures.UniquePhone();
        _patient = await Clinic.RegisterPatientAsync(phone: _phone);
    }

    private async Task<Reply> SendAsync(string path, HttpContent content, string? signature = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Twilio-Signature", signature);
        }
        using var response = await App.Http.SendAsync(request);
        return await Reply.ReadAsync(response);
    }

    private static byte[] Form(IEnumerable<KeyValuePair<string, string>> fields) =>
        Encoding.ASCII.GetBytes(string.Join('&', fields.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value)}")));

    private async Task ExpectNothingRecordedAsync()
    {
        Assert.Empty(await Clinic.FlagsAsync());
        Assert.DoesNotContain(await Clinic.MessagesAsync(_patient), m => m!["direction"]!.ToString() == "inbound");
        Assert.Empty(await StoredRows.PartitionAsync(App, Clinic.ClinicId, "inbound|"));
    }

    [Theory]
    [InlineData("/api/sms/inbound")]
    [InlineData("/api/sms/status?ref=a.b.c")]
    public async Task Bodies_over_64_KiB_are_413_chunked_or_not_signed_or_not(string path) // megabytes: BodyLimitTests
    {
        var fields = TwilioRequests.Inbound(_phone, Clinic.SmsFrom, new string('x', 70 * 1024));
        var signature = TwilioRequests.Sign("https://clinic.example.org" + path, fields);
        var body = Form(fields);
        (await SendAsync(path, new ChunkedContent(body, "application/x-www-form-urlencoded"))).ExpectProblem(413);
        (await SendAsync(path, new ChunkedContent(body, "application/x-www-form-urlencoded", chunkSize: 100), signature)).ExpectProblem(413);
        (await SendAsync(path, new ByteArrayContent(body) { Headers = { { "Content-Type", "application/x-www-form-urlencoded" } } }, signature)).ExpectProblem(413);
        await ExpectNothingRecordedAsync();
    }

    [Theory]
    [InlineData("/api/sms/inbound")]
    [InlineData("/api/sms/status?ref=a.b.c")]
    public async Task A_form_of_1100_fields_is_refused_signed_or_not(string path)
    {
        var fields = TwilioRequests.Inbound(_phone, Clinic.SmsFrom, "1");
        var extra = 1100 - fields.Count;
        for (var i = 0; i < extra; i++)
        {
            fields[$"F{i}"] = "v";
        }
        Assert.Equal(1100, fields.Count);
        var signed = await SendAsync(path, new ByteArrayContent(Form(fields)) { Headers = { { "Content-Type", "application/x-www-form-urlencoded" } } },
            TwilioRequests.Sign("https://clinic.example.org" + path, fields));
        var unsigned = await SendAsync(path, new ChunkedContent(Form(fields), "application/x-www-form-urlencoded"));
        foreach (var reply in new[] { signed, unsigned })
        {
            Assert.True(reply.Status is 413 or 403, reply.StatusMismatch(413));
            reply.ExpectProblem(reply.Status);
        }
        Assert.Equal(413, signed.Status); // counted before the signature is looked at
        await ExpectNothingRecordedAsync();
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    [InlineData("application/octet-stream")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData(null)]
    public async Task Anything_but_a_form_is_403(string? contentType)
    {
        var fields = TwilioRequests.Inbound(_phone, Clinic.SmsFrom, "1");
        var signature = TwilioRequests.Sign(Url, fields);
        var content = new ByteArrayContent(Form(fields));
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }
        (await SendAsync("/api/sms/inbound", content, signature)).ExpectProblem(403, "invalid-signature");
        var json = new StringContent(System.Text.Json.JsonSerializer.Serialize(fields), Encoding.UTF8, "application/json");
        (await SendAsync("/api/sms/inbound", json, signature)).ExpectProblem(403, "invalid-signature");
        await ExpectNothingRecordedAsync();
    }

    [Fact]
    public async Task A_url_encoded_form_with_a_charset_goes_through()
    {
        var fields = TwilioRequests.Inbound(_phone, Clinic.SmsFrom, "running late");
        var content = new ByteArrayContent(Form(fields));
        content.Headers.TryAddWithoutValidation("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8");
        (await SendAsync("/api/sms/inbound", content, TwilioRequests.Sign(Url, fields))).Expect(200);
        Assert.Single(await Clinic.FlagsAsync("patient-message"));
    }

    [Theory]
    [InlineData("AC" + "ffffffffffffffffffffffffffffffff")]
    [InlineData("")]
    [InlineData(null)]
    public async Task A_signed_webhook_about_another_account_is_403_and_changes_nothing(string? accountSid)
    {
        var fields = TwilioRequests.Inbound(_phone, Clinic.SmsFrom, "running late");
        if (accountSid is null)
        {
            fields.Remove("AccountSid");
        }
        else
        {
            fields["AccountSid"] = accountSid;
        }
        (await TwilioRequests.PostSignedAsync(App, "/api/sms/inbound", fields)).ExpectProblem(403, "other-account");
        var status = new Dictionary<string, string>
        {
            ["MessageSid"] = "SM" + new string('a', 32),
            ["MessageStatus"] = "undelivered",
            ["ErrorCode"] = "30003",
        };
        if (accountSid is not null)
        {
            status["AccountSid"] = accountSid;
        }
        (await TwilioRequests.PostSignedAsync(App, $"/api/sms/status?ref={Clinic.ClinicId}.{_patient}.m1", status)).ExpectProblem(403, "other-account");
        await ExpectNothingRecordedAsync();

        // The same text about this account goes through.
        fields["AccountSid"] = TwilioStandIn.AccountSid;
        (await TwilioRequests.PostSignedAsync(App, "/api/sms/inbound", fields)).Expect(200);
        Assert.Single(await Clinic.FlagsAsync("patient-message"));
    }
}
