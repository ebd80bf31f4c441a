using System.Globalization;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Task = System.Threading.Tasks.Task;

namespace ClinicBackend.Integration.Tests.Fhir;

/// <summary>
/// Issue #26: an EHR books through FHIR R4 with Firely's FhirClient, on the same services as the clinic API. Every resource
/// the server returns is validated against the base R4 profiles. The clock stands at Monday 2026-11-30 10:00 in New York.
/// </summary>
public sealed class FhirBookingTests : ClinicAppTest
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

    private static Parameters FindParameters(string patientId, string start, string end) => new()
    {
        Parameter =
        [
            new Parameters.ParameterComponent { Name = "start", Value = new FhirDateTime(start) },
            new Parameters.ParameterComponent { Name = "end", Value = new FhirDateTime(end) },
            new Parameters.ParameterComponent { Name = "patient", Value = new ResourceReference($"Patient/{patientId}") },
        ],
    };

    private static Parameters WithAppointment(Appointment appointment) =>
        new() { Parameter = [new Parameters.ParameterComponent { Name = "appointment", Resource = appointment }] };

    private static string Utc(DateTimeOffset? value) => value!.Value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);

    [Fact]
    public async Task An_ehr_finds_holds_books_reads_and_cancels_a_session_which_the_clinic_api_shows_the_same()
    {
        var patient = await Clinic.RegisterPatientAsync();
        var client = _fhir.Client;

        var capabilities = (await client.CapabilityStatementAsync())!;
        Assert.Contains("application/fhir+json", capabilities.Format);
        var rest = Assert.Single(capabilities.Rest);
        Assert.Equal(["Appointment", "Patient", "Schedule", "Slot"], rest.Resource.Select(r => r.Type).Order());
        Assert.Equal(["book", "find", "hold"], rest.Resource.Single(r => r.Type == "Appointment").Operation.Select(o => o.Name).Order());

        // Slots: exactly the starts availability offers for the day, on the clinic's chairs.
        var slots = await _fhir.SearchAsync<Slot>("start=ge2026-12-07", "start=lt2026-12-08", "status=free");
        var offered = (await Clinic.GetAsync("/availability?date=2026-12-07")).Expect(200).Json!["slots"]!.AsArray();
        Assert.Equal(offered.Count, slots.Count);
        Assert.Equal(offered.Select(s => s!["startUtc"]!.ToString()[..16]), slots.Select(s => Utc(s.Start)));
        Assert.All(slots, s => Assert.Equal("Schedule/chairs", s.Schedule.Reference));
        var schedule = await _fhir.ReadAsync<Schedule>("Schedule/chairs");
        Assert.Contains("4 monitoring chairs", schedule.Actor[0].Display);

        // $find from Monday 10:00 to Thursday: ten starts over the three days, each day's closest to 10:00 first (Monday has
        // none before 10:00 in the window), then each day's next closest, and so on; in time order.
        var found = await _fhir.OperationAsync<Bundle>("find", FindParameters(patient, "2026-12-07T10:00:00-05:00", "2026-12-10"));
        var proposed = found.Entry.Select(e => (Appointment)e.Resource!).ToList();
        Assert.All(proposed, a => Assert.Equal(Appointment.AppointmentStatus.Proposed, a.Status));
        Assert.Equal(
            ["2026-12-07T15:00", "2026-12-07T15:15", "2026-12-07T15:30", "2026-12-07T15:45", "2026-12-08T14:45", "2026-12-08T15:00", "2026-12-08T15:15",
             "2026-12-09T14:45", "2026-12-09T15:00", "2026-12-09T15:15"],
            proposed.Select(a => Utc(a.Start)));

        // $hold takes the chair for everyone at once; $book turns the hold into the session, under the same id.
        var choice = proposed.Single(a => Utc(a.Start) == "2026-12-08T15:00");
        var held = await _fhir.OperationAsync<Appointment>("hold", WithAppointment(choice));
        Assert.Equal(Appointment.AppointmentStatus.Pending, held.Status);
        var free = (await Clinic.GetAsync("/availability?date=2026-12-08")).Expect(200).Json!["slots"]!.AsArray();
        Assert.Equal(3, free.Single(s => s!["start"]!.ToString() == "2026-12-08T10:00")!["freeChairs"]!.GetValue<int>());
        var booked = await _fhir.OperationAsync<Appointment>("book", WithAppointment(held));
        Assert.Equal(held.Id, booked.Id);
        Assert.Equal(Appointment.AppointmentStatus.Booked, booked.Status);
        Assert.Equal("1", booked.Meta!.VersionId);

        // Read and search: the session as an appointment.
        var read = await _fhir.ReadAsync<Appointment>($"Appointment/{booked.Id}");
        Assert.Equal("2026-12-08T15:00:00Z", read.StartElement!.JsonValue);
        Assert.Equal("2026-12-08T17:00:00Z", read.EndElement!.JsonValue);
        Assert.Equal($"Patient/{patient}", Assert.Single(read.Participant).Actor!.Reference);
        Assert.Equal("supervised-treatment", read.ServiceType[0].Coding[0].Code);
        var mine = await _fhir.SearchAsync<Appointment>($"patient=Patient/{patient}", "status=booked");
        Assert.Equal(booked.Id, Assert.Single(mine).Id);
        var day = await _fhir.SearchAsync<Appointment>("date=ge2026-12-08", "date=lt2026-12-09");
        Assert.Equal(booked.Id, Assert.Single(day).Id);

        // Cancel by update, with If-Match from meta.versionId; the clinic API shows the same session cancelled.
        read.Status = Appointment.AppointmentStatus.Cancelled;
        read.CancelationReason = new CodeableConcept { Text = "The patient called the EHR's front desk" };
        var cancelled = (await client.UpdateAsync(read, versionAware: true))!;
        Assert.Equal(Appointment.AppointmentStatus.Cancelled, cancelled.Status);
        Assert.Equal("2", cancelled.Meta!.VersionId);
        var session = (await Clinic.GetAsync($"/sessions/{booked.Id}")).Expect(200);
        Assert.Equal("cancelled", session["status"]);
        Assert.Equal("2", session["version"]);
        Assert.Equal("2026-12-08T10:00", session["start"]);
        Assert.Equal("The patient called the EHR's front desk", cancelled.CancelationReason!.Text);

        Assert.True(_fhir.Handler.Received.Count >= 10, "every answer above was read and validated");
    }

    [Fact]
    public async Task A_hold_takes_the_chair_for_everyone_and_once_lapsed_ExpireOffers_frees_it_and_book_is_refused()
    {
        var clinic = await AddClinicAsync(new() { Chairs = 1 });
        using var fhir = new FhirTestClient(App, clinic.ClinicId, clinic.Staff);
        var (first, second) = (await clinic.RegisterPatientAsync(), await clinic.RegisterPatientAsync());
        var found = await fhir.OperationAsync<Bundle>("find", FindParameters(first, "2026-12-02T09:00:00-05:00", "2026-12-03"));
        var nine = found.Entry.Select(e => (Appointment)e.Resource!).First(a => Utc(a.Start) == "2026-12-02T14:00");
        var held = await fhir.OperationAsync<Appointment>("hold", WithAppointment(nine));

        (await clinic.BookAsync(second, "2026-12-02T09:00")).ExpectProblem(409, "capacity");
        Assert.Equal(Appointment.AppointmentStatus.Pending, (await fhir.ReadAsync<Appointment>($"Appointment/{held.Id}")).Status);

        App.Clock.Advance(TimeSpan.FromMinutes(6));
        await App.RunFunctionAsync("ExpireOffers");
        var gone = await fhir.SendAsync(HttpMethod.Get, $"Appointment/{held.Id}");
        Assert.Equal(404, gone.Status);
        var book = await fhir.SendAsync(HttpMethod.Post, "Appointment/$book", Json(WithAppointment(held)));
        Assert.Equal(404, book.Status); // the hold is gone: nothing of it is left to book
        (await clinic.BookAsync(second, "2026-12-02T09:00")).Expect(201);
        Assert.DoesNotContain((await StoredRows.PartitionAsync(App, clinic.ClinicId)).Keys, k => k.StartsWith($"coursehold|", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_race_of_book_and_post_sessions_for_the_last_chair_gives_exactly_one_session_each_time()
    {
        var clinic = await AddClinicAsync(new() { Chairs = 1 });
        using var fhir = new FhirTestClient(App, clinic.ClinicId, clinic.Staff);
        string[] starts = ["2026-12-02T09:00", "2026-12-02T12:00", "2026-12-03T09:00", "2026-12-03T12:00", "2026-12-04T09:00", "2026-12-04T12:00"];
        foreach (var start in starts)
        {
            var (viaFhir, viaApi) = (await clinic.RegisterPatientAsync(), await clinic.RegisterPatientAsync());
            var utc = DateTimeOffset.Parse(start + ":00-05:00", CultureInfo.InvariantCulture).ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            var proposed = new Appointment
            {
                Status = Appointment.AppointmentStatus.Proposed,
                StartElement = new Instant { JsonValue = utc },
                Participant = [new Appointment.ParticipantComponent { Actor = new ResourceReference($"Patient/{viaFhir}"), Status = ParticipationStatus.NeedsAction }],
            };
            var fhirTask = fhir.SendAsync(HttpMethod.Post, "Appointment/$book", Json(WithAppointment(proposed)));
            var apiTask = clinic.BookAsync(viaApi, start);
            await Task.WhenAll(fhirTask, apiTask);
            var (fhirReply, apiReply) = (await fhirTask, await apiTask);
            Assert.True((fhirReply.Status == 200) != (apiReply.Status == 201), $"{start}: FHIR {fhirReply.Status}, API {apiReply.Status}");
            if (fhirReply.Status != 200)
            {
                Assert.Equal(409, fhirReply.Status);
                var issue = Assert.Single(((OperationOutcome)fhirReply.Resource!).Issue);
                Assert.Equal(OperationOutcome.IssueType.Conflict, issue.Code);
                Assert.Equal("capacity", issue.Details!.Coding[0].Code);
            }
            else
            {
                apiReply.ExpectProblem(409, "capacity");
            }
            var day = (await clinic.GetAsync($"/sessions?date={start[..10]}")).Expect(200).Json!["sessions"]!.AsArray();
            Assert.Single(day, s => s!["start"]!.ToString() == start);
        }
    }

    private static string Json(Resource resource) => System.Text.Encoding.UTF8.GetString(ClinicBackend.Functions.Fhir.FhirJson.Serialize(resource));
}
