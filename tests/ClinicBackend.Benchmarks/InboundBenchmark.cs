using ClinicBackend.LocalHost;
using ClinicBackend.Testing;

namespace ClinicBackend.Benchmarks;

/// <summary>Signed patient replies through the whole webhook (signature, routing, interpretation, one commit), against Twilio's 15 s limit.</summary>
public static class InboundBenchmark
{
    public static async Task<(IReadOnlyList<Measure.Result> Results, IReadOnlyList<string> Breakdown)> RunAsync(AzuriteProcess azurite, int perClient)
    {
        await using var twilio = await TwilioStandIn.StartAsync();
        var settings = twilio.Settings();
        await using var host = await BenchmarkHost.StartAsync(azurite, settings, countStorage: true);
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
        var bodies = new[] { "1", "2", "STOP", "START", "can I come at 10?", "HELP" };
        async Task<bool> TextAsync(int client, int i)
        {
            var sid = $"SM{Interlocked.Increment(ref sequence):D32}";
            var fields = new Dictionary<string, string>
            {
                ["MessageSid"] = sid,
                ["AccountSid"] = TwilioStandIn.AccountSid,
                ["From"] = phones[client],
                ["To"] = smsFrom,
                ["Body"] = bodies[i % bodies.Length],
                ["NumMedia"] = "0",
            };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/sms/inbound") { Content = new FormUrlEncodedContent(fields) };
            request.Headers.TryAddWithoutValidation("X-Twilio-Signature", TwilioRequests.Sign(settings["Twilio:PublicBaseUrl"] + "/api/sms/inbound", fields));
            using var response = await host.Http.SendAsync(request);
            return response.IsSuccessStatusCode;
        }
        foreach (var clients in new[] { 1, 8 })
        {
            results.Add(await Measure.RunAsync("signed inbound text -> TwiML", clients, perClient, TextAsync));
        }
        return (results, await BreakdownAsync(host, bodies, TextAsync));
    }

    /// <summary>The storage calls of one text of each kind, in order, with when each started and how long it took.</summary>
    private static async Task<IReadOnlyList<string>> BreakdownAsync(BenchmarkHost host, string[] bodies, Func<int, int, Task<bool>> text)
    {
        var lines = new List<string> { "one inbound text of each kind, call by call (ms from the request's start: start + duration):" };
        for (var i = 0; i < bodies.Length; i++)
        {
            await Task.Delay(200);
            host.Probe.Calls.Clear();
            host.Probe.Tracing = true;
            var from = System.Diagnostics.Stopwatch.GetTimestamp();
            await text(15, i);
            var ms = System.Diagnostics.Stopwatch.GetElapsedTime(from).TotalMilliseconds;
            host.Probe.Tracing = false;
            var calls = host.Probe.Calls.OrderBy(c => c.Started).ToList();
            lines.Add($"  \"{bodies[i]}\": {ms:F1} ms, {calls.Count} calls: "
                + string.Join(", ", calls.Select(c => $"{c.Label} {System.Diagnostics.Stopwatch.GetElapsedTime(from, c.Started).TotalMilliseconds:F1}+{c.Ms:F1}")));
        }
        return lines;
    }
}
