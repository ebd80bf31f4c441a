using ClinicBackend.Application.Persistence;
using ClinicBackend.Testing.Drills;

namespace ClinicBackend.Integration.Tests.Sessions;

/// <summary>
/// Issue #22: the drug on hand, by lot (Schedule III). Receipts, doses and witnessed adjustments each write a log line
/// with the balance after it; a count never goes below zero, even when two doses race for the last devices; expired
/// lots are refused; the hourly sweep flags lots about to expire and stock too low for the week. Wednesday 2026-12-02.
/// </summary>
public sealed class InventoryTests : ClinicAppTest
{
    private readonly GatedStore.Gate _gate = new();
    private readonly BlindStore.Blindness _blindness = new();

    protected override void ConfigureServices(IServiceCollection services)
    {
        BlindStore.Install(services, _blindness);
        GatedStore.Install(services, _gate);
    }

    private void At(string time, string date = "2026-12-02") =>
        App.Clock.SetUtcNow(DateTimeOffset.Parse($"{date}T{time}:00-05:00", System.Globalization.CultureInfo.InvariantCulture));

    private Task<Reply> ReceiveAsync(string lot, int devices, string expires = "2027-06-30") =>
        Clinic.PostAsync("/inventory/lots", new { lot, expires, devices });

    private Task<Reply> AdjustAsync(string lot, int devices, string reason, string? witness, string? token = null) =>
        Clinic.PostAsync($"/inventory/lots/{lot}/adjustments", new { devices, reason, witness, note = "counted twice" }, token);

    private async Task<int> OnHandAsync(string lot) =>
        (int)(await Clinic.GetAsync($"/inventory/lots/{lot}/log", Clinic.Admin)).Expect(200).Json!["lot"]!["onHand"]!;

    private async Task<string> ArrivedAsync(string start)
    {
        var session = (await Clinic.BookAsync(await Clinic.RegisterPatientAsync(), $"2026-12-02T{start}")).Expect(201)["id"]!;
        At("09:00");
        (await Clinic.PostAsync($"/sessions/{session}/check-in")).Expect(200);
        return session;
    }

    public static TheoryData<string> Enforcement => ["the lot's ETag and its log line", "the lot's ETag alone", "the log line alone"];

    /// <summary>
    /// Both doses read the lot's 3 devices before either commits (the first waits at its commit until the second has
    /// finished). The loser decides again on the new count and is refused. Run three ways: as stored, with the lot
    /// replaced without its ETag (a store that ignores ETags inside a batch, as Azurite once did), and with the log
    /// line written without an insert condition: either guard alone decides the race.
    /// </summary>
    [Theory]
    [MemberData(nameof(Enforcement))]
    public async Task Two_doses_racing_for_the_last_three_devices_give_one_dose_and_a_count_of_zero(string enforcement)
    {
        (await ReceiveAsync("LAST3", 3)).Expect(201);
        var first = await ArrivedAsync("09:00");
        var second = await ArrivedAsync("09:15");
        _blindness.IgnoreLotETag = enforcement == "the log line alone";
        _blindness.UpsertLogLines = enforcement == "the lot's ETag alone";

        var held = _gate.PauseNext(changes => changes.Any(c => c.Key == Keys.Session(first)) && changes.Any(c => c.Key.StartsWith("lotlog|LAST3|", StringComparison.Ordinal)));
        var firstDose = Clinic.PostAsync($"/sessions/{first}/dose", Scenario.Dose(84, "LAST3"));
        await held.Reached; // the first decided on 3 devices and waits at its commit
        var secondDose = await Clinic.PostAsync($"/sessions/{second}/dose", Scenario.Dose(84, "LAST3"));
        held.Release();
        var firstReply = await firstDose;

        secondDose.Expect(200);
        firstReply.ExpectProblem(409, "insufficient-stock");
        Assert.Contains("LAST3 has 0 devices", firstReply["detail"]);
        Assert.Null((await Clinic.GetAsync($"/sessions/{first}")).Expect(200)["dosedAt"]);
        var log = (await Clinic.GetAsync("/inventory/lots/LAST3/log", Clinic.Admin)).Expect(200).Json!;
        Assert.Equal("0", log["lot"]!["onHand"]!.ToString());
        Assert.Equal([("receipt", 3), ("dose", 0)], log["entries"]!.AsArray().Select(e => (e!["kind"]!.ToString(), (int)e["balanceAfter"]!)));
        Assert.Equal(second, log["entries"]![1]!["sessionId"]!.ToString());
    }

    /// <summary>
    /// The control of the race above: with neither guard (the lot upserted, the log line upserted) both doses pass and 6
    /// devices leave a lot of 3, so the race the test sets up is real and the guards are what decide it.
    /// </summary>
    [Fact]
    public async Task Without_either_guard_the_same_race_would_give_two_doses()
    {
        (await ReceiveAsync("LAST3", 3)).Expect(201);
        var first = await ArrivedAsync("09:00");
        var second = await ArrivedAsync("09:15");
        _blindness.IgnoreLotETag = true;
        _blindness.UpsertLogLines = true;

        var held = _gate.PauseNext(changes => changes.Any(c => c.Key == Keys.Session(first)) && changes.Any(c => c.Key.StartsWith("lotlog|LAST3|", StringComparison.Ordinal)));
        var firstDose = Clinic.PostAsync($"/sessions/{first}/dose", Scenario.Dose(84, "LAST3"));
        await held.Reached;
        (await Clinic.PostAsync($"/sessions/{second}/dose", Scenario.Dose(84, "LAST3"))).Expect(200);
        held.Release();
        (await firstDose).Expect(200);
    }

    [Fact]
    public async Task A_dose_from_two_lots_takes_both_or_neither()
    {
        (await ReceiveAsync("PLENTY", 10)).Expect(201);
        (await ReceiveAsync("SHORT", 1)).Expect(201);
        var session = await ArrivedAsync("09:00");
        (await Clinic.PostAsync($"/sessions/{session}/dose", new
        {
            doseMg = 84,
            devices = new[] { new { lot = "PLENTY", count = 1 }, new { lot = "SHORT", count = 2 } },
            preDose = new { bloodPressure = "128/82", spo2 = 98 },
            monitoringClinician = new { name = "Nurse Kim" },
        })).ExpectProblem(409, "insufficient-stock");
        Assert.Equal((10, 1), (await OnHandAsync("PLENTY"), await OnHandAsync("SHORT")));
        (await Clinic.PostAsync($"/sessions/{session}/dose", Scenario.Dose(84, "NEVERSEEN"))).ExpectProblem(422, "unknown-lot");
        (await Clinic.PostAsync($"/sessions/{session}/dose", new
        {
            doseMg = 84,
            devices = new[] { new { lot = "PLENTY", count = 2 }, new { lot = "short", count = 1 } },
            preDose = new { bloodPressure = "128/82", spo2 = 98 },
            monitoringClinician = new { name = "Nurse Kim" },
        })).Expect(200);
        Assert.Equal((8, 0), (await OnHandAsync("PLENTY"), await OnHandAsync("SHORT")));
    }

    [Fact]
    public async Task Adjustments_need_a_reason_and_another_member_as_witness()
    {
        (await ReceiveAsync("W1", 5)).Expect(201);
        var admin = $"admin-{Clinic.ClinicId}";
        var staff = $"staff-{Clinic.ClinicId}";

        var unwitnessed = (await AdjustAsync("W1", -1, "wasted", witness: null)).ExpectProblem(400, "validation");
        Assert.NotNull(unwitnessed.Json!["errors"]!["witness"]);
        (await AdjustAsync("W1", -1, "wasted", witness: staff)).ExpectProblem(422, "self-witness");
        (await AdjustAsync("W1", -1, "wasted", witness: "someone-else")).ExpectProblem(422, "unknown-witness");
        (await AdjustAsync("W1", 1, "wasted", witness: admin)).ExpectProblem(400, "validation");
        (await AdjustAsync("W1", -6, "returned", witness: admin)).ExpectProblem(409, "insufficient-stock");
        (await AdjustAsync("NOSUCHLOT", -1, "wasted", witness: admin)).ExpectProblem(404);
        Assert.Equal(5, await OnHandAsync("W1"));

        var wasted = (await AdjustAsync("W1", -1, "wasted", witness: admin)).Expect(201);
        Assert.Equal(("4", "wasted", admin), (wasted.Json!["lot"]!["onHand"]!.ToString(), wasted.Json!["entry"]!["reason"]!.ToString(), wasted.Json!["entry"]!["witness"]!.ToString()));
        (await AdjustAsync("W1", 2, "count-correction", witness: staff, token: Clinic.Admin)).Expect(201);

        (await Clinic.GetAsync("/inventory/lots/W1/log")).ExpectProblem(403); // the log is for Clinic.Admin
        var entries = (await Clinic.GetAsync("/inventory/lots/w1/log", Clinic.Admin)).Expect(200).Json!["entries"]!.AsArray();
        Assert.Equal([(1, "receipt", 5, 5), (2, "adjustment", -1, 4), (3, "adjustment", 2, 6)],
            entries.Select(e => ((int)e!["seq"]!, e["kind"]!.ToString(), (int)e["devices"]!, (int)e["balanceAfter"]!)));
        Assert.Equal(staff, entries[1]!["by"]!.ToString());
    }

    [Fact]
    public async Task Expired_lots_are_refused_and_a_lot_keeps_its_expiry()
    {
        (await ReceiveAsync("OLD1", 6, expires: "2026-11-29")).ExpectProblem(422, "lot-expired");
        (await ReceiveAsync("SOON", 6, expires: "2026-12-01")).Expect(201);
        (await ReceiveAsync("SOON", 6, expires: "2026-12-31")).ExpectProblem(409, "lot-expiry-mismatch");
        var again = (await ReceiveAsync("soon", 6, expires: "2026-12-01")).Expect(201);
        Assert.Equal(("SOON", "12"), (again["lot"], again["onHand"]));

        var session = await ArrivedAsync("09:00"); // 2026-12-02: the day after SOON's last day
        (await Clinic.PostAsync($"/sessions/{session}/dose", Scenario.Dose(56, "SOON"))).ExpectProblem(422, "lot-expired");
        (await AdjustAsync("SOON", -12, "expired", witness: $"admin-{Clinic.ClinicId}")).Expect(201);
        Assert.Equal(0, await OnHandAsync("SOON"));
    }

    [Fact]
    public async Task A_pharmacy_clinic_keeps_the_lot_on_the_dose_without_counting()
    {
        (await App.SendAsync(HttpMethod.Patch, Clinic.Base, Clinic.Admin, new { inventory = "pharmacy" })).Expect(200);
        var session = await ArrivedAsync("09:00");
        var dosed = (await Clinic.PostAsync($"/sessions/{session}/dose", Scenario.Dose(84, "RX-PATIENT-7"))).Expect(200);
        Assert.Equal("RX-PATIENT-7", dosed.Json!["monitoring"]!["dose"]!["devices"]![0]!["lot"]!.ToString());
        var inventory = (await Clinic.GetAsync("/inventory")).Expect(200).Json!;
        Assert.Equal("pharmacy", inventory["inventory"]!.ToString());
        Assert.Empty(inventory["lots"]!.AsArray());
        Assert.Empty(await StoredRows.PartitionAsync(App, Clinic.ClinicId, "lot"));
    }

    [Fact]
    public async Task The_sweep_flags_lots_about_to_expire_and_stock_below_the_weeks_need()
    {
        (await ReceiveAsync("FRESH", 2, expires: "2027-06-30")).Expect(201);
        (await ReceiveAsync("NEAR", 1, expires: "2026-12-20")).Expect(201);
        (await ReceiveAsync("EMPTYNEAR", 1, expires: "2026-12-20")).Expect(201);
        (await AdjustAsync("EMPTYNEAR", -1, "damaged", witness: $"admin-{Clinic.ClinicId}")).Expect(201);
        foreach (var start in new[] { "2026-12-03T10:00", "2026-12-08T10:00", "2026-12-11T10:00" })
        {
            (await Clinic.BookAsync(await Clinic.RegisterPatientAsync(), start)).Expect(201);
        }

        At("09:00", "2026-12-01"); // the next 7 days (12-01 to 12-07) hold one session: 3 devices, and 3 are on hand
        Assert.Equal("3", (await Clinic.GetAsync("/inventory")).Expect(200).Json!["devicesNeeded7d"]!.ToString());
        await App.RunFunctionAsync("SweepMissedSessions");
        Assert.Empty(await Clinic.FlagsAsync("stock-low"));
        var expiring = Assert.Single(await Clinic.FlagsAsync("lot-expiring"))!; // NEAR (EMPTYNEAR has nothing left; FRESH is far off)
        Assert.Contains("Lot NEAR expires", expiring["detail"]!.ToString());

        At("09:00", "2026-12-02"); // now 12-08 is in the week too: 6 needed
        await App.RunFunctionAsync("SweepMissedSessions");
        await App.RunFunctionAsync("SweepMissedSessions");
        var low = Assert.Single(await Clinic.FlagsAsync("stock-low"))!;
        Assert.Contains("need 6", low["detail"]!.ToString());
        Assert.Single(await Clinic.FlagsAsync("lot-expiring"));

        (await ReceiveAsync("FRESH", 10)).Expect(201);
        await App.RunFunctionAsync("SweepMissedSessions"); // covered again: the stretch of low stock ends
        (await Clinic.PostAsync($"/flags/{low["id"]}/resolve", new { note = "Delivery came" })).Expect(200);
        (await AdjustAsync("FRESH", -12, "returned", witness: $"admin-{Clinic.ClinicId}")).Expect(201);
        await App.RunFunctionAsync("SweepMissedSessions"); // low again: a new stretch, a new flag
        Assert.Single(await Clinic.FlagsAsync("stock-low"));
        Assert.Single(await Clinic.FlagsAsync("stock-low", status: "resolved"));
    }
}

/// <summary>
/// The app's store with ETag or insert conditions taken off chosen rows, to show which guard decides a race: a lot
/// replaced without its ETag (as a store that ignores ETags inside a batch would), or a log line upserted.
/// </summary>
public sealed class BlindStore(IDocumentStore inner, BlindStore.Blindness blindness) : IDocumentStore
{
    public static void Install(IServiceCollection services, Blindness blindness) =>
        services.Decorate<IDocumentStore>((inner, _) => new BlindStore(inner, blindness));

    public sealed class Blindness
    {
        public bool IgnoreLotETag { get; set; }
        public bool UpsertLogLines { get; set; }
    }

    public Task<IReadOnlyList<string?>> CommitAsync(string partition, IReadOnlyList<Change> changes, CancellationToken ct) =>
        inner.CommitAsync(partition, changes.Select(Blind).ToList(), ct);

    private Change Blind(Change change) => change switch
    {
        Change.Replace r when blindness.IgnoreLotETag && r.Key.StartsWith(Keys.LotPrefix, StringComparison.Ordinal) => new Change.Upsert(r.Key, r.Value),
        Change.Insert i when blindness.UpsertLogLines && i.Key.StartsWith("lotlog|", StringComparison.Ordinal) => new Change.Upsert(i.Key, i.Value),
        _ => change,
    };

    public Task<Stored<T>?> GetAsync<T>(string partition, string key, CancellationToken ct) => inner.GetAsync<T>(partition, key, ct);

    public Task<IReadOnlyList<Stored<T>>> QueryPrefixAsync<T>(string partition, string prefix, CancellationToken ct, int? take = null) =>
        inner.QueryPrefixAsync<T>(partition, prefix, ct, take);

    public Task<IReadOnlyList<Stored<T>>> QueryRangeAsync<T>(string partition, string fromKey, string toKey, CancellationToken ct, int? take = null) =>
        inner.QueryRangeAsync<T>(partition, fromKey, toKey, ct, take);

    public Task<WrittenRows<T>> QueryWrittenSinceAsync<T>(string partition, string fromKey, string toKey, DateTimeOffset? since, CancellationToken ct) =>
        inner.QueryWrittenSinceAsync<T>(partition, fromKey, toKey, since, ct);

    public Task<bool> PingAsync(CancellationToken ct) => inner.PingAsync(ct);
}
