using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace ClinicBackend.Integration.Tests.Fhir;

/// <summary>
/// Refusals on the FHIR routes are OperationOutcomes with the statuses of the rest of the API and the issue code that says
/// why; another clinic's ids are 404 like unknown ones; only JSON is served; unknown parameters are refused. Every answer is
/// validated against the base R4 profiles. Monday 2026-11-30 10:00 in New York.
/// </summary>
public sealed class FhirRefusalTests : ClinicAppTest
{
    private FhirTestClient _fhir = null!;

    protected override Task SetUpAsync()
    {
        _fhir = new FhirTestClient(App, Clinic.ClinicId, Clinic.Staff);
        return Task.CompletedTask;
    }

    public override async Task DisposeAsync()
    {
        _fhir.Dispose();
        await base.DisposeAsync();
    }

    private static OperationOutcome.IssueComponent Refused((int Status, Resource? Resource, HttpResponseMessage Raw) reply, int status,
        OperationOutcome.IssueType code, string? problem = null)
    {
        Assert.Equal(status, reply.Status);
        var issue = ((OperationOutcome)reply.Resource!).Issue.First();
        Assert.Equal(OperationOutcome.IssueSeverity.Error, issue.Severity);
        Assert.Equal(code, issue.Code);
        Assert.False(string.IsNullOrWhiteSpace(issue.Diagnostics), "an issue says what to change");
        if (problem is not null)
        {
            Assert.Equal(problem, issue.Details!.Coding[0].Code);
        }
        return issue;
    }

    private static string Book(string patientId, string startUtc, string status = "proposed") =>
        $$$"""{"resourceType":"Parameters","parameter":[{"name":"appointment","resource":{"resourceType":"Appointment","status":"{{{status}}}","start":"{{{startUtc}}}","participant":[{"actor":{"reference":"Patient/{{{patientId}}}"},"status":"needs-action"}]}}]}""";

    [Fact]
    public async Task The_pipeline_and_the_format_checks_answer_with_operation_outcomes()
    {
        using var anonymous = new FhirTestClient(App, Clinic.ClinicId, token: null);
        Refused(await anonymous.SendAsync(HttpMethod.Get, "metadata"), 401, OperationOutcome.IssueType.Login, "unauthorized");
        Refused(await _fhir.SendAsync(HttpMethod.Get, "metadata", accept: "application/fhir+xml"), 406, OperationOutcome.IssueType.NotSupported);
        Refused(await _fhir.SendAsync(HttpMethod.Get, "metadata?_format=xml"), 406, OperationOutcome.IssueType.NotSupported);
        Assert.Equal(200, (await _fhir.SendAsync(HttpMethod.Get, "metadata?_format=json", accept: "application/fhir+xml")).Status);
        Assert.Equal(200, (await _fhir.SendAsync(HttpMethod.Get, "metadata", accept: "application/fhir+xml;q=0.9, application/fhir+json")).Status);

        var unknown = Refused(await _fhir.SendAsync(HttpMethod.Get, "Slot?start=ge2026-12-07&start=lt2026-12-08&_count=5"), 400, OperationOutcome.IssueType.Invalid);
        Assert.Equal("_count", Assert.Single(unknown.Expression));
        Refused(await _fhir.SendAsync(HttpMethod.Get, "Appointment?date:missing=true"), 400, OperationOutcome.IssueType.Invalid);
        Refused(await _fhir.SendAsync(HttpMethod.Get, "Slot?start=ge2026-12-07"), 400, OperationOutcome.IssueType.Invalid);
        Refused(await _fhir.SendAsync(HttpMethod.Get, "Slot?start=ge2026-12-07&start=lt2027-02-08"), 400, OperationOutcome.IssueType.Invalid);
        Refused(await _fhir.SendAsync(HttpMethod.Get, "Slot?start=sa2026-12-07&start=lt2026-12-08"), 400, OperationOutcome.IssueType.Invalid);

        Refused(await _fhir.SendAsync(HttpMethod.Post, "Appointment/$book", "<Parameters/>", "application/fhir+xml"), 415, OperationOutcome.IssueType.NotSupported);
        Refused(await _fhir.SendAsync(HttpMethod.Post, "Appointment/$book", """{"resourceType":"Parameters","bogus":1}"""), 400, OperationOutcome.IssueType.Invalid);
        Refused(await _fhir.SendAsync(HttpMethod.Post, "Appointment/$book", """{"resourceType":"Patient"}"""), 400, OperationOutcome.IssueType.Invalid);
        Assert.Empty(await StoredRows.PartitionAsync(App, Clinic.ClinicId, "session|"));
    }

    [Fact]
    public async Task Booking_refusals_are_the_ones_post_sessions_gives_as_conflict_and_business_rule_issues()
    {
        var patient = await Clinic.RegisterPatientAsync();
        Refused(await _fhir.SendAsync(HttpMethod.Post, "Appointment/$book", Book(patient, "2026-11-30T14:00:00Z")), 422, OperationOutcome.IssueType.BusinessRule, "in-the-past");
        Refused(await _fhir.SendAsync(HttpMethod.Post, "Appointment/$book", Book(patient, "2026-12-02T14:05:00Z")), 422, OperationOutcome.IssueType.BusinessRule, "off-grid");
        Refused(await _fhir.SendAsync(HttpMethod.Post, "Appointment/$book", Book(patient, "2026-12-05T14:00:00Z")), 422, OperationOutcome.IssueType.BusinessRule, "outside-opening-hours");
        Refused(await _fhir.SendAsync(HttpMethod.Post, "Appointment/$book", Book(patient, "2026-12-02T14:00:00Z", "booked")), 422, OperationOutcome.IssueType.BusinessRule, "not-bookable");

        var booked = await _fhir.SendAsync(HttpMethod.Post, "Appointment/$book", Book(patient, "2026-12-02T14:00:00Z"));
        Assert.Equal(200, booked.Status);
        Assert.Equal("W/\"1\"", booked.Raw.Headers.ETag!.ToString());
        Refused(await _fhir.SendAsync(HttpMethod.Post, "Appointment/$book", Book(patient, "2026-12-02T17:00:00Z")), 409, OperationOutcome.IssueType.Conflict, "patient-conflict");
        var missing = Refused(await _fhir.SendAsync(HttpMethod.Post, "Appointment/$book",
            """{"resourceType":"Parameters","parameter":[{"name":"appointment","resource":{"resourceType":"Appointment","status":"proposed","participant":[{"status":"needs-action"}]}}]}"""),
            400, OperationOutcome.IssueType.Invalid, "validation");
        Assert.NotEmpty(missing.Expression);

        // Update: only status, only to cancelled, at the version read.
        var appointment = (Appointment)booked.Resource!;
        var moved = (Appointment)appointment.DeepCopy();
        moved.StartElement = new Instant { JsonValue = "2026-12-02T15:00:00Z" };
        Refused(await _fhir.SendAsync(HttpMethod.Put, $"Appointment/{appointment.Id}", Json(moved)), 422, OperationOutcome.IssueType.BusinessRule, "only-cancel");
        var arrived = (Appointment)appointment.DeepCopy();
        arrived.Status = Appointment.AppointmentStatus.Arrived;
        Refused(await _fhir.SendAsync(HttpMethod.Put, $"Appointment/{appointment.Id}", Json(arrived)), 422, OperationOutcome.IssueType.BusinessRule, "only-cancel");
        var cancelled = (Appointment)appointment.DeepCopy();
        cancelled.Status = Appointment.AppointmentStatus.Cancelled;
        Refused(await _fhir.SendAsync(HttpMethod.Put, $"Appointment/{appointment.Id}", Json(cancelled), ifMatch: "W/\"7\""), 409, OperationOutcome.IssueType.Conflict, "stale-version");
        Refused(await _fhir.SendAsync(HttpMethod.Put, "Appointment/zzzzzzzzzzzz", Json(cancelled)), 400, OperationOutcome.IssueType.Invalid);
        Assert.Equal("booked", (await Clinic.GetAsync($"/sessions/{appointment.Id}")).Expect(200)["status"]);
        Assert.Equal(200, (await _fhir.SendAsync(HttpMethod.Put, $"Appointment/{appointment.Id}", Json(cancelled), ifMatch: "W/\"1\"")).Status);
        Assert.Equal("cancelled", (await Clinic.GetAsync($"/sessions/{appointment.Id}")).Expect(200)["status"]);
    }

    [Fact]
    public async Task Another_clinics_ids_are_not_found_like_unknown_ones()
    {
        var other = await AddClinicAsync();
        var theirPatient = await other.RegisterPatientAsync();
        var theirSession = (await other.BookAsync(theirPatient, "2026-12-02T09:00")).Expect(201)["id"]!;
        var ourPatient = await Clinic.RegisterPatientAsync();

        Refused(await _fhir.SendAsync(HttpMethod.Get, $"Patient/{theirPatient}"), 404, OperationOutcome.IssueType.NotFound);
        Refused(await _fhir.SendAsync(HttpMethod.Get, $"Appointment/{theirSession}"), 404, OperationOutcome.IssueType.NotFound);
        Refused(await _fhir.SendAsync(HttpMethod.Get, "Appointment/zzzzzzzzzzzz"), 404, OperationOutcome.IssueType.NotFound);
        Refused(await _fhir.SendAsync(HttpMethod.Post, "Appointment/$book", Book(theirPatient, "2026-12-03T14:00:00Z")), 422, OperationOutcome.IssueType.BusinessRule, "unknown-patient");
        Assert.Empty(await _fhir.SearchAsync<Appointment>($"patient=Patient/{theirPatient}"));

        // Their staff, on our base, see nothing of it: the clinic itself is not found.
        using var theirs = new FhirTestClient(App, Clinic.ClinicId, other.Staff);
        Refused(await theirs.SendAsync(HttpMethod.Get, "metadata"), 404, OperationOutcome.IssueType.NotFound);
        Refused(await theirs.SendAsync(HttpMethod.Get, $"Patient/{ourPatient}"), 404, OperationOutcome.IssueType.NotFound);
    }

    [Fact]
    public async Task A_patient_reads_with_name_telecom_language_birth_date_and_gender_and_is_found_by_the_external_id_of_the_clinics_system()
    {
        var patient = await Clinic.RegisterPatientAsync(language: "es");
        var externalId = "EHR-" + Guid.NewGuid().ToString("N")[..8];
        var before = await _fhir.ReadAsync<Patient>($"Patient/{patient}");
        Assert.Null(before.BirthDate);
        Assert.Null(before.Gender);
        (await App.SendAsync(HttpMethod.Patch, $"{Clinic.Base}/patients/{patient}", Clinic.Staff, new { externalId, dateOfBirth = "1984-02-29", sex = "female" })).Expect(200);

        var read = await _fhir.ReadAsync<Patient>($"Patient/{patient}");
        Assert.Equal(("1984-02-29", AdministrativeGender.Female), (read.BirthDate, read.Gender));
        Assert.Equal("Silva", read.Name[0].Family);
        Assert.Equal(["Ana"], read.Name[0].Given);
        Assert.StartsWith("+1212", read.Telecom[0].Value);
        Assert.Equal("es", read.Communication[0].Language.Coding[0].Code);
        var system = $"https://clinic-backend.dev/fhir/{Clinic.ClinicId}/external-id";
        Assert.Equal((system, externalId), (read.Identifier[0].System, read.Identifier[0].Value));
        Assert.Equal("2", read.Meta!.VersionId);

        Assert.Equal(patient, Assert.Single(await _fhir.SearchAsync<Patient>($"identifier={externalId}")).Id);
        Assert.Equal(patient, Assert.Single(await _fhir.SearchAsync<Patient>($"identifier={system}|{externalId}")).Id);
        Assert.Empty(await _fhir.SearchAsync<Patient>($"identifier=urn:other|{externalId}"));
        Assert.Empty(await _fhir.SearchAsync<Patient>("identifier=EHR-nobody"));

        // The clinic names the EHR's system; the old id is no longer found once changed.
        (await App.SendAsync(HttpMethod.Patch, Clinic.Base, Clinic.Admin, new { externalIdSystem = "urn:oid:2.16.840.1.113883.3.42" })).Expect(200);
        (await App.SendAsync(HttpMethod.Patch, $"{Clinic.Base}/patients/{patient}", Clinic.Staff, new { externalId = externalId + "-2" })).Expect(200);
        Assert.Equal(patient, Assert.Single(await _fhir.SearchAsync<Patient>($"identifier=urn:oid:2.16.840.1.113883.3.42|{externalId}-2")).Id);
        Assert.Empty(await _fhir.SearchAsync<Patient>($"identifier={externalId}"));
    }

    private static string Json(Resource resource) => System.Text.Encoding.UTF8.GetString(ClinicBackend.Functions.Fhir.FhirJson.Serialize(resource));
}
