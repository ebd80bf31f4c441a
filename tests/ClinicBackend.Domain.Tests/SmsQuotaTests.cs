using ClinicBackend.Domain.Messaging;
using NodaTime;

namespace ClinicBackend.Domain.Tests;

public sealed class SmsQuotaTests
{
    private static readonly LocalDate Tuesday = new(2026, 12, 1);

    [Fact]
    public void Using_a_day_keeps_the_last_week_and_drops_older_days()
    {
        var quota = SmsQuota.None.Use("a", default, Tuesday.PlusDays(-8)).Use("b", default, Tuesday.PlusDays(-7)).Use("c", default, Tuesday.PlusDays(-1));
        var used = quota.Use("d", default, Tuesday);
        Assert.Equal(["b", "c", "d"], used.Days.Select(d => d.MessageId));
        Assert.Equal([Tuesday.PlusDays(-1), Tuesday], used.DaysUsedSince(Tuesday.PlusDays(-6)));
    }

    [Fact]
    public void A_text_holds_one_day_and_releasing_it_frees_only_that_day()
    {
        var quota = SmsQuota.None.Use("a", default, Tuesday.PlusDays(-1)).Use("b", default, Tuesday).Use("b", default, Tuesday.PlusDays(1));
        Assert.Equal([Tuesday.PlusDays(-1), Tuesday.PlusDays(1)], quota.DaysUsedSince(Tuesday.PlusDays(-6))); // claimed again on another day: the newer claim
        Assert.True(quota.Holds("b"));
        Assert.Equal([Tuesday.PlusDays(-1)], quota.DaysUsedSince(Tuesday.PlusDays(-6), besides: "b")); // its own claim does not hold a text back
        var released = quota.Release("b");
        Assert.False(released.Holds("b"));
        Assert.Equal(["a"], released.Days.Select(d => d.MessageId));
    }
}
