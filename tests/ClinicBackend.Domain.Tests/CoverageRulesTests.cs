using ClinicBackend.Domain.Inventory;
using ClinicBackend.Domain.Payment;
using ClinicBackend.Domain.Sessions;
using NodaTime;

namespace ClinicBackend.Domain.Tests;

/// <summary>Issue #24: what an authorization has counted, which visit a shipment serves, and a visit's readiness.</summary>
public sealed class CoverageRulesTests
{
    private static readonly Instant Now = Instant.FromUtc(2026, 12, 1, 15, 0);

    private static Session Visit(string id, int day, SessionStatus status = SessionStatus.Booked, Instant? endedAt = null) => new()
    {
        Id = id,
        ClinicId = "riverside",
        PatientId = "patient0001",
        Start = new LocalDateTime(2026, 12, day, 9, 0),
        StartUtc = Instant.FromUtc(2026, 12, day, 14, 0),
        End = new LocalDateTime(2026, 12, day, 11, 0),
        EndUtc = Instant.FromUtc(2026, 12, day, 16, 0),
        Status = status,
        History = endedAt is { } at ? [new SessionChange(at, "staff", status == SessionStatus.Noshow ? "noshow" : "cancelled", null)] : [],
    };

    private static Coverage Covered(CoverageRoute route = CoverageRoute.BuyAndBill, params Authorization[] authorizations) =>
        Coverage.Put(null, "patient0001", "Acme Health", "X123", route, authorizations, Now, "staff");

    private static Authorization Auth(int from, int to, int sessions, string number = "PA-77") => new(number, new LocalDate(2026, 12, from), new LocalDate(2026, 12, to), sessions);

    [Fact]
    public void Visits_that_took_place_count_before_booked_ones_and_booked_ones_in_date_order()
    {
        // A booked visit on the 2nd not yet swept, a fulfilled one on the 3rd (entered late), a booked one on the 4th: 2 sessions.
        var sessions = new[] { Visit("b4", 4), Visit("b2", 2), Visit("f3", 3, SessionStatus.Fulfilled) };
        var ledger = CoverageLedger.Of(Covered(authorizations: Auth(1, 31, 2)), sessions);

        var use = Assert.Single(ledger.Uses);
        Assert.Equal((2, 0, 1), (use.Used, use.Remaining, use.TookPlace));
        Assert.Equal("b4", use.FirstUncovered?.Id);
        Assert.Equal([AuthorizationReadiness.Ok, AuthorizationReadiness.Ok, AuthorizationReadiness.Exhausted],
            new[] { "f3", "b2", "b4" }.Select(id => ledger.StatusOf(sessions.Single(s => s.Id == id))));
    }

    [Fact]
    public void Cancelled_and_missed_visits_count_for_nothing()
    {
        var sessions = new[] { Visit("c2", 2, SessionStatus.Cancelled), Visit("n3", 3, SessionStatus.Noshow), Visit("b4", 4) };
        var use = Assert.Single(CoverageLedger.Of(Covered(authorizations: Auth(1, 31, 1)), sessions).Uses);
        Assert.Equal((1, 0, (string?)null), (use.Used, use.Remaining, use.FirstUncovered?.Id));
    }

    [Fact]
    public void A_visit_outside_every_authorization_is_expired_after_one_ended_and_missing_otherwise()
    {
        var sessions = new[] { Visit("before", 2), Visit("inside", 10), Visit("after", 20) };
        var ledger = CoverageLedger.Of(Covered(authorizations: Auth(5, 15, 10)), sessions);
        Assert.Equal([AuthorizationReadiness.Missing, AuthorizationReadiness.Ok, AuthorizationReadiness.Expired], sessions.Select(ledger.StatusOf));
        Assert.Equal(AuthorizationReadiness.Missing, CoverageLedger.Of(null, sessions).StatusOf(sessions[1]));
    }

    [Fact]
    public void A_visit_the_first_authorization_cannot_cover_goes_to_an_overlapping_one_with_room()
    {
        var sessions = new[] { Visit("a", 2), Visit("b", 3) };
        var ledger = CoverageLedger.Of(Covered(authorizations: [Auth(1, 10, 1, "PA-1"), Auth(3, 31, 5, "PA-2")]), sessions);
        Assert.All(sessions, s => Assert.Equal(AuthorizationReadiness.Ok, ledger.StatusOf(s)));
        Assert.Equal([1, 1], ledger.Uses.Select(u => u.Used));
    }

    [Theory]
    [InlineData(31, 10, 5, false)] // ends in 30 days, 5 left
    [InlineData(15, 10, 5, true)] // ends in 14 days
    [InlineData(31, 3, 1, true)] // 2 left
    [InlineData(31, 4, 1, false)] // 3 left
    public void Renewal_is_due_14_days_before_the_end_or_at_2_sessions_left(int to, int sessions, int booked, bool due)
    {
        var visits = Enumerable.Range(2, booked).Select(d => Visit($"v{d}", d)).ToList();
        var use = Assert.Single(CoverageLedger.Of(Covered(authorizations: Auth(1, to, sessions)), visits).Uses);
        Assert.Equal(due, CoverageRules.NeedsRenewal(use, new LocalDate(2026, 12, 1)));
    }

    [Fact]
    public void A_renewal_is_not_due_for_an_authorization_that_has_ended()
    {
        var use = Assert.Single(CoverageLedger.Of(Covered(authorizations: Auth(1, 5, 1)), []).Uses);
        Assert.False(CoverageRules.NeedsRenewal(use, new LocalDate(2026, 12, 6)));
    }

    [Fact]
    public void A_cancelled_visits_shipment_serves_the_next_visit_without_one_and_a_rescheduled_visit_keeps_its_own()
    {
        var cancelledAt = Instant.FromUtc(2026, 12, 1, 12, 0);
        var sessions = new[] { Visit("old", 3, SessionStatus.Cancelled, cancelledAt), Visit("own", 8), Visit("next", 10), Visit("later", 15) };
        var coverage = Covered(CoverageRoute.SpecialtyPharmacy)
            .RecordShipment("old", null, ShipmentStatus.Received, "RX-1", Now, "staff").Value
            .RecordShipment("own", null, ShipmentStatus.Ordered, "RX-2", Now + Duration.FromMinutes(1), "staff").Value;

        var served = CoverageRules.ShipmentsBySession(coverage, sessions);

        Assert.Equal("RX-2", served["own"].Reference);
        Assert.Equal("RX-1", served["next"].Reference);
        Assert.False(served.ContainsKey("later"));
        Assert.False(served.ContainsKey("old"));
    }

    [Fact]
    public void A_released_shipment_goes_to_a_visit_booked_after_the_cancellation_even_if_it_is_earlier_than_the_cancelled_one()
    {
        var sessions = new[] { Visit("cancelled", 10, SessionStatus.Cancelled, Now), Visit("earlier", 4) };
        var coverage = Covered(CoverageRoute.SpecialtyPharmacy).RecordShipment("cancelled", null, ShipmentStatus.Shipped, null, Now, "staff").Value;
        Assert.Equal(ShipmentStatus.Shipped, CoverageRules.ShipmentsBySession(coverage, sessions)["earlier"].Status);
    }

    /// <summary>A visit at 09:00 New York time on <paramref name="date"/>.</summary>
    private static Session On(string id, LocalDate date, SessionStatus status = SessionStatus.Booked, Instant? endedAt = null) => Visit(id, 1, status, endedAt) with
    {
        Start = date.At(new LocalTime(9, 0)),
        StartUtc = date.At(new LocalTime(14, 0)).InUtc().ToInstant(),
        End = date.At(new LocalTime(11, 0)),
        EndUtc = date.At(new LocalTime(16, 0)).InUtc().ToInstant(),
    };

    [Fact]
    public void The_sessions_from_the_earliest_counted_day_give_the_same_counts_and_shipments_as_the_whole_history()
    {
        // A year of weekly maintenance before the authorization, then its visits; a cancelled visit's shipment passes on.
        var history = Enumerable.Range(0, 50).Select(w => On($"h{w}", new LocalDate(2025, 10, 1).PlusWeeks(w), SessionStatus.Fulfilled));
        var recent = new[]
        {
            On("n1", new LocalDate(2026, 11, 4), SessionStatus.Fulfilled), On("n2", new LocalDate(2026, 11, 11), SessionStatus.Noshow),
            On("d1", new LocalDate(2026, 12, 2), SessionStatus.Cancelled, Now), On("d2", new LocalDate(2026, 12, 9)), On("d3", new LocalDate(2026, 12, 16)),
        };
        var all = history.Concat(recent).ToList();
        var coverage = Coverage.Put(null, "patient0001", "Acme Health", "X123", CoverageRoute.SpecialtyPharmacy,
                [new Authorization("PA-1", new LocalDate(2026, 11, 1), new LocalDate(2026, 12, 10), 2), new Authorization("PA-2", new LocalDate(2026, 12, 11), new LocalDate(2027, 3, 31), 8)], Now, "staff")
            .RecordShipment("d1", null, ShipmentStatus.Received, "RX-1", Now - Duration.FromDays(3), "staff").Value;

        var from = CoverageRules.EarliestCountedDay(coverage)!.Value;
        Assert.Equal(new LocalDate(2026, 10, 28), from); // 31 days before the shipment was recorded, before PA-1's start
        var counted = all.Where(s => s.Date >= from).ToList();
        Assert.Equal(recent, counted); // none of the 50 earlier visits
        Assert.True(CoverageRules.CountsWithin(coverage, counted, from));

        string Uses(IReadOnlyList<Session> sessions) => string.Join("; ", CoverageLedger.Of(coverage, sessions).Uses.Select(u => $"{u.Authorization.Number} {u.Used}/{u.TookPlace}/{u.FirstUncovered?.Id}"));
        string Served(IReadOnlyList<Session> sessions) => string.Join("; ", CoverageRules.ShipmentsBySession(coverage, sessions).Select(p => $"{p.Key}:{p.Value.Reference}"));
        Assert.Equal(Uses(all), Uses(counted));
        Assert.Equal("PA-1 2/1/; PA-2 1/0/", Uses(counted));
        Assert.Equal(Served(all), Served(counted));
        Assert.Equal("d2:RX-1", Served(counted));
    }

    [Fact]
    public void Sessions_from_the_earliest_counted_day_are_not_enough_when_a_shipments_visit_or_its_release_lies_before_it()
    {
        Assert.Null(CoverageRules.EarliestCountedDay(null));
        Assert.Null(CoverageRules.EarliestCountedDay(Covered(CoverageRoute.SpecialtyPharmacy)));

        // A visit left booked for weeks after its day (nobody swept), its shipment recorded on December 1st.
        var stale = On("stale", new LocalDate(2026, 10, 1));
        var coverage = Covered(CoverageRoute.SpecialtyPharmacy).RecordShipment("stale", null, ShipmentStatus.Ordered, null, Now, "staff").Value;
        var from = CoverageRules.EarliestCountedDay(coverage)!.Value;
        Assert.Equal(new LocalDate(2026, 10, 31), from);
        Assert.False(CoverageRules.CountsWithin(coverage, [On("later", new LocalDate(2026, 12, 3))], from));
        Assert.True(CoverageRules.CountsWithin(coverage, [stale, On("later", new LocalDate(2026, 12, 3))], from));

        // A visit of the range that let its shipment go before the range starts: visits before the range could take it.
        var released = On("released", new LocalDate(2026, 12, 10), SessionStatus.Cancelled, Instant.FromUtc(2026, 10, 20, 12, 0));
        var passed = Covered(CoverageRoute.SpecialtyPharmacy).RecordShipment("released", null, ShipmentStatus.Ordered, null, Now, "staff").Value;
        Assert.False(CoverageRules.CountsWithin(passed, [released], CoverageRules.EarliestCountedDay(passed)!.Value));
    }

    [Fact]
    public void A_shipment_only_moves_forward_and_the_same_status_again_changes_nothing()
    {
        var received = Covered(CoverageRoute.SpecialtyPharmacy).RecordShipment("s", null, ShipmentStatus.Received, "RX-1", Now, "staff").Value;
        var shipment = received.Shipments.Single();
        Assert.Same(received, received.RecordShipment("s", shipment, ShipmentStatus.Received, null, Now, "staff").Value);
        Assert.Equal("shipment-backwards", received.RecordShipment("s", shipment, ShipmentStatus.Ordered, null, Now, "staff").Problem?.Code);
        Assert.Equal("not-specialty-pharmacy", Covered().RecordShipment("s", null, ShipmentStatus.Ordered, null, Now, "staff").Problem?.Code);
    }

    [Fact]
    public void Buy_and_bill_drug_is_short_when_the_lots_usable_that_day_cannot_cover_its_undosed_booked_visits()
    {
        var clinic = TestClinics.Riverside();
        var visit = Visit("v", 4);
        var day = new[] { visit, Visit("w", 4) with { PatientId = "patient0002" } };
        var ledger = CoverageLedger.Of(null, [visit]);
        Lot LotOf(int devices, int expiresDay) => Lot.Receive(null, "L1", new LocalDate(2026, 12, expiresDay), devices, Now, new LocalDate(2026, 12, 1), Now, "staff").Value.Lot;
        Readiness? Drug(params Lot[] lots) => CoverageRules.Of(visit, clinic, null, ledger, new Dictionary<string, Shipment>(), lots, day, Now);

        Assert.Equal(DrugReadiness.Ok, Drug(LotOf(6, 31))?.Drug);
        Assert.Equal(DrugReadiness.Short, Drug(LotOf(5, 31))?.Drug);
        Assert.Equal(DrugReadiness.Short, Drug(LotOf(6, 3))?.Drug); // expired before the visit's day
        Assert.Equal(DrugReadiness.Ok, Drug(LotOf(6, 4))?.Drug); // usable through its expiry day
        Assert.Equal(["authorization-missing", "drug-short"], Drug(LotOf(5, 31))!.Causes);
    }

    [Fact]
    public void Cancelled_and_missed_visits_have_no_readiness()
    {
        var visit = Visit("c", 4, SessionStatus.Cancelled);
        Assert.Null(CoverageRules.Of(visit, TestClinics.Riverside(), null, CoverageLedger.Of(null, [visit]), new Dictionary<string, Shipment>(), [], [visit], Now));
    }
}
