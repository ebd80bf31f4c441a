namespace ClinicBackend.Integration.Tests.Sessions;

/// <summary>Booking against the chairs: the clock stands at Monday 2026-11-30 10:00 in New York.</summary>
public sealed class BookingTests : ClinicAppTest
{
    [Fact]
    public async Task A_booking_holds_a_chair_for_the_whole_session_and_reads_back_in_local_and_utc()
    {
        var patient = await Clinic.RegisterPatientAsync();
        var booked = (await Clinic.BookAsync(patient, "2026-12-02T09:00")).Expect(201);
        Assert.Equal("2026-12-02T09:00", booked["start"]);
        Assert.Equal("2026-12-02T14:00:00Z", booked["startUtc"]);
        Assert.Equal("2026-12-02T11:00", booked["end"]);
        Assert.Equal("2026-12-02T16:00:00Z", booked["endUtc"]);
        Assert.Equal("booked", booked["status"]);
        Assert.Equal("needs-action", booked["confirmation"]);
        Assert.Equal("1", booked["version"]);
        var id = booked["id"]!;
        Assert.Equal($"/api/clinics/{Clinic.ClinicId}/sessions/{id}", booked.Header("Location"));

        Assert.Equal(id, (await Clinic.GetAsync($"/sessions/{id}")).Expect(200)["id"]);
        var day = (await Clinic.GetAsync("/sessions?date=2026-12-02")).Expect(200).Json!["sessions"]!.AsArray();
        Assert.Equal(id, Assert.Single(day)!["id"]!.ToString());
        var mine = (await Clinic.GetAsync($"/sessions?patientId={patient}")).Expect(200).Json!["sessions"]!.AsArray();
        Assert.Equal(id, Assert.Single(mine)!["id"]!.ToString());
        Assert.Empty((await Clinic.GetAsync("/sessions?date=2026-12-03")).Expect(200).Json!["sessions"]!.AsArray());
    }

    [Fact]
    public async Task Chairs_limit_overlapping_sessions_and_availability_agrees_with_booking()
    {
        var clinic = await AddClinicAsync(new() { Chairs = 2 });
        var patients = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            patients.Add(await clinic.RegisterPatientAsync());
        }
        (await clinic.BookAsync(patients[0], "2026-12-02T09:00")).Expect(201);
        (await clinic.BookAsync(patients[1], "2026-12-02T10:00")).Expect(201);

        var free = await FreeStartsAsync(clinic, "2026-12-02");
        // 10:00-10:59 starts overlap both sessions; 09:00-09:45 starts overlap both from 10:00 on.
        Assert.DoesNotContain("2026-12-02T09:00", free.Keys);
        Assert.DoesNotContain("2026-12-02T10:45", free.Keys);
        Assert.Equal(1, free["2026-12-02T11:00"]);
        Assert.Equal(1, free["2026-12-02T08:00"]);
        Assert.Equal(2, free["2026-12-02T12:00"]);
        Assert.DoesNotContain("2026-12-02T16:15", free.Keys); // would end after 18:00

        (await clinic.BookAsync(patients[2], "2026-12-02T09:30")).ExpectProblem(409, "capacity");
        (await clinic.BookAsync(patients[2], "2026-12-02T10:45")).ExpectProblem(409, "capacity");
        (await clinic.BookAsync(patients[2], "2026-12-02T11:00")).Expect(201);
        (await clinic.BookAsync(patients[3], "2026-12-02T11:00")).ExpectProblem(409, "capacity");

        // Every start availability offers can be booked; every start it leaves out is refused.
        var offered = await FreeStartsAsync(clinic, "2026-12-02");
        var start = offered.Keys.First();
        (await clinic.BookAsync(patients[3], start)).Expect(201);
        Assert.Equal(offered[start] - 1, (await FreeStartsAsync(clinic, "2026-12-02")).GetValueOrDefault(start));
    }

    [Fact]
    public async Task Thirty_two_concurrent_bookings_for_the_last_chair_give_exactly_one_session()
    {
        var clinic = await AddClinicAsync(new() { Chairs = 2 });
        (await clinic.BookAsync(await clinic.RegisterPatientAsync(), "2026-12-02T09:00")).Expect(201);
        var patients = new List<string>();
        for (var i = 0; i < 32; i++)
        {
            patients.Add(await clinic.RegisterPatientAsync());
        }
        // Overlapping starts: each of them needs the one chair left at 10:00-10:59.
        var starts = new[] { "2026-12-02T09:00", "2026-12-02T09:15", "2026-12-02T09:30", "2026-12-02T10:00", "2026-12-02T10:30" };
        var replies = await Task.WhenAll(patients.Select((p, i) => clinic.BookAsync(p, starts[i % starts.Length])));

        var winner = Assert.Single(replies, r => r.Status == 201);
        Assert.All(replies.Where(r => r.Status != 201), r => r.ExpectProblem(409, "capacity"));
        var day = (await clinic.GetAsync("/sessions?date=2026-12-02")).Expect(200).Json!["sessions"]!.AsArray();
        Assert.Equal(2, day.Count);
        // Availability now refuses every start that would overlap both sessions, and offers the others.
        var won = TimeOnly.Parse(winner["start"]![11..], System.Globalization.CultureInfo.InvariantCulture);
        var free = await FreeStartsAsync(clinic, "2026-12-02");
        for (var start = new TimeOnly(8, 0); start <= new TimeOnly(16, 0); start = start.AddMinutes(15))
        {
            var end = start.AddHours(2);
            var overlapsFirst = start < new TimeOnly(11, 0) && end > new TimeOnly(9, 0);
            var overlapsWinner = start < won.AddHours(2) && end > won;
            var text = $"2026-12-02T{start:HH:mm}";
            Assert.True(free.ContainsKey(text) != (overlapsFirst && overlapsWinner), $"{text} offered: {free.ContainsKey(text)}");
        }
    }

    [Fact]
    public async Task Sixteen_concurrent_bookings_of_one_start_with_chairs_for_all_all_succeed_each_on_its_own_chair()
    {
        var clinic = await AddClinicAsync(new() { Chairs = 20 });
        var patients = new List<string>();
        for (var i = 0; i < 16; i++)
        {
            patients.Add(await clinic.RegisterPatientAsync());
        }
        var replies = await Task.WhenAll(patients.Select(p => clinic.BookAsync(p, "2026-12-02T09:00")));

        var ids = replies.Select(r => r.Expect(201)["id"]!).ToHashSet();
        Assert.Equal(16, ids.Count);
        var claims = await StoredRows.ChairClaimsAsync(App, clinic.ClinicId);
        Assert.All(claims.GroupBy(c => c.SessionId), held => Assert.Equal(24, held.Count()));
        Assert.Equal(ids.Order(), claims.Select(c => c.SessionId).Distinct().Order());
        foreach (var tick in claims.GroupBy(c => c.Key[..c.Key.LastIndexOf('|')]))
        {
            Assert.Equal(16, tick.Count()); // one row per chair index: never two sessions on one chair
            Assert.All(tick, c => Assert.InRange(int.Parse(c.Key[(c.Key.LastIndexOf('|') + 1)..], System.Globalization.CultureInfo.InvariantCulture), 0, 19));
        }
        var day = (await clinic.GetAsync("/sessions?date=2026-12-02")).Expect(200).Json!["sessions"]!.AsArray();
        Assert.Equal(16, day.Count);
    }

    [Fact]
    public async Task A_patient_has_one_live_session_a_day()
    {
        var patient = await Clinic.RegisterPatientAsync();
        var first = (await Clinic.BookAsync(patient, "2026-12-02T09:00")).Expect(201)["id"];
        (await Clinic.BookAsync(patient, "2026-12-02T14:00")).ExpectProblem(409, "patient-conflict");
        (await Clinic.BookAsync(patient, "2026-12-03T14:00")).Expect(201);
        (await Clinic.PostAsync($"/sessions/{first}/cancel", new { reason = "patient unwell" })).Expect(200);
        (await Clinic.BookAsync(patient, "2026-12-02T14:00")).Expect(201);
    }

    public static TheoryData<string, string, string> Refusals => new()
    {
        { "2026-12-05T09:00", "outside-opening-hours", "Saturday" },
        { "2026-12-02T07:00", "outside-opening-hours", "before opening" },
        { "2026-12-02T16:15", "outside-opening-hours", "ends after closing" },
        { "2026-12-04T14:30", "outside-opening-hours", "Friday closes at 16:00" },
        { "2026-11-30T09:00", "in-the-past", "this morning" },
        { "2026-12-02T09:05", "off-grid", "not on the 15-minute grid" },
        { "2028-01-05T09:00", "too-far-ahead", "more than a year ahead" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Business_rules_refuse_with_422(string start, string code, string why)
    {
        var patient = await Clinic.RegisterPatientAsync();
        var reply = (await Clinic.BookAsync(patient, start)).ExpectProblem(422, code);
        Assert.False(string.IsNullOrEmpty(why));
        Assert.Empty((await Clinic.GetAsync($"/sessions?patientId={patient}")).Json!["sessions"]!.AsArray());
        Assert.NotNull(reply["title"]);
    }

    [Fact]
    public async Task Patients_must_be_known_and_active_and_may_be_booked_before_rems_enrolment()
    {
        (await Clinic.BookAsync("nosuchpatient1", "2026-12-02T09:00")).ExpectProblem(422, "unknown-patient");
        (await Clinic.BookAsync("../../etc", "2026-12-02T09:00")).ExpectProblem(422, "unknown-patient");
        var inactive = await Clinic.RegisterPatientAsync();
        (await App.SendAsync(HttpMethod.Patch, $"{Clinic.Base}/patients/{inactive}", Clinic.Staff, new { active = false })).Expect(200);
        (await Clinic.BookAsync(inactive, "2026-12-02T09:00")).ExpectProblem(422, "inactive-patient");
        // Enrolment is often completed at the first visit: it gates the dose (see RemsRecordTests), not the booking.
        var notEnrolled = await Clinic.RegisterPatientAsync(remsEnrolled: false);
        (await Clinic.BookAsync(notEnrolled, "2026-12-02T09:00")).Expect(201);
    }

    private static async Task<Dictionary<string, int>> FreeStartsAsync(Scenario clinic, string date)
    {
        var slots = (await clinic.GetAsync($"/availability?date={date}")).Expect(200).Json!["slots"]!.AsArray();
        return slots.ToDictionary(s => s!["start"]!.ToString(), s => (int)s!["freeChairs"]!);
    }
}
