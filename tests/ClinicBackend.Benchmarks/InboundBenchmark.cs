using ClinicBackend.LocalHost;
using ClinicBackend.Testing;

namespace ClinicBackend.Benchmarks;

/// <summary>Signed patient replies through the whole webhook (signature, routing, interpretation, one commit), against Twilio's 15 s limit.</summary>
public static class InboundBenchmark
{
    public static async Task<IReadOnlyList<Measure.Result>> RunAsync(AzuriteProcess azurite, int perClient)
    {
        await using var twilio = await TwilioStandIn.StartAsync();
        var settings = twilio.Settings();
        await using var host = await BenchmarkHost.StartAsync(azurite, settings);
        const string smsFrom = "+12125550199";
        var clinicId = await host.CreateClinicAsync(chairs: 10, smsFrom: smsFrom);
        var phones = new List<string>();
        for (var i = 0; i < 16; i++)
        {
            var phone = $"+1212{3000000 + i:D7}";
            await host.RegisterPatientAsync(clinicId, phone);
            phones.Add(phone);
        }
        var results = new List<Measure.Result>();
        var sequence = 0;
        foreach (var clients in new[] { 1, 8 })
        {
            var bodies = new[] { "1", "2", "STOP", "START", "can I come at 10?", "HELP" };
            results.Add(await Measure.RunAsync("signed inbound text -> TwiML", clients, perClient, async (c, i) =>
            {
                var sid = $"SM{Interlocked.Increment(ref sequence):D32}";
                var fields = new Dictionary<string, string>
                {
                    ["MessageSid"] = sid, ["AccountSid"] = TwilioStandIn.AccountSid, ["From"] = phones[c],
                    ["To"] = smsFrom, ["Body"] = bodies[i % bodies.Length], ["NumMedia"] = "0",
                };
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/sms/inbound") { Content = new FormUrlEncodedContent(fields) };
                request.Headers.TryAddWithoutValidation("X-Twilio-Signature", TwilioRequests.Sign(settings["Twilio:PublicBaseUrl"] + "/api/sms/inbound", fields));
                using var response = await host.Http.SendAsync(request);
                return response.IsSuccessStatusCode;
            }));
        }
        return results;
    }
}
