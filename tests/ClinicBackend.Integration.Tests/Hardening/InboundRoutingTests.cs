using System.Xml.Linq;
using ClinicBackend.Domain.Messaging;

namespace ClinicBackend.Integration.Tests.Hardening;

/// <summary>
/// Issue #12, findings 3 and 4: inbound texts go to the clinic whose number was texted, a Messaging Service that carries
/// one clinic's traffic cannot be claimed by another, and crisis language from a stranger gets 988 (and the clinic an
/// urgent flag that shows the sender only by the last four digits).
/// </summary>
public sealed class InboundRoutingTests : TwilioAppTest
{
    private readonly GatedStore.Gate _store = new();

    protected override void ConfigureServices(IServiceCollection services) => GatedStore.Install(services, _store);

    private static string NewServiceSid() => "MG" + Guid.NewGuid().ToString("N");

    private async Task<string?> TextAsync(Dictionary<string, string> fields)
    {
        var reply = (await TwilioRequests.PostSignedAsync(App, "/api/sms/inbound", fields)).Expect(200);
        Assert.StartsWith("text/xml", reply.ContentType);
        return XDocument.Parse(reply.Body).Root!.Elements("Message").SingleOrDefault()?.Value;
    }

    [Fact]
    public async Task A_messaging_service_carrying_one_clinics_replies_cannot_be_claimed_by_another()
    {
        var service = NewServiceSid();
        var phone = Fixtures.UniquePhone();
        await Clinic.RegisterPatientAsync(phone: phone);

        // A's patient answers A's own number; Twilio's form names the Messaging Service that number belongs to.
        Assert.Contains("the clinic will get back to you", await TextAsync(TwilioRequests.Inbound(phone, Clinic.SmsFrom, "running late", messagingServiceSid: service)));
        Assert.Single(await Clinic.FlagsAsync("patient-message"));

        // B's admin tries to take that service as B's sender, to receive A's patients' replies: refused, and B keeps its number.
        var other = await AddClinicAsync();
        (await App.SendAsync(HttpMethod.Patch, other.Base, other.Admin, new { smsFrom = service })).ExpectProblem(409, "sms-number-in-use");
        Assert.Equal(other.SmsFrom, (await other.GetAsync("", other.Admin)).Expect(200)["smsFrom"]);
        (await App.PostAsync("/api/clinics", other.PlatformAdmin, Fixtures.ClinicBody(smsFrom: service))).ExpectProblem(409, "sms-number-in-use");
        // A itself may use it.
        (await App.SendAsync(HttpMethod.Patch, Clinic.Base, Clinic.Admin, new { smsFrom = service })).Expect(200);
        (await App.SendAsync(HttpMethod.Patch, Clinic.Base, Clinic.Admin, new { smsFrom = Clinic.SmsFrom })).Expect(200);

        // The next reply through the service to A's number still reaches A, and only A.
        await TextAsync(TwilioRequests.Inbound(phone, Clinic.SmsFrom, "still late", messagingServiceSid: service));
        Assert.Equal(2, (await Clinic.FlagsAsync("patient-message")).Count);
        Assert.Empty(await other.FlagsAsync());
    }

    [Fact]
    public async Task A_services_carrier_is_looked_up_until_it_is_on_record_and_not_after()
    {
        var service = NewServiceSid();
        var phone = Fixtures.UniquePhone();
        await Clinic.RegisterPatientAsync(phone: phone);
        for (var i = 0; i < 3; i++)
        {
            await TextAsync(TwilioRequests.Inbound(phone, Clinic.SmsFrom, $"running late {i}", messagingServiceSid: service));
        }
        Assert.Equal(3, (await Clinic.FlagsAsync("patient-message")).Count);
        Assert.Single(_store.PointReads, key => key.Contains(service, StringComparison.Ordinal));

        // On record for this clinic: another clinic still cannot take the service.
        var other = await AddClinicAsync();
        (await App.SendAsync(HttpMethod.Patch, other.Base, other.Admin, new { smsFrom = service })).ExpectProblem(409, "sms-number-in-use");
    }

    [Fact]
    public async Task The_number_texted_decides_before_a_service_another_clinic_claimed_first()
    {
        var service = NewServiceSid();
        var phone = Fixtures.UniquePhone();
        var patient = await Clinic.RegisterPatientAsync(phone: phone);
        // B claims the service before any traffic went through it (nothing to refuse yet).
        var other = await AddClinicAsync();
        (await App.SendAsync(HttpMethod.Patch, other.Base, other.Admin, new { smsFrom = service })).Expect(200);
        var atOther = await other.RegisterPatientAsync(phone: phone);

        await TextAsync(TwilioRequests.Inbound(phone, Clinic.SmsFrom, "STOP", messagingServiceSid: service));
        Assert.Equal("True", (await Clinic.GetAsync($"/patients/{patient}")).Json!["smsOptedOut"]!.ToString(), ignoreCase: true);
        Assert.Equal("False", (await other.GetAsync($"/patients/{atOther}")).Json!["smsOptedOut"]!.ToString(), ignoreCase: true);

        // A number no clinic owns, through B's service: B's.
        await TextAsync(TwilioRequests.Inbound(phone, "+12125550000", "STOP", messagingServiceSid: service));
        Assert.Equal("True", (await other.GetAsync($"/patients/{atOther}")).Json!["smsOptedOut"]!.ToString(), ignoreCase: true);
    }

    [Fact]
    public async Task A_stranger_in_crisis_gets_988_and_the_clinic_an_urgent_flag_without_the_number()
    {
        const string stranger = "+12125557321";
        var fields = TwilioRequests.Inbound(stranger, Clinic.SmsFrom, "I want to die");
        var reply = await TextAsync(fields);
        Assert.StartsWith("If you are in crisis, call or text 988", reply);
        Assert.Contains("(212) 555-0100", reply);

        var flag = Assert.Single(await Clinic.FlagsAsync("crisis"))!;
        Assert.Equal("urgent", flag["severity"]!.ToString());
        Assert.Null(flag["patientId"]);
        Assert.Contains("ending 7321", flag["detail"]!.ToString());
        Assert.DoesNotContain("555732", flag["detail"]!.ToString());
        // Nowhere in the clinic's data: the full number of someone who is not a patient.
        Assert.DoesNotContain((await StoredRows.PartitionAsync(App, Clinic.ClinicId)).Values, r => r.Data.Contains("2125557321", StringComparison.Ordinal));

        // Twilio's retry: the same answer, still one flag.
        Assert.Equal(reply, await TextAsync(fields));
        Assert.Single(await Clinic.FlagsAsync("crisis"));
        // A stranger without crisis language: the neutral reply and nothing else.
        Assert.Equal(SmsTexts.UnknownSender, await TextAsync(TwilioRequests.Inbound(stranger, Clinic.SmsFrom, "who is this?")));
        Assert.Single(await Clinic.FlagsAsync());
    }

    [Fact]
    public async Task Crisis_language_to_a_number_no_clinic_owns_gets_988()
    {
        Assert.Equal(SmsTexts.CrisisFromUnknown, await TextAsync(TwilioRequests.Inbound("+12125557322", "+12125550000", "I want to kill myself")));
        Assert.Equal(SmsTexts.UnknownSender, await TextAsync(TwilioRequests.Inbound("+12125557322", "+12125550000", "hello")));
        Assert.Empty(await Clinic.FlagsAsync());
    }
}
