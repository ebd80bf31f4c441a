using System.Diagnostics;
using Xunit.Abstractions;

namespace ClinicBackend.Integration.Tests.Drills;

/// <summary>
/// Drill: 200 concurrent signed inbound texts, every one of 100 distinct messages sent twice (Twilio's retries racing the
/// original). Each message is applied once: one inbound record, one history row, one flag; both copies get the same answer.
/// </summary>
public sealed class InboundDrillTests(ITestOutputHelper output) : TwilioAppTest
{
    private const int Patients = 20;
    private const int Messages = 100;

    [Fact]
    public async Task Two_hundred_concurrent_webhooks_half_of_them_repeats_apply_each_message_once()
    {
        var phones = Enumerable.Range(0, Patients).Select(_ => Fixtures.UniquePhone()).ToArray();
        var patients = new string[Patients];
        for (var i = 0; i < Patients; i++)
        {
            patients[i] = await Clinic.RegisterPatientAsync(phone: phones[i]);
        }
        var forms = Enumerable.Range(0, Messages).Select(i => TwilioRequests.Inbound(phones[i % Patients], Clinic.SmsFrom, $"question number {i}")).ToList();
        var sends = forms.Concat(forms).Select((form, i) => (Form: form, Order: Random.Shared.Next())).OrderBy(s => s.Order).Select(s => s.Form).ToList();

        var clock = Stopwatch.StartNew();
        var replies = await Task.WhenAll(sends.Select(async form => (Sid: form["MessageSid"], Reply: await TwilioRequests.PostSignedAsync(App, "/api/sms/inbound", form))));
        clock.Stop();

        Assert.All(replies, r => r.Reply.Expect(200));
        Assert.All(replies.GroupBy(r => r.Sid), pair =>
        {
            Assert.Equal(2, pair.Count());
            Assert.Single(pair.Select(r => r.Reply.Body).Distinct());
        });

        var inbound = await StoredRows.PartitionAsync(App, Clinic.ClinicId, "inbound|");
        Assert.Equal(Messages, inbound.Count);
        var history = (await StoredRows.PartitionAsync(App, Clinic.ClinicId, "msg|")).Values.Where(r => r.Field("direction") == "inbound").ToList();
        Assert.Equal(Messages, history.Count);
        Assert.Equal(forms.Select(f => f["MessageSid"]).Order(StringComparer.Ordinal), history.Select(r => r.Field("twilioSid")!).Order(StringComparer.Ordinal));
        var flags = (await Clinic.GetAsync("/flags?status=open&kind=patient-message&limit=500")).Expect(200).Json!["flags"]!.AsArray();
        Assert.Equal(Messages, flags.Count);
        Assert.Equal(Messages, flags.Select(f => f!["detail"]!.ToString()).Distinct().Count());
        foreach (var patient in patients)
        {
            Assert.Equal(Messages / Patients, (await Clinic.MessagesAsync(patient)).Count(m => m!["direction"]!.ToString() == "inbound"));
        }
        Assert.DoesNotContain(App.Errors.GetSnapshot(), r => r.Category == typeof(ClinicBackend.Functions.Pipeline.HttpPipeline).FullName);

        output.WriteLine($"{sends.Count} concurrent signed webhooks ({Messages} messages, each twice, from {Patients} patients) in {clock.Elapsed.TotalSeconds:F1} s: "
            + $"{replies.Count(r => r.Reply.Status == 200)} answered 200; afterwards {inbound.Count} inbound records, {history.Count} history rows, "
            + $"{flags.Count} patient-message flags.");
    }
}
