using System.Text.Json.Nodes;
using ClinicBackend.Application.Access;

namespace ClinicBackend.Integration.Tests.Sessions;

/// <summary>
/// Issue #24: coverage and readiness. Authorizations count used and remaining sessions from the sessions themselves
/// (through reschedules, cancellations and no-shows); every session answers its readiness; pharmacy shipments turn a
/// visit ready and follow a cancelled visit to the next one; stock is short for a day's doses; the sweep raises not-ready
/// flags once and resolves them itself, marks the day before for the report, and raises renewal flags; course bookings
/// warn; coverage is another clinic's 404, audited when read and kept out of events. The clock starts Monday 2026-11-30
/// 10:00 in New York.
/// </summary>
public sealed class CoverageTests : ClinicAppTest
{
    private const string MemberId = "MBR-5521-SECRET";

    private readonly GatedStore.Gate _store = new();

    protected override void ConfigureServices(IServiceCollection services) => GatedStore.Install(services, _store);

    private void At(string date, string time) =>
        App.Clock.SetUtcNow(DateTimeOffset.Parse($"{date}T{time}:00-05:00", System.Globalization.CultureInfo.InvariantCulture));

    private static object Authorization(string from, string to, int sessions, string number = "PA-77") => new { number, from, to, sessions };

    private Task<Reply> PutCoverageAsync(string patient, string route, params object[] authorizations) => PutCoverageAsync(Clinic, patient, route, authorizations);

    private static Task<Reply> PutCoverageAsync(Scenario clinic, string patient, string route, object[] authorizations, string? token = null) =>
        clinic.App.SendAsync(HttpMethod.Put, $"{clinic.Base}/patients/{patient}/coverage", token ?? clinic.Staff,
            new { payer = "Acme Health", memberId = MemberId, route, authorizations });

    private async Task<string> BookAsync(string patient, string start) => (await Clinic.BookAsync(patient, start)).Expect(201)["id"]!;

    private async Task<JsonNode> SessionAsync(string session) => (await Clinic.GetAsync($"/sessions/{session}")).Expect(200).Json!;

    private async Task<string?> AuthorizationOfAsync(string session) => (await SessionAsync(session))["readiness"]?["authorization"]?.ToString();

    private async Task<string?> DrugOfAsync(string session) => (await SessionAsync(session))["readiness"]?["drug"]?.ToString();

    private async Task<JsonNode> AuthorizationUseAsync(string patient) =>
        (await Clinic.GetAsync($"/patients/{patient}/coverage")).Expect(200).Json!["authorizations"]![0]!;

    private Task<Reply> ShipAsync(string session, string status, string? reference = null) =>
        Clinic.PostAsync($"/sessions/{session}/shipment", new { status, reference });

    private Task SweepAsync() => App.RunFunctionAsync("SweepMissedSessions");

    [Fact]
    public async Task Used_and_remaining_follow_the_sessions_through_a_cancellation_a_reschedule_and_a_no_show()
    {
        await Clinic.StockAsync();
        var patient = await Clinic.RegisterPatientAsync();
        (await PutCoverageAsync(patient, "buy-and-bill", Authorization("2026-11-30", "2026-12-31", 3))).Expect(200);
        var a = await BookAsync(patient, "2026-12-01T09:00");
        var b = await BookAsync(patient, "2026-12-02T09:00");
        var c = await BookAsync(patient, "2026-12-03T09:00");
        var dReply = (await Clinic.BookAsync(patient, "2026-12-04T09:00")).Expect(201);
        var d = dReply["id"]!;

        Assert.Equal("exhausted", dReply.Json!["readiness"]!["authorization"]!.ToString());
        var use = await AuthorizationUseAsync(patient);
        Assert.Equal((3, 0, 0), ((int)use["used"]!, (int)use["remaining"]!, (int)use["fulfilled"]!));
        Assert.Equal((d, "2026-12-04T09:00"), (use["firstUncovered"]!["sessionId"]!.ToString(), use["firstUncovered"]!["start"]!.ToString()));

        (await Clinic.PostAsync($"/sessions/{b}/cancel", new { reason = "sick" })).Expect(200);
        Assert.Equal("ok", await AuthorizationOfAsync(d));
        Assert.Null((await AuthorizationUseAsync(patient))["firstUncovered"]);
        Assert.Null((await SessionAsync(b))["readiness"]);

        (await Clinic.PostAsync($"/sessions/{d}/reschedule", new { start = "2026-12-08T09:00" })).Expect(200);
        Assert.Equal("ok", await AuthorizationOfAsync(d));
        var e = await BookAsync(patient, "2026-12-09T09:00");
        Assert.Equal("exhausted", await AuthorizationOfAsync(e));

        At("2026-12-01", "12:00"); // a's end (11:00) and the grace have passed: the sweep marks it missed
        await SweepAsync();
        Assert.Equal("noshow", (await SessionAsync(a))["status"]!.ToString());
        Assert.Equal("ok", await AuthorizationOfAsync(e));
        var day = (await Clinic.GetAsync("/sessions?date=2026-12-09")).Expect(200).Json!["sessions"]![0]!;
        Assert.Equal(("ok", "ok"), (day["readiness"]!["authorization"]!.ToString(), day["readiness"]!["drug"]!.ToString()));
        Assert.Equal(3, (int)(await AuthorizationUseAsync(patient))["used"]!);
        _ = c;
    }

    [Fact]
    public async Task An_authorizations_dates_are_clinic_local_days()
    {
        // Auckland is 13 hours ahead: 09:00 on Thursday 3 December there is 20:00 UTC on Wednesday 2 December.
        var auckland = await AddClinicAsync(new ClinicOptions { TimeZone = "Pacific/Auckland" });
        var patient = await auckland.RegisterPatientAsync();
        var session = (await auckland.BookAsync(patient, "2026-12-03T09:00")).Expect(201)["id"]!;
        Assert.Equal("2026-12-02T20:00:00Z", (await auckland.GetAsync($"/sessions/{session}")).Json!["startUtc"]!.ToString());

        async Task<string> CoveredAsync(string from, string to)
        {
            (await PutCoverageAsync(auckland, patient, "buy-and-bill", [Authorization(from, to, 1)])).Expect(200);
            return (await auckland.GetAsync($"/sessions/{session}")).Expect(200).Json!["readiness"]!["authorization"]!.ToString();
        }

        Assert.Equal("ok", await CoveredAsync("2026-12-03", "2026-12-03"));
        Assert.Equal("expired", await CoveredAsync("2026-11-01", "2026-12-02"));
        Assert.Equal("missing", await CoveredAsync("2026-12-04", "2026-12-31"));
    }

    [Fact]
    public async Task A_pharmacy_visit_turns_ready_when_its_shipment_is_received_keeps_it_when_moved_and_passes_it_on_when_cancelled()
    {
        var patient = await Clinic.RegisterPatientAsync();
        (await PutCoverageAsync(patient, "specialty-pharmacy", Authorization("2026-11-30", "2027-02-28", 16))).Expect(200);
        var first = await BookAsync(patient, "2026-12-02T09:00");
        Assert.Equal("not-received", await DrugOfAsync(first));

        var ordered = (await ShipAsync(first, "ordered", "RX-4410")).Expect(200).Json!;
        Assert.Equal(("ordered", "not-received"), (ordered["shipment"]!["status"]!.ToString(), ordered["readiness"]!["drug"]!.ToString()));
        (await ShipAsync(first, "shipped")).Expect(200);
        var received = (await ShipAsync(first, "received")).Expect(200).Json!;
        Assert.Equal(("received", "RX-4410", "ok"), (received["shipment"]!["status"]!.ToString(), received["shipment"]!["reference"]!.ToString(), received["readiness"]!["drug"]!.ToString()));
        Assert.Equal(received["shipment"]!["updatedAt"]!.ToString(), (await ShipAsync(first, "received")).Expect(200).Json!["shipment"]!["updatedAt"]!.ToString());
        (await ShipAsync(first, "ordered")).ExpectProblem(409, "shipment-backwards");

        (await Clinic.PostAsync($"/sessions/{first}/reschedule", new { start = "2026-12-03T09:00" })).Expect(200);
        Assert.Equal("ok", await DrugOfAsync(first));

        (await Clinic.PostAsync($"/sessions/{first}/cancel", new { reason = "travel" })).Expect(200);
        var next = await BookAsync(patient, "2026-12-08T09:00");
        var after = await BookAsync(patient, "2026-12-10T09:00");
        Assert.Equal(("ok", "not-received"), (await DrugOfAsync(next), await DrugOfAsync(after)));
        var shipment = (await Clinic.GetAsync($"/patients/{patient}/coverage")).Expect(200).Json!["shipments"]![0]!;
        Assert.Equal((first, next), (shipment["sessionId"]!.ToString(), shipment["serves"]!.ToString()));
        (await ShipAsync(first, "received")).ExpectProblem(409, "session-not-ahead");

        // The released shipment now belongs to the next visit: recording on it moves that shipment, it starts no other.
        (await ShipAsync(next, "received", "RX-4410b")).Expect(200);
        Assert.Single((await Clinic.GetAsync($"/patients/{patient}/coverage")).Json!["shipments"]!.AsArray());
    }

    [Fact]
    public async Task Shipments_need_the_specialty_pharmacy_route_and_valid_fields()
    {
        var patient = await Clinic.RegisterPatientAsync();
        var session = await BookAsync(patient, "2026-12-02T09:00");
        (await ShipAsync(session, "ordered")).ExpectProblem(422, "no-coverage");
        (await PutCoverageAsync(patient, "buy-and-bill")).Expect(200);
        (await ShipAsync(session, "ordered")).ExpectProblem(422, "not-specialty-pharmacy");
        (await ShipAsync(session, "delivered")).ExpectProblem(400);
        (await ShipAsync("nosuchsession00000000", "ordered")).ExpectProblem(404);
        var coverage = (await Clinic.GetAsync($"/patients/{patient}/coverage")).Expect(200).Json!;
        Assert.Empty(coverage["shipments"]!.AsArray());
    }

    [Fact]
    public async Task Stock_is_short_for_a_day_whose_booked_doses_the_lots_usable_that_day_cannot_cover()
    {
        (await Clinic.PostAsync("/inventory/lots", new { lot = "OLD1", expires = "2026-11-30", devices = 30 })).Expect(201); // not usable tomorrow
        (await Clinic.PostAsync("/inventory/lots", new { lot = "NEW1", expires = "2027-06-30", devices = 5 })).Expect(201);
        var first = await BookAsync(await Clinic.RegisterPatientAsync(), "2026-12-01T09:00");
        Assert.Equal("ok", await DrugOfAsync(first)); // 3 devices needed, 5 usable
        var second = await BookAsync(await Clinic.RegisterPatientAsync(), "2026-12-01T09:15");

        var day = (await Clinic.GetAsync("/sessions?date=2026-12-01")).Expect(200).Json!["sessions"]!.AsArray();
        Assert.Equal(["short", "short"], day.Select(s => s!["readiness"]!["drug"]!.ToString()));
        Assert.Equal("ok", await DrugOfAsync(await BookAsync(await Clinic.RegisterPatientAsync(), "2026-12-02T09:00"))); // another day

        (await Clinic.PostAsync("/inventory/lots", new { lot = "NEW1", expires = "2027-06-30", devices = 1 })).Expect(201);
        Assert.Equal(("ok", "ok"), (await DrugOfAsync(first), await DrugOfAsync(second)));
    }

    [Fact]
    public async Task Not_ready_flags_are_raised_once_two_clinic_days_ahead_per_cause_and_resolve_themselves()
    {
        await Clinic.StockAsync();
        var patient = await Clinic.RegisterPatientAsync();
        var near = await BookAsync(patient, "2026-12-02T09:00"); // 2 days ahead
        var far = await BookAsync(patient, "2026-12-03T09:00"); // 3 days ahead

        await SweepAsync();
        await SweepAsync();
        var flag = Assert.Single(await Clinic.FlagsAsync("not-ready"));
        Assert.Equal((near, patient), (flag!["sessionId"]!.ToString(), flag["patientId"]!.ToString()));
        Assert.Contains("no authorization covers", flag["detail"]!.ToString());

        (await PutCoverageAsync(patient, "buy-and-bill", Authorization("2026-11-30", "2026-12-31", 10))).Expect(200);
        await SweepAsync();
        Assert.Empty(await Clinic.FlagsAsync("not-ready"));
        var resolved = Assert.Single(await Clinic.FlagsAsync("not-ready", "resolved"));
        Assert.Equal(flag["id"]!.ToString(), resolved!["id"]!.ToString());

        // A day later the far visit is 2 days ahead, and now ready: nothing is raised.
        At("2026-12-01", "10:00");
        await SweepAsync();
        Assert.Empty(await Clinic.FlagsAsync("not-ready"));
        _ = far;
    }

    [Fact]
    public async Task A_not_ready_flag_the_sweep_resolved_opens_again_when_its_cause_comes_back_and_one_staff_resolved_stays_resolved()
    {
        await Clinic.StockAsync();
        var patient = await Clinic.RegisterPatientAsync();
        await BookAsync(patient, "2026-12-02T09:00");
        await SweepAsync();
        var id = Assert.Single(await Clinic.FlagsAsync("not-ready"))!["id"]!.ToString();
        (await PutCoverageAsync(patient, "buy-and-bill", Authorization("2026-11-30", "2026-12-31", 10))).Expect(200);
        await SweepAsync();
        Assert.Empty(await Clinic.FlagsAsync("not-ready"));
        var resolvedAndReopened = (await PublishedEvents.DrainAsync(App)).Where(e => e["subject"]!.ToString() == $"flags/{id}").Select(e => e["id"]!.ToString()).ToList();

        // The authorization was entered for the wrong dates: corrected, it no longer covers the visit.
        (await PutCoverageAsync(patient, "buy-and-bill", Authorization("2026-12-10", "2026-12-31", 10))).Expect(200);
        App.Clock.Advance(TimeSpan.FromHours(1));
        await SweepAsync();
        await SweepAsync();
        var reopened = Assert.Single(await Clinic.FlagsAsync("not-ready"))!;
        Assert.Equal(id, reopened["id"]!.ToString());
        Assert.Contains("no authorization covers", reopened["detail"]!.ToString());
        Assert.Equal(["resolved", "reopened"], reopened["history"]!.AsArray().Select(h => h!["action"]!.ToString()));
        Assert.Empty(await Clinic.FlagsAsync("not-ready", "resolved"));
        var reopenedEvent = Assert.Single(await PublishedEvents.DrainAsync(App), e => e["type"]!.ToString() == "clinic.flag.reopened")!;
        Assert.Equal($"flags/{id}", reopenedEvent["subject"]!.ToString());
        resolvedAndReopened.Add(reopenedEvent["id"]!.ToString());

        // Covered again, then not: resolved and reopened once more, each change an event of its own (an id seen before is dropped).
        (await PutCoverageAsync(patient, "buy-and-bill", Authorization("2026-11-30", "2026-12-31", 10))).Expect(200);
        App.Clock.Advance(TimeSpan.FromHours(1));
        await SweepAsync();
        (await PutCoverageAsync(patient, "buy-and-bill", Authorization("2026-12-10", "2026-12-31", 10))).Expect(200);
        App.Clock.Advance(TimeSpan.FromHours(1));
        await SweepAsync();
        var changes = (await PublishedEvents.DrainAsync(App)).Where(e => e["subject"]!.ToString() == $"flags/{id}").ToList();
        Assert.Equal(["clinic.flag.resolved", "clinic.flag.reopened"], changes.Select(e => e["type"]!.ToString()));
        Assert.Empty(changes.Select(e => e["id"]!.ToString()).Intersect(resolvedAndReopened));
        Assert.Single(await Clinic.FlagsAsync("not-ready"));

        // Staff take it in hand: the cause stays, and so does their resolution.
        (await Clinic.PostAsync($"/flags/{id}/resolve", new { note = "Payer confirmed by phone; paperwork follows." })).Expect(200);
        App.Clock.Advance(TimeSpan.FromHours(1));
        await SweepAsync();
        Assert.Empty(await Clinic.FlagsAsync("not-ready"));
        Assert.Equal("Payer confirmed by phone; paperwork follows.", Assert.Single(await Clinic.FlagsAsync("not-ready", "resolved"))!["note"]!.ToString());
    }

    [Fact]
    public async Task A_visit_that_went_ahead_uncovered_keeps_its_flag_until_an_authorization_recorded_afterwards_is_seen_by_a_days_first_sweep()
    {
        await Clinic.StockAsync();
        var patient = await Clinic.RegisterPatientAsync();
        var visit = await BookAsync(patient, "2026-12-01T09:00");
        await SweepAsync();
        var flag = Assert.Single(await Clinic.FlagsAsync("not-ready"))!["id"]!.ToString();

        await Clinic.TreatAsync(visit, DateTimeOffset.Parse("2026-12-01T14:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await SweepAsync(); // the day's first sweep: the visit took place without an authorization
        Assert.Equal(flag, Assert.Single(await Clinic.FlagsAsync("not-ready"))!["id"]!.ToString());

        // Billing records the authorization afterwards: later sweeps of the day leave past visits alone...
        (await PutCoverageAsync(patient, "buy-and-bill", Authorization("2026-11-30", "2026-12-31", 10))).Expect(200);
        App.Clock.Advance(TimeSpan.FromHours(1));
        await SweepAsync();
        Assert.Single(await Clinic.FlagsAsync("not-ready"));

        // ...and the next day's first sweep finds the visit covered.
        At("2026-12-02", "00:30");
        await SweepAsync();
        Assert.Empty(await Clinic.FlagsAsync("not-ready"));
        Assert.Equal(flag, Assert.Single(await Clinic.FlagsAsync("not-ready", "resolved"))!["id"]!.ToString());
    }

    [Fact]
    public async Task A_cancelled_visits_not_ready_flag_resolves_itself_and_the_report_counts_visits_not_ready_the_day_before()
    {
        await Clinic.StockAsync();
        var covered = await Clinic.RegisterPatientAsync();
        (await PutCoverageAsync(covered, "specialty-pharmacy", Authorization("2026-11-30", "2026-12-31", 10))).Expect(200);
        var tomorrow = await BookAsync(covered, "2026-12-01T09:00"); // no shipment: drug not received
        var uncovered = await BookAsync(await Clinic.RegisterPatientAsync(), "2026-12-01T10:00"); // no authorization
        var ready = await BookAsync(await Clinic.RegisterPatientAsync(), "2026-12-01T11:00");
        (await PutCoverageAsync((await SessionAsync(ready))["patientId"]!.ToString(), "buy-and-bill", Authorization("2026-11-01", "2026-12-31", 5))).Expect(200);

        await SweepAsync();
        Assert.Equal(2, (await Clinic.FlagsAsync("not-ready")).Count);
        (await Clinic.PostAsync($"/sessions/{uncovered}/cancel", new { reason = "no coverage" })).Expect(200);
        await SweepAsync();
        Assert.Equal(tomorrow, Assert.Single(await Clinic.FlagsAsync("not-ready"))!["sessionId"]!.ToString());

        At("2026-12-02", "10:00");
        var readiness = (await Clinic.GetAsync("/reports/summary?from=2026-12-01&to=2026-12-01", Clinic.Admin)).Expect(200).Json!["readiness"]!;
        Assert.Equal((2, 1, 1, 0), ((int)readiness["notReady"]!, (int)readiness["authorizationMissing"]!, (int)readiness["drugNotReceived"]!, (int)readiness["drugShort"]!));
        var before = (await Clinic.GetAsync("/reports/summary?from=2026-11-30&to=2026-11-30", Clinic.Admin)).Expect(200).Json!["readiness"]!;
        Assert.Equal(0, (int)before["notReady"]!);
    }

    [Fact]
    public async Task An_authorization_with_two_sessions_left_gets_one_renewal_flag_a_day_without_payer_or_member_id()
    {
        var patient = await Clinic.RegisterPatientAsync();
        (await PutCoverageAsync(patient, "buy-and-bill", Authorization("2026-11-30", "2027-02-28", 4))).Expect(200);
        await BookAsync(patient, "2026-12-08T09:00");
        await SweepAsync();
        Assert.Empty(await Clinic.FlagsAsync("authorization-renewal")); // 3 left

        await BookAsync(patient, "2026-12-09T09:00");
        At("2026-12-01", "09:00"); // the check runs once a clinic day
        await SweepAsync();
        await SweepAsync();
        var flag = Assert.Single(await Clinic.FlagsAsync("authorization-renewal"));
        var detail = flag!["detail"]!.ToString();
        Assert.Contains("PA-77", detail);
        Assert.Contains("2 of 4 sessions left", detail);
        Assert.DoesNotContain(MemberId, detail);
        Assert.DoesNotContain("Acme", detail);
        Assert.Equal(patient, flag["patientId"]!.ToString());
        Assert.DoesNotContain("PHQ-9", detail); // none recorded
    }

    [Fact]
    public async Task A_sweep_that_fails_in_its_not_ready_part_leaves_the_days_renewal_check_to_the_next_run()
    {
        await Clinic.StockAsync();
        var renewing = await Clinic.RegisterPatientAsync();
        (await PutCoverageAsync(renewing, "buy-and-bill", Authorization("2026-11-30", "2027-02-28", 4))).Expect(200);
        await BookAsync(renewing, "2026-12-08T09:00");
        await BookAsync(renewing, "2026-12-09T09:00"); // 2 of 4 left: a renewal is due
        var uncovered = await Clinic.RegisterPatientAsync();
        await BookAsync(uncovered, "2026-12-01T09:00");

        // The day's first sweep fails while it reads the uncovered patient's coverage for the not-ready flags.
        _store.FailPointReads = key => key == $"coverage|{uncovered}";
        await App.RunFunctionAsync("SweepMissedSessions");
        Assert.Empty(await Clinic.FlagsAsync("authorization-renewal"));

        _store.FailPointReads = null;
        App.Clock.Advance(TimeSpan.FromHours(1));
        await SweepAsync();
        Assert.Single(await Clinic.FlagsAsync("authorization-renewal"));
        Assert.Single(await Clinic.FlagsAsync("not-ready"));
    }

    [Fact]
    public async Task A_renewal_flag_cites_the_latest_phq9_against_the_courses_baseline_and_the_latest_madrs()
    {
        At("2026-12-01", "09:00");
        var patient = await Clinic.RegisterPatientAsync();
        (await Clinic.PostAsync($"/patients/{patient}/assessments", new { instrument = "phq9", at = "2026-11-30T09:00", items = new[] { 3, 3, 2, 2, 2, 2, 2, 2, 0 } })).Expect(201);
        (await Clinic.PostAsync($"/patients/{patient}/assessments", new { instrument = "phq9", at = "2026-12-01T08:00", items = new[] { 1, 1, 1, 1, 0, 0, 0, 0, 0 } })).Expect(201);
        (await Clinic.PostAsync($"/patients/{patient}/assessments", new { instrument = "madrs", at = "2026-12-01T08:30", items = new[] { 2, 2, 1, 1, 1, 1, 1, 1, 0, 0 } })).Expect(201);
        (await PutCoverageAsync(patient, "buy-and-bill", Authorization("2026-11-30", "2027-02-28", 2))).Expect(200);
        await BookAsync(patient, "2026-12-08T09:00");
        await SweepAsync();

        var detail = Assert.Single(await Clinic.FlagsAsync("authorization-renewal"))!["detail"]!.ToString();
        Assert.Contains("Latest PHQ-9: 4 (minimal) on 2026-12-01, baseline 18 on 2026-11-30: remission; latest MADRS: 10 on 2026-12-01.", detail);
    }

    [Fact]
    public async Task A_course_booked_past_its_authorization_is_booked_with_warnings_in_the_response_and_the_audit()
    {
        var patient = await Clinic.RegisterPatientAsync();
        (await PutCoverageAsync(patient, "buy-and-bill", Authorization("2026-11-30", "2026-12-08", 2))).Expect(200);
        var booked = (await Clinic.PostAsync($"/patients/{patient}/course-bookings",
            new { from = "2026-12-01", weekdays = new[] { "tue", "thu" }, time = "10:00", count = 4 })).Expect(201).Json!;

        Assert.Equal(4, booked["sessions"]!.AsArray().Count);
        Assert.Equal([("2026-12-08T10:00", "authorization-exhausted"), ("2026-12-10T10:00", "authorization-expired")],
            booked["warnings"]!.AsArray().Select(w => (w!["start"]!.ToString(), w["reason"]!.ToString())));
        Assert.Equal(["ok", "ok", "exhausted", "expired"], booked["sessions"]!.AsArray().Select(s => s!["readiness"]!["authorization"]!.ToString()));
        var audit = (await Clinic.GetAsync("/audit?limit=100", Clinic.Admin)).Expect(200).Json!["entries"]!.AsArray();
        var warned = Assert.Single(audit, e => e!["action"]!.ToString() == "course.coverage-warnings");
        Assert.Contains("authorization-expired", warned!.ToJsonString());
    }

    [Fact]
    public async Task Coverage_is_another_clinics_404_its_reads_and_changes_are_audited_and_it_never_reaches_an_event()
    {
        var patient = await Clinic.RegisterPatientAsync();
        (await Clinic.GetAsync($"/patients/{patient}/coverage")).ExpectProblem(404);
        (await PutCoverageAsync(patient, "buy-and-bill", Authorization("2026-11-30", "2026-12-31", 2))).Expect(200);
        var other = await AddClinicAsync();
        (await App.GetAsync($"{Clinic.Base}/patients/{patient}/coverage", other.Staff)).ExpectProblem(404);
        (await PutCoverageAsync(Clinic, patient, "buy-and-bill", [], other.Staff)).ExpectProblem(404);
        (await App.GetAsync($"{other.Base}/patients/{patient}/coverage", other.Staff)).ExpectProblem(404);

        var read = (await Clinic.GetAsync($"/patients/{patient}/coverage")).Expect(200);
        Assert.Equal((MemberId, "no-store"), (read["memberId"], read.Header("Cache-Control")));
        await App.Services.GetRequiredService<PatientReads>().FlushAsync(CancellationToken.None);
        var actions = (await Clinic.GetAsync("/audit?limit=100", Clinic.Admin)).Expect(200).Json!["entries"]!.AsArray()
            .Where(e => e!["entityId"]?.ToString() == patient).Select(e => e!["action"]!.ToString()).ToList();
        Assert.Contains("coverage.created", actions);
        Assert.Contains("patient.coverage-viewed", actions);

        await BookAsync(patient, "2026-12-01T09:00");
        await SweepAsync();
        var events = await PublishedEvents.DrainAsync(App);
        Assert.NotEmpty(events);
        Assert.All(events, e => Assert.DoesNotContain(MemberId, e.ToJsonString()));
        Assert.All(events, e => Assert.DoesNotContain("Acme", e.ToJsonString()));
    }

    [Fact]
    public async Task A_stale_if_match_or_invalid_coverage_is_refused_and_nothing_is_written()
    {
        var patient = await Clinic.RegisterPatientAsync();
        (await App.SendAsync(HttpMethod.Put, $"{Clinic.Base}/patients/{patient}/coverage", Clinic.Staff,
            new { payer = "Acme", memberId = "X1", route = "cash", authorizations = new[] { Authorization("2026-12-31", "2026-12-01", 0) } }))
            .ExpectProblem(400);
        (await Clinic.GetAsync($"/patients/{patient}/coverage")).ExpectProblem(404);
        var put = (await PutCoverageAsync(patient, "buy-and-bill", Authorization("2026-11-30", "2026-12-31", 2))).Expect(200);
        Assert.Equal("\"1\"", put.Header("ETag"));
        (await App.SendAsync(HttpMethod.Put, $"{Clinic.Base}/patients/{patient}/coverage", Clinic.Staff,
            new { payer = "Other", memberId = "X2", route = "buy-and-bill" }, ifMatch: "\"7\"")).ExpectProblem(409, "stale-version");
        Assert.Equal("Acme Health", (await Clinic.GetAsync($"/patients/{patient}/coverage")).Json!["payer"]!.ToString());
        App.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal("\"1\"", (await PutCoverageAsync(patient, "buy-and-bill", Authorization("2026-11-30", "2026-12-31", 2))).Expect(200).Header("ETag")); // the same again
        Assert.Equal("\"2\"", (await PutCoverageAsync(patient, "specialty-pharmacy", Authorization("2026-11-30", "2026-12-31", 2))).Expect(200).Header("ETag"));
    }
}
