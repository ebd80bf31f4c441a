using ClinicBackend.Domain.Messaging;
using Microsoft.Extensions.Time.Testing;

namespace ClinicBackend.Domain.Tests;

/// <summary>
/// The limiter reads a fake clock that only these tests move, so slots, waits and "the last second" do not depend on
/// how busy the machine is. A sender whose slot lies ahead finishes once the clock passes it.
/// </summary>
public sealed class SendRateLimiterTests
{
    /// <summary>A guard against a test hanging on a slot the clock never reaches; it never decides a passing test.</summary>
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _clock = new();

    private SendRateLimiter Limiter(double initialPerSecond, double minPerSecond = 0.5, double maxPerSecond = 10_000) =>
        new(_clock, initialPerSecond, minPerSecond, maxPerSecond);

    /// <summary>A sender whose slot is <paramref name="ahead"/> away: it gets it once the clock has moved that far.</summary>
    private async Task SlotAfterAsync(SendRateLimiter limiter, TimeSpan ahead)
    {
        var slot = limiter.WaitAsync(default);
        _clock.Advance(ahead);
        await slot.WaitAsync(Hang);
    }

    [Fact]
    public async Task Queued_senders_double_the_rate_in_slow_start_then_a_429_burst_cuts_it_once_and_it_grows_by_2_percent()
    {
        var limiter = Limiter(initialPerSecond: 100);
        await limiter.WaitAsync(default);
        await SlotAfterAsync(limiter, TimeSpan.FromMilliseconds(10)); // queued behind the first slot
        limiter.Accepted();
        Assert.Equal(101, limiter.CurrentRate, 6);

        limiter.Throttled();
        limiter.Throttled(); // the same burst
        Assert.Equal(50.5, limiter.CurrentRate, 6); // one text let through in the last second: cut by half, no more

        await SlotAfterAsync(limiter, TimeSpan.FromMilliseconds(20)); // after a 429 the next slot leaves a gap (1/50.5 s)
        limiter.Accepted();
        Assert.Equal(50.52, limiter.CurrentRate, 6);
    }

    [Theory]
    [InlineData(90, 90)] // Twilio took 90 in the last second: that is its limit
    [InlineData(70, 70)]
    [InlineData(99, 95)] // a cut is at least 5%
    [InlineData(20, 50)] // and at most half
    public void A_429_burst_cuts_the_rate_to_what_was_accepted_in_the_second_before(int acceptedLastSecond, double rateAfter)
    {
        var limiter = Limiter(initialPerSecond: 100);
        for (var i = 0; i < acceptedLastSecond; i++)
        {
            limiter.Accepted(); // not paced: the rate stays
        }
        limiter.Throttled();
        Assert.Equal(rateAfter, limiter.CurrentRate, 6);
    }

    [Fact]
    public async Task A_429_burst_counts_the_sends_still_waiting_for_their_answers_as_let_through()
    {
        var limiter = Limiter(initialPerSecond: 100);
        for (var i = 0; i < 60; i++)
        {
            await limiter.WaitAsync(default); // 60 sends in 0.6 s, each at its slot: not paced, the rate stays
            _clock.Advance(TimeSpan.FromMilliseconds(10));
        }
        for (var i = 0; i < 20; i++)
        {
            limiter.Accepted(); // 20 answered so far; the other 40 are on their way
        }
        limiter.Throttled();
        // 60 sent less the one refused; from the 20 accepted alone the cut would go to half, 50.
        Assert.Equal(59, limiter.CurrentRate, 6);
    }

    [Fact]
    public async Task Sends_older_than_a_second_do_not_count_as_let_through()
    {
        var limiter = Limiter(initialPerSecond: 100);
        for (var i = 0; i < 60; i++)
        {
            await limiter.WaitAsync(default);
            _clock.Advance(TimeSpan.FromMilliseconds(10));
        }
        _clock.Advance(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 30; i++)
        {
            limiter.Accepted();
        }
        limiter.Throttled();
        Assert.Equal(50, limiter.CurrentRate, 6); // 30 accepted, none of the old sends: cut by half, no more
    }

    [Fact]
    public async Task Sends_that_never_wait_for_a_slot_do_not_raise_the_rate()
    {
        var limiter = Limiter(initialPerSecond: 1000);
        await limiter.WaitAsync(default);
        _clock.Advance(TimeSpan.FromMilliseconds(50)); // the sender is slower than the rate: its next slot is long free
        await limiter.WaitAsync(default);
        limiter.Accepted();
        Assert.Equal(1000, limiter.CurrentRate);
    }

    [Fact]
    public async Task The_rate_grows_no_further_than_twice_what_was_accepted_in_the_last_second()
    {
        var limiter = Limiter(initialPerSecond: 10);
        await limiter.WaitAsync(default);
        await SlotAfterAsync(limiter, TimeSpan.FromMilliseconds(100)); // queued: paced
        for (var i = 0; i < 30; i++)
        {
            limiter.Accepted();
        }
        Assert.Equal(40, limiter.CurrentRate, 6); // slow start: one more for each text accepted
        _clock.Advance(TimeSpan.FromMilliseconds(1100)); // the burst leaves the last second
        await limiter.WaitAsync(default);
        await SlotAfterAsync(limiter, TimeSpan.FromMilliseconds(25));
        limiter.Accepted();
        Assert.Equal(40, limiter.CurrentRate, 6); // one accepted in the last second: 40 is already past twice that
    }

    /// <summary>A rate raised while senders wait applies to those already waiting: slots are not reserved at the old rate.</summary>
    [Fact]
    public async Task A_higher_rate_shortens_the_wait_of_senders_already_queued()
    {
        var limiter = Limiter(initialPerSecond: 1);
        await limiter.WaitAsync(default);
        var second = limiter.WaitAsync(default); // its slot is a second away
        var third = limiter.WaitAsync(default); // at the old rate, two seconds
        for (var i = 0; i < 10; i++)
        {
            limiter.Accepted(); // paced: slow start takes the rate to 11/s
        }
        Assert.Equal(11, limiter.CurrentRate, 6);

        _clock.Advance(TimeSpan.FromSeconds(1));
        await second.WaitAsync(Hang);
        Assert.False(third.IsCompleted); // the third's slot is 1/11 s after the second's
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        await third.WaitAsync(Hang); // 1.1 s on the clock: well before the 2 s the old rate would have kept
    }

    [Fact]
    public async Task Senders_waiting_for_their_slots_are_counted_until_they_get_them()
    {
        var limiter = Limiter(initialPerSecond: 5);
        await limiter.WaitAsync(default);
        Assert.Equal(0, limiter.Waiting);
        var second = limiter.WaitAsync(default); // 200 ms away
        var third = limiter.WaitAsync(default); // behind the second
        Assert.Equal(2, limiter.Waiting);
        _clock.Advance(TimeSpan.FromMilliseconds(400));
        await Task.WhenAll(second, third).WaitAsync(Hang);
        Assert.Equal(0, limiter.Waiting);
    }

    [Fact]
    public async Task The_rate_stays_within_its_bounds()
    {
        var limiter = Limiter(initialPerSecond: 499.5, maxPerSecond: 500);
        await limiter.WaitAsync(default);
        await SlotAfterAsync(limiter, TimeSpan.FromMilliseconds(3));
        limiter.Accepted();
        limiter.Accepted();
        Assert.Equal(500, limiter.CurrentRate);
        var slow = Limiter(initialPerSecond: 0.5, minPerSecond: 0.5);
        slow.Throttled();
        Assert.Equal(0.5, slow.CurrentRate);
    }
}
