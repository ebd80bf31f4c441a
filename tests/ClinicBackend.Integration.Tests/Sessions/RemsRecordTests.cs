namespace ClinicBackend.Integration.Tests.Sessions;

/// <summary>
/// Issue #22: the session record the REMS asks for. The 2-hour clock starts at the dose (the first device), monitoring
/// lasts until sedation, dissociation and respiratory depression have resolved, enrolment gates the dose, observations
/// past the clinic's thresholds page someone, and the monitoring form is filled from the records, with what is missing.
/// Wednesday 2026-12-02 in New York (EST, UTC-5).
/// </summary>
public sealed class RemsRecordTests : TwilioAppTest
{
    private const string Lee = "+12125550150";

    protected override ClinicOptions ClinicOptions => new()
    {
        SmsFrom = "+12125550199",
        Adjust = body => body["escalation"] = new { contacts = new[] { new { name = "Dr. Lee", phone = Lee } }, ackMinutes = 10 },
    };

    /// <summary>Sets the clock to a New York wall-clock time on 2026-12-02 ("10:12").</summary>
    private void At(string time, string date = "2026-12-02") =>
        App.Clock.SetUtcNow(DateTimeOffset.Parse($"{date}T{time}:00-05:00", System.Globalization.CultureInfo.InvariantCulture));

    private async Task<string> PatientAsync(bool enrolled = true, string? name = null, string indication = "trd", string startDate = "2026-11-02")
    {
        var body = Fixtures.PatientBody(Fixtures.UniquePhone(), remsEnrolled: enrolled, startDate: startDate);
        body["dateOfBirth"] = "1980-04-02";
        body["sex"] = "female";
        body["indication"] = indication;
        if (name is not null)
        {
            body["givenName"] = name;
        }
        return (await Clinic.PostAsync("/patients", body)).Expect(201)["id"]!;
    }

    /// <summary>A patient's session at <paramref name="start"/> on 2026-12-02, checked in at <paramref name="arrive"/>.</summary>
    private async Task<string> ArrivedAsync(string start = "10:00", string arrive = "09:50", string? patient = null)
    {
        var session = (await Clinic.BookAsync(patient ?? await PatientAsync(), $"2026-12-02T{start}")).Expect(201)["id"]!;
        At(arrive);
        (await Clinic.PostAsync($"/sessions/{session}/check-in")).Expect(200);
        return session;
    }

    private static object Observed(string at, bool dissociation = false, bool sedation = false, string? bloodPressure = "130/84", int? spo2 = 97) => new
    {
        at = $"2026-12-02T{at}",
        bloodPressure,
        spo2,
        sedation,
        dissociation,
        respiratoryDepression = false,
    };

    private Task<Reply> FormAsync(string session, string accept = "application/json") =>
        App.GetAsAsync($"{Clinic.Base}/sessions/{session}/monitoring-form", Clinic.Staff, accept);

    [Fact]
    public async Task A_session_goes_from_booking_to_a_filed_form_with_its_dose_and_observations()
    {
        (await Clinic.PostAsync("/inventory/lots", new { lot = "ABC1234", expires = "2027-06-30", devices = 24 })).Expect(201);
        var patient = await PatientAsync();
        var session = await ArrivedAsync(patient: patient);

        At("10:15");
        var dosed = (await Clinic.PostAsync($"/sessions/{session}/dose", new
        {
            at = "2026-12-02T10:12",
            doseMg = 84,
            devices = new[] { new { lot = "abc1234", count = 3 } },
            preDose = new { bloodPressure = "128/82", spo2 = 98 },
            concomitant = new[] { "benzodiazepine" },
            monitoringClinician = new { name = "Nurse Kim", phone = "(212) 555-0151", email = "kim@riverside.example" },
        })).Expect(200);
        Assert.Equal("2026-12-02T15:12:00Z", dosed["dosedAt"]);
        Assert.Equal("+12125550151", dosed.Json!["monitoring"]!["dose"]!["monitoringClinician"]!["phone"]!.ToString());

        At("10:53");
        var first = (await Clinic.PostAsync($"/sessions/{session}/observations", new
        {
            at = "2026-12-02T10:52",
            bloodPressure = "134/86",
            spo2 = 97,
            sedation = false,
            dissociation = true,
            respiratoryDepression = false,
            sideEffects = new[] { "nausea", "dizziness" },
            note = "Feels detached; resting.",
        })).Expect(201);
        Assert.Equal("40", first["minutesAfterDose"]);
        Assert.Equal("1", first["number"]);

        At("12:13");
        (await Clinic.PostAsync($"/sessions/{session}/complete", Scenario.Discharge)).ExpectProblem(422, "not-ready");
        (await Clinic.PostAsync($"/sessions/{session}/observations", Observed("12:10"))).Expect(201);
        At("12:16");
        var done = (await Clinic.PostAsync($"/sessions/{session}/complete", new
        {
            readyToLeaveAt = "2026-12-02T12:15",
            bloodPressure = "126/80",
            vitalsAcceptable = new { beforeDose = true, afterMonitoring = true },
            adverseEvents = new[] { new { description = "Mild nausea, resolved", serious = false } },
        })).Expect(200);
        Assert.Equal("fulfilled", done["status"]);
        Assert.Equal("123", done["monitoringMinutes"]);

        var form = (await FormAsync(session)).Expect(200).Json!;
        Assert.Empty(form["missing"]!.AsArray());
        Assert.Equal("true", form["readyToFile"]!.ToString());
        Assert.Equal("1980-04-02", form["patient"]!["dateOfBirth"]!.ToString());
        Assert.Equal("female", form["patient"]!["sex"]!.ToString());
        Assert.Equal("true", form["firstTreatment"]!.ToString());
        Assert.Equal("84", form["dose"]!["category"]!.ToString());
        Assert.Equal(["ABC1234"], form["dose"]!["lots"]!.AsArray().Select(l => l!.ToString()));
        Assert.Equal("2026-12-02T10:12", form["dose"]!["firstDeviceAt"]!.ToString());
        Assert.Equal(["benzodiazepine"], form["otherMedicines"]!.AsArray().Select(m => m!.ToString()));
        Assert.Equal("Nurse Kim", form["monitoringClinician"]!["name"]!.ToString());
        Assert.Equal("123", form["monitoringMinutes"]!.ToString());
        Assert.Equal("2026-12-02T12:15", form["readyToLeaveAt"]!.ToString());
        Assert.Equal("134/86", form["vitals"]!["bloodPressure"]!["afterDose"]!.ToString());
        Assert.Equal("40", form["vitals"]!["bloodPressure"]!["afterDoseMinutes"]!.ToString());
        Assert.Equal("126/80", form["vitals"]!["bloodPressure"]!["discharge"]!.ToString());
        Assert.Equal("true", form["vitals"]!["acceptableAfterMonitoring"]!.ToString());
        Assert.Equal("true", form["observed"]!["dissociation"]!.ToString());
        Assert.Equal("false", form["observed"]!["sedation"]!.ToString());
        Assert.Equal("2", form["observed"]!["observations"]!.ToString());
        Assert.Equal("false", form["adverseEvents"]![0]!["serious"]!.ToString());

        var log = (await Clinic.GetAsync("/inventory/lots/ABC1234/log", Clinic.Admin)).Expect(200).Json!;
        Assert.Equal("21", log["lot"]!["onHand"]!.ToString());
        var dose = log["entries"]![1]!;
        Assert.Equal(("dose", "-3", "21", session, patient),
            (dose["kind"]!.ToString(), dose["devices"]!.ToString(), dose["balanceAfter"]!.ToString(), dose["sessionId"]!.ToString(), dose["patientId"]!.ToString()));

        At("16:05");
        (await Clinic.PostAsync($"/sessions/{session}/rems-form", new { submittedAt = "2026-12-02T16:00" })).Expect(200);
        var filing = (await FormAsync(session)).Expect(200).Json!["filing"]!;
        Assert.Equal(("2026-12-02T16:00", "2026-12-02T21:00:00Z", "2026-12-09T10:00"),
            (filing["submittedAt"]!.ToString(), filing["submittedAtUtc"]!.ToString(), filing["dueBy"]!.ToString()));
    }

    [Fact]
    public async Task The_clock_runs_from_the_dose_not_from_check_in()
    {
        await Clinic.StockAsync();
        var session = await ArrivedAsync(start: "10:00", arrive: "10:00");
        At("11:45");
        (await Clinic.PostAsync($"/sessions/{session}/dose", Scenario.Dose(at: "2026-12-02T11:41"))).Expect(200); // a late dose
        (await Clinic.PostAsync($"/sessions/{session}/observations", Observed("11:50"))).Expect(201);

        At("13:20"); // 200 minutes after check-in, 99 after the dose
        var early = (await Clinic.PostAsync($"/sessions/{session}/complete", Scenario.Discharge)).ExpectProblem(422, "monitoring-not-over");
        Assert.Contains("2026-12-02T16:41:00Z", early["detail"]);
        At("13:40"); // 119 minutes after the dose
        (await Clinic.PostAsync($"/sessions/{session}/complete", Scenario.Discharge)).ExpectProblem(422, "monitoring-not-over");
        At("13:41"); // 120 minutes after the dose
        (await Clinic.PostAsync($"/sessions/{session}/complete", new
        {
            readyToLeaveAt = "2026-12-02T13:40",
            bloodPressure = "126/80",
            vitalsAcceptable = new { beforeDose = true, afterMonitoring = true },
            adverseEvents = Array.Empty<object>(),
        })).ExpectProblem(422, "monitoring-not-over"); // ready to leave before the two hours were up
        var done = (await Clinic.PostAsync($"/sessions/{session}/complete", Scenario.Discharge)).Expect(200);
        Assert.Equal("120", done["monitoringMinutes"]);
    }

    [Fact]
    public async Task Discharge_waits_while_the_latest_observation_shows_dissociation()
    {
        await Clinic.StockAsync();
        var session = await ArrivedAsync();
        At("10:00");
        (await Clinic.PostAsync($"/sessions/{session}/dose", Scenario.Dose())).Expect(200);
        At("12:30");
        var none = (await Clinic.PostAsync($"/sessions/{session}/complete", Scenario.Discharge)).ExpectProblem(422, "not-ready");
        Assert.Contains("observation", none["detail"]);

        (await Clinic.PostAsync($"/sessions/{session}/observations", Observed("10:40"))).Expect(201);
        (await Clinic.PostAsync($"/sessions/{session}/observations", Observed("12:25", dissociation: true))).Expect(201);
        var lasting = (await Clinic.PostAsync($"/sessions/{session}/complete", Scenario.Discharge)).ExpectProblem(422, "not-ready");
        Assert.Contains("dissociation", lasting["detail"]);
        // An observation entered late for an earlier time is not the latest one.
        (await Clinic.PostAsync($"/sessions/{session}/observations", Observed("12:00"))).Expect(201);
        (await Clinic.PostAsync($"/sessions/{session}/complete", Scenario.Discharge)).ExpectProblem(422, "not-ready");
        Assert.Equal("arrived", (await Clinic.GetAsync($"/sessions/{session}")).Expect(200)["status"]);

        At("12:45");
        (await Clinic.PostAsync($"/sessions/{session}/observations", Observed("12:45"))).Expect(201);
        var done = (await Clinic.PostAsync($"/sessions/{session}/complete", Scenario.Discharge)).Expect(200);
        Assert.Equal([40, 120, 145, 165], done.Json!["monitoring"]!["observations"]!.AsArray().Select(o => (int)o!["minutesAfterDose"]!));
    }

    [Fact]
    public async Task Enrolment_gates_the_dose_and_is_flagged_two_days_before_the_session()
    {
        await Clinic.StockAsync();
        var patient = await PatientAsync(enrolled: false);
        var session = (await Clinic.BookAsync(patient, "2026-12-03T10:00")).Expect(201)["id"]!;

        At("09:00", "2026-12-01"); // 49 hours ahead
        await App.RunFunctionAsync("SweepMissedSessions");
        Assert.Empty(await Clinic.FlagsAsync("rems-enrolment"));
        At("10:00", "2026-12-01"); // 48 hours ahead
        await App.RunFunctionAsync("SweepMissedSessions");
        await App.RunFunctionAsync("SweepMissedSessions");
        var flag = Assert.Single(await Clinic.FlagsAsync("rems-enrolment"))!;
        Assert.Equal(("normal", session), (flag["severity"]!.ToString(), flag["sessionId"]!.ToString()));

        At("09:55", "2026-12-03");
        (await Clinic.PostAsync($"/sessions/{session}/check-in")).Expect(200);
        (await Clinic.PostAsync($"/sessions/{session}/dose", Scenario.Dose())).ExpectProblem(422, "not-rems-enrolled");
        Assert.Equal("300", (await Clinic.GetAsync("/inventory")).Expect(200).Json!["lots"]![0]!["onHand"]!.ToString());
        (await App.SendAsync(HttpMethod.Patch, $"{Clinic.Base}/patients/{patient}", Clinic.Staff, new { remsEnrolled = true })).Expect(200);
        (await Clinic.PostAsync($"/sessions/{session}/dose", Scenario.Dose())).Expect(200);

        await App.RunFunctionAsync("SweepMissedSessions"); // enrolled and nothing else booked: the watch ends
        Assert.Null(await StoredRows.RowAsync(App, Clinic.ClinicId, $"remsenrol|{patient}"));
    }

    [Fact]
    public async Task An_observation_past_the_thresholds_pages_the_on_call_contact()
    {
        await Clinic.StockAsync();
        (await App.SendAsync(HttpMethod.Patch, Clinic.Base, Clinic.Admin, new { monitoring = new { spo2Below = 94 } })).Expect(200);
        var session = await ArrivedAsync();
        At("10:00");
        (await Clinic.PostAsync($"/sessions/{session}/dose", Scenario.Dose())).Expect(200);

        At("10:40");
        var high = (await Clinic.PostAsync($"/sessions/{session}/observations", Observed("10:40", bloodPressure: "186/104"))).Expect(201);
        Assert.Equal("true", high["alert"]);
        var flag = Assert.Single(await Clinic.FlagsAsync("vital-signs"))!;
        Assert.Equal("urgent", flag["severity"]!.ToString());
        Assert.Contains("186/104 is above 180/110", flag["detail"]!.ToString());
        Assert.Equal("paging", flag["escalation"]!["state"]!.ToString());
        await App.RunFunctionAsync("DispatchSms");
        Assert.Single(Twilio.Accepted, t => t.To == Lee && t.Body.Contains("ACK", StringComparison.Ordinal));

        // While that flag is open a second alert adds to the session, not to the pager; once resolved, the next one pages again.
        At("10:45");
        (await Clinic.PostAsync($"/sessions/{session}/observations", Observed("10:45", spo2: 93))).Expect(201);
        Assert.Single(await Clinic.FlagsAsync("vital-signs"));
        (await Clinic.PostAsync($"/flags/{flag["id"]}/resolve", new { note = "Rechecked, treated" })).Expect(200);
        At("10:50");
        (await Clinic.PostAsync($"/sessions/{session}/observations", Observed("10:50", bloodPressure: "150/115"))).Expect(201);
        Assert.Single(await Clinic.FlagsAsync("vital-signs"));
        At("10:55");
        var normal = (await Clinic.PostAsync($"/sessions/{session}/observations", Observed("10:55"))).Expect(201);
        Assert.Equal("false", normal["alert"]);
        Assert.Equal(2, (await Clinic.FlagsAsync("vital-signs", status: "open")).Count + (await Clinic.FlagsAsync("vital-signs", status: "resolved")).Count);
    }

    [Fact]
    public async Task A_serious_adverse_event_raises_an_urgent_flag_and_the_blood_pressure_flag_stays()
    {
        await Clinic.StockAsync();
        var session = await ArrivedAsync();
        At("10:00");
        (await Clinic.PostAsync($"/sessions/{session}/dose", new
        {
            doseMg = 28,
            doseReason = "Stopped after the first device: severe nausea",
            devices = new[] { new { lot = Scenario.TestLot, count = 1 } },
            preDose = new { bloodPressure = "146/92", spo2 = 97 },
            monitoringClinician = new { name = "Nurse Kim" },
        })).Expect(200);
        At("10:30");
        (await Clinic.PostAsync($"/sessions/{session}/observations", Observed("10:30"))).Expect(201);
        At("12:05");
        (await Clinic.PostAsync($"/sessions/{session}/complete", new
        {
            bloodPressure = "130/84",
            vitalsAcceptable = new { beforeDose = false, afterMonitoring = true },
            adverseEvents = new[] { new { description = "Vomiting with brief syncope", serious = true }, new { description = "Headache", serious = false } },
        })).Expect(200);

        var adverse = Assert.Single(await Clinic.FlagsAsync("adverse-event"))!;
        Assert.Equal("urgent", adverse["severity"]!.ToString());
        Assert.Contains("Vomiting with brief syncope", adverse["detail"]!.ToString());
        Assert.DoesNotContain("Headache", adverse["detail"]!.ToString());
        Assert.Contains("above 140/90", Assert.Single(await Clinic.FlagsAsync("blood-pressure"))!["detail"]!.ToString());

        var form = (await FormAsync(session)).Expect(200).Json!;
        Assert.Equal(("other", "Stopped after the first device: severe nausea"), (form["dose"]!["category"]!.ToString(), form["dose"]!["otherReason"]!.ToString()));
        // Left to complete: what the dose did not record.
        Assert.Equal(["otherMedicines", "monitoringClinician.phone", "monitoringClinician.email"], form["missing"]!.AsArray().Select(m => m!["field"]!.ToString()));
    }

    [Theory]
    [InlineData(70, null, 400, "validation")] // not a whole number of devices
    [InlineData(28, null, 422, "dose-not-on-label")] // off the label without a reason
    [InlineData(84, null, 400, "validation")] // three devices said, two given
    public async Task Doses_keep_to_the_label_or_give_a_reason_and_add_up_to_their_devices(int doseMg, string? reason, int status, string code)
    {
        await Clinic.StockAsync();
        var session = await ArrivedAsync();
        At("10:00");
        (await Clinic.PostAsync($"/sessions/{session}/dose", new
        {
            doseMg,
            doseReason = reason,
            devices = new[] { new { lot = Scenario.TestLot, count = doseMg == 84 ? 2 : 1 } },
            preDose = new { bloodPressure = "128/82", spo2 = 98 },
            monitoringClinician = new { name = "Nurse Kim" },
        })).ExpectProblem(status, code);
        var stored = (await Clinic.GetAsync($"/sessions/{session}")).Expect(200);
        Assert.Null(stored["dosedAt"]);
        Assert.Equal("300", (await Clinic.GetAsync("/inventory")).Expect(200).Json!["lots"]![0]!["onHand"]!.ToString());
    }

    [Fact]
    public async Task An_mdsi_course_ends_after_four_weeks_with_a_review_and_no_lapse()
    {
        var mdsi = await PatientAsync(indication: "mdsi", startDate: "2026-11-05");
        var trd = await PatientAsync(indication: "trd", startDate: "2026-11-05");
        var patient = (await Clinic.GetAsync($"/patients/{mdsi}")).Expect(200);
        Assert.Equal(("mdsi", "induction"), (patient["indication"]!, patient.Json!["course"]!["phase"]!.ToString()));

        // Both treated on course day 25, one after the other.
        foreach (var (who, start, arrive) in new[] { (mdsi, "2026-11-30T11:00", "15:55"), (trd, "2026-11-30T13:30", "18:25") })
        {
            var session = (await Clinic.BookAsync(who, start)).Expect(201)["id"]!;
            await Clinic.TreatAsync(session, DateTimeOffset.Parse($"2026-11-30T{arrive}:00Z", System.Globalization.CultureInfo.InvariantCulture));
        }
        At("09:00", "2026-12-08"); // day 33: past the 4 weeks, 8 days since the last session
        await App.RunFunctionAsync("SweepMissedSessions");

        // One review each: the MDSI course's end, and the TRD course's week 4 (over on 12-03, day 28).
        var reviews = await Clinic.FlagsAsync("induction-review");
        Assert.Contains("4-week MDSI course", Assert.Single(reviews, f => f!["patientId"]!.ToString() == mdsi)!["detail"]!.ToString());
        Assert.Contains("Induction of the course that started 2026-11-05 is over", Assert.Single(reviews, f => f!["patientId"]!.ToString() == trd)!["detail"]!.ToString());
        Assert.Equal(2, reviews.Count);
        Assert.Equal(trd, Assert.Single(await Clinic.FlagsAsync("overdue-cadence"))!["patientId"]!.ToString());
        Assert.Equal("induction", (await Clinic.GetAsync($"/patients/{mdsi}")).Expect(200).Json!["course"]!["phase"]!.ToString());
    }

    [Fact]
    public async Task The_printable_form_holds_every_field_names_what_is_missing_first_and_runs_no_script()
    {
        await Clinic.StockAsync();
        var patient = await PatientAsync(name: "Ana <b>& Co</b>");
        var session = await ArrivedAsync(patient: patient);
        At("10:00");
        (await Clinic.PostAsync($"/sessions/{session}/dose", new
        {
            doseMg = 56,
            devices = new[] { new { lot = Scenario.TestLot, count = 2 } },
            preDose = new { bloodPressure = "128/82", spo2 = 98 },
            monitoringClinician = new { name = "Nurse Kim", email = "kim@riverside.example" },
        })).Expect(200);
        At("10:40");
        (await Clinic.PostAsync($"/sessions/{session}/observations", Observed("10:40", bloodPressure: "134/86"))).Expect(201);

        var page = (await FormAsync(session, "text/html")).Expect(200);
        Assert.StartsWith("text/html", page.ContentType);
        Assert.Equal("no-store", page.Header("Cache-Control"));
        Assert.Contains("default-src 'none'", page.Header("Content-Security-Policy"));
        var html = page.Body;
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.Contains("@media print", html);
        Assert.Contains("Ana &lt;b&gt;&amp; Co&lt;/b&gt; Silva", html);
        Assert.Contains("(212) 555-0100", html); // the clinic's phone as people read it
        Assert.DoesNotContain("<b>& Co", html);

        string Field(string name)
        {
            var match = System.Text.RegularExpressions.Regex.Match(html, $"data-field=\"{System.Text.RegularExpressions.Regex.Escape(name)}\"[^>]*>([^<]*)<");
            Assert.True(match.Success, $"no field {name}");
            return System.Net.WebUtility.HtmlDecode(match.Groups[1].Value);
        }
        Assert.Equal("1980-04-02", Field("patient.dateOfBirth"));
        Assert.Equal("female", Field("patient.sex"));
        Assert.Equal("yes", Field("firstTreatment"));
        Assert.Equal("56 mg", Field("dose.category"));
        Assert.Equal($"{Scenario.TestLot} (2)", Field("dose.lots"));
        Assert.Equal("2026-12-02 10:00", Field("dose.firstDeviceAt"));
        Assert.Equal("not recorded", Field("otherMedicines"));
        Assert.Equal("Nurse Kim", Field("monitoringClinician.name"));
        Assert.Equal("not recorded", Field("monitoringClinician.phone"));
        Assert.Equal("kim@riverside.example", Field("monitoringClinician.email"));
        Assert.Equal("128/82", Field("vitals.bloodPressure.preDose"));
        Assert.Equal("134/86 at 40 min", Field("vitals.bloodPressure.afterDose"));
        Assert.Equal("98%", Field("vitals.spo2BeforeDose"));
        Assert.Equal("no", Field("observed.dissociation"));
        Assert.Equal("1", Field("observed.observations"));
        Assert.Equal("not recorded", Field("monitoringMinutes"));

        // The missing fields come first, each named, as the JSON names them.
        var json = (await FormAsync(session)).Expect(200).Json!;
        var missing = json["missing"]!.AsArray().Select(m => m!["field"]!.ToString()).ToList();
        Assert.Equal(["otherMedicines", "monitoringClinician.phone", "discharge"], missing);
        var todo = html.IndexOf("id=\"missing\"", StringComparison.Ordinal);
        Assert.True(todo > 0 && todo < html.IndexOf("data-field=", StringComparison.Ordinal), "the missing list comes before the fields");
        foreach (var field in missing)
        {
            Assert.Contains($"data-missing=\"{field}\"", html);
        }

        (await FormAsync(session, "application/pdf")).ExpectProblem(406, "not-acceptable");
        Assert.Equal("application/json; charset=utf-8", (await FormAsync(session, "*/*")).Expect(200).ContentType);
    }

    [Fact]
    public async Task A_cancelled_session_has_no_form_and_another_clinic_sees_none()
    {
        var session = (await Clinic.BookAsync(await PatientAsync(), "2026-12-02T10:00")).Expect(201)["id"]!;
        var booked = (await FormAsync(session)).Expect(200).Json!;
        Assert.Contains("dose", booked["missing"]!.AsArray().Select(m => m!["field"]!.ToString()));
        (await Clinic.PostAsync($"/sessions/{session}/cancel", new { reason = "unwell" })).Expect(200);
        (await FormAsync(session)).ExpectProblem(409, "no-monitoring-form");
        var other = await AddClinicAsync();
        (await App.GetAsync($"{other.Base}/sessions/{session}/monitoring-form", other.Staff)).ExpectProblem(404);
    }
}

/// <summary>Reads in a chosen representation.</summary>
internal static class FormRequests
{
    public static async Task<Reply> GetAsAsync(this TestApp app, string path, string token, string accept)
    {
        using var request = app.Request(HttpMethod.Get, path, token);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        using var response = await app.Http.SendAsync(request);
        return await Reply.ReadAsync(response);
    }
}
