using ClinicBackend.Application.Access;

namespace ClinicBackend.Integration.Tests.Hardening;

/// <summary>
/// Issue #12, finding 12: who viewed which patient is audited (the record, their sessions, their messages, their flags), written
/// off the request path; a read that finds nothing records nothing.
/// </summary>
public sealed class PatientReadAuditTests : TwilioAppTest
{
    private async Task<List<(string Action, string Actor, string EntityId)>> ReadsAuditedAsync()
    {
        await App.Services.GetRequiredService<PatientReads>().FlushAsync(CancellationToken.None);
        return (await Clinic.GetAsync("/audit?limit=1000", Clinic.Admin)).Expect(200).Json!["entries"]!.AsArray()
            .Select(e => (e!["action"]!.ToString(), e["actor"]!.ToString(), e["entityId"]!.ToString()))
            .Where(e => e.Item1.EndsWith("-viewed", StringComparison.Ordinal)).ToList();
    }

    [Fact]
    public async Task Each_kind_of_patient_read_is_audited_with_the_reader_and_the_patient()
    {
        var phone = Fixtures.UniquePhone();
        var patient = await Clinic.RegisterPatientAsync(phone: phone);
        var bystander = await Clinic.RegisterPatientAsync();
        var session = (await Clinic.BookAsync(patient, "2026-12-02T09:00")).Expect(201)["id"]!;
        (await TwilioRequests.PostSignedAsync(App, "/api/sms/inbound", TwilioRequests.Inbound(phone, Clinic.SmsFrom, "can I come earlier?"))).Expect(200);
        Assert.Empty(await ReadsAuditedAsync());

        var staff = $"staff-{Clinic.ClinicId}";
        var reads = new (string Path, string Action)[]
        {
            ($"/patients/{patient}", "patient.record-viewed"),
            ($"/sessions?patientId={patient}", "patient.sessions-viewed"),
            ($"/sessions/{session}", "patient.sessions-viewed"),
            ("/sessions?date=2026-12-02", "patient.sessions-viewed"),
            ($"/patients/{patient}/messages", "patient.messages-viewed"),
            ("/flags", "patient.flags-viewed"),
        };
        foreach (var (path, action) in reads)
        {
            (await Clinic.GetAsync(path)).Expect(200);
            var audited = await ReadsAuditedAsync();
            Assert.Contains((action, staff, patient), audited);
            Assert.DoesNotContain(audited, a => a.EntityId == bystander);
        }

        // Reads that find nothing, or find no patient, are not audited as views of anyone.
        var before = (await ReadsAuditedAsync()).Count;
        (await Clinic.GetAsync("/patients/nosuchpatient1")).Expect(404);
        (await Clinic.GetAsync("/sessions?date=2026-12-03")).Expect(200);
        (await Clinic.GetAsync("/flags?status=resolved")).Expect(200);
        var other = await AddClinicAsync();
        (await other.GetAsync($"/patients/{patient}")).Expect(404);
        Assert.Equal(before, (await ReadsAuditedAsync()).Count);
    }
}
