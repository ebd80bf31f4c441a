using ClinicBackend.Domain.Inventory;
using NodaTime;

namespace ClinicBackend.Domain.Tests;

/// <summary>A lot of the drug changes only through its own methods, each writing one numbered log line with the balance after it.</summary>
public sealed class LotTests
{
    private static readonly Instant Now = Instant.FromUtc(2026, 12, 2, 15, 0);
    private static readonly LocalDate Today = new(2026, 12, 2);
    private static readonly LocalDate Expires = new(2027, 6, 30);

    private static Lot Received(int devices = 10) => Lot.Receive(null, "ABC1234", Expires, devices, Now, Today, Now, "staff").Value.Lot;

    [Theory]
    [InlineData("ABC1234", "ABC1234")]
    [InlineData(" abc-1234 ", "ABC-1234")]
    [InlineData("-ABC", null)]
    [InlineData("AB/12", null)]
    [InlineData("AB|12", null)]
    [InlineData("", null)]
    [InlineData("A234567890123456789012345678901", null)] // 31 characters
    public void Lot_numbers_are_letters_digits_and_dashes_in_upper_case(string text, string? number) =>
        Assert.Equal(number, Lot.NormalizeNumber(text));

    [Fact]
    public void Receipts_doses_and_adjustments_log_every_change_with_the_balance_after()
    {
        var first = Lot.Receive(null, "ABC1234", Expires, 10, Now, Today, Now, "staff").Value;
        Assert.Equal((1, 10, 10), (first.Entry.Seq, first.Entry.Devices, first.Entry.BalanceAfter));
        var more = Lot.Receive(first.Lot, "ABC1234", Expires, 5, Now, Today, Now, "staff").Value;
        var dose = more.Lot.Take(3, "s1", "p1", Today, Now, Now, "nurse").Value;
        var waste = dose.Lot.Adjust(-1, AdjustmentReason.Wasted, "witness", "dropped", Now, "nurse").Value;
        var recount = waste.Lot.Adjust(2, AdjustmentReason.CountCorrection, "witness", null, Now, "nurse").Value;

        Assert.Equal([(1, 10, 10), (2, 5, 15), (3, -3, 12), (4, -1, 11), (5, 2, 13)],
            new[] { first, more, dose, waste, recount }.Select(c => (c.Entry.Seq, c.Entry.Devices, c.Entry.BalanceAfter)));
        Assert.Equal((13, 5, 5), (recount.Lot.OnHand, recount.Lot.Entries, recount.Lot.Version));
        Assert.Equal(("s1", "p1", LotEntryKind.Dose), (dose.Entry.SessionId, dose.Entry.PatientId, dose.Entry.Kind));
        Assert.Equal(("witness", AdjustmentReason.Wasted), (waste.Entry.Witness, waste.Entry.Reason));
    }

    [Fact]
    public void The_count_never_goes_below_zero()
    {
        var lot = Received(3);
        Assert.Equal("insufficient-stock", lot.Take(4, "s1", "p1", Today, Now, Now, "nurse").Problem?.Code);
        Assert.Equal("insufficient-stock", lot.Adjust(-4, AdjustmentReason.Returned, "witness", null, Now, "nurse").Problem?.Code);
        Assert.Equal(0, lot.Take(3, "s1", "p1", Today, Now, Now, "nurse").Value.Lot.OnHand);
    }

    [Fact]
    public void Expired_lots_are_neither_received_nor_used_but_may_be_written_off()
    {
        Assert.Equal("lot-expired", Lot.Receive(null, "OLD", Today.PlusDays(-1), 5, Now, Today, Now, "staff").Problem?.Code);
        var lot = Lot.Receive(null, "LAST", Today, 5, Now, Today, Now, "staff").Value.Lot; // usable through its expiry date
        Assert.True(lot.Take(2, "s1", "p1", Today, Now, Now, "nurse").IsSuccess);
        Assert.Equal("lot-expired", lot.Take(2, "s1", "p1", Today.PlusDays(1), Now, Now, "nurse").Problem?.Code);
        Assert.True(lot.Adjust(-5, AdjustmentReason.Expired, "witness", null, Now, "nurse").IsSuccess);
    }

    [Fact]
    public void A_lot_number_has_one_expiry()
    {
        var lot = Received();
        Assert.Equal("lot-expiry-mismatch", Lot.Receive(lot, "ABC1234", Expires.PlusDays(1), 5, Now, Today, Now, "staff").Problem?.Code);
    }

    [Theory]
    [InlineData(-1, AdjustmentReason.Wasted, "witness", null)]
    [InlineData(1, AdjustmentReason.Wasted, "witness", "validation")]
    [InlineData(0, AdjustmentReason.CountCorrection, "witness", "validation")]
    [InlineData(3, AdjustmentReason.CountCorrection, "witness", null)]
    [InlineData(-1, AdjustmentReason.Damaged, "nurse", "self-witness")]
    [InlineData(-1001, AdjustmentReason.Returned, "witness", "validation")]
    public void Adjustments_have_a_direction_a_reason_and_someone_elses_witness(int devices, AdjustmentReason reason, string witness, string? code) =>
        Assert.Equal(code, Received().Adjust(devices, reason, witness, null, Now, "nurse").Problem?.Code);

    [Fact]
    public void The_weeks_need_counts_sessions_not_dosed_and_not_over_at_three_devices()
    {
        var start = Now + Duration.FromHours(1);
        Sessions.Session Session(Sessions.SessionStatus status, Instant at, bool dosed = false) => new()
        {
            Id = "s",
            ClinicId = "c",
            PatientId = "p",
            Start = at.InUtc().LocalDateTime,
            StartUtc = at,
            End = (at + Duration.FromHours(2)).InUtc().LocalDateTime,
            EndUtc = at + Duration.FromHours(2),
            Status = status,
            Dose = dosed ? new Monitoring.DoseRecord(at, 84, null, [], new Monitoring.PreDoseVitals(new(120, 80), 98), null, new Monitoring.Clinician("n", null, null)) : null,
        };
        Sessions.Session[] sessions =
        [
            Session(Sessions.SessionStatus.Booked, start),
            Session(Sessions.SessionStatus.Arrived, Now - Duration.FromMinutes(30)),
            Session(Sessions.SessionStatus.Arrived, Now - Duration.FromMinutes(30), dosed: true),
            Session(Sessions.SessionStatus.Booked, Now - Duration.FromHours(3)), // over: not checked in, a no-show to be
            Session(Sessions.SessionStatus.Cancelled, start),
            Session(Sessions.SessionStatus.Fulfilled, Now - Duration.FromHours(3)),
        ];
        Assert.Equal(6, StockRules.DevicesNeeded(sessions, Now));
        var lots = new[] { Received(4), Received(4) with { Number = "OLD", Expires = Today.PlusDays(-1) } };
        Assert.Equal(4, StockRules.UsableOnHand(lots, Today));
        Assert.True(StockRules.IsExpiringSoon(Received(1) with { Expires = Today.PlusDays(30) }, Today));
        Assert.False(StockRules.IsExpiringSoon(Received(1) with { Expires = Today.PlusDays(31) }, Today));
        Assert.False(StockRules.IsExpiringSoon(Received(1) with { Expires = Today, OnHand = 0 }, Today));
    }
}
