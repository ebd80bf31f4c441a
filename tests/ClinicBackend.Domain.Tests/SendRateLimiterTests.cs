using ClinicBackend.Domain.Messaging;

namespace ClinicBackend.Domain.Tests;

public sealed class SendRateLimiterTests
{
    [Fact]
    public async Task Queued_senders_double_the_rate_in_slow_start_then_a_429_burst_cuts_it_once_and_it_grows_by_2_percent()
    {
        var limiter = new SendRateLimiter(initialPerSecond: 100, maxPerSecond: 10_000);
        await limiter.WaitAsync(default);
        await limiter.WaitAsync(default); // queued behind the first slot
        limiter.Accepted();
        Assert.Equal(101, limiter.CurrentRate, 6);

        limiter.Throttled();
        limiter.Throttled(); // the same burst
        Assert.Equal(50.5, limiter.CurrentRate, 6); // one text accepted in the last second: cut by half, no more

        await limiter.WaitAsync(default); // after a 429 the next slot leaves a gap
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
        var limiter = new SendRateLimiter(initialPerSecond: 100, maxPerSecond: 10_000);
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
        var limiter = new SendRateLimiter(initialPerSecond: 100, maxPerSecond: 10_000);
        for (var i = 0; i < 60; i++)
        {
            await limiter.WaitAsync(default); // 60 sends in 0.6 s, not paced (no rate change)
        }
        for (var i = 0; i < 20; i++)
        {
            limiter.Accepted(); // 20 answered so far; the other 40 are on their way
        }
        limiter.Throttled();
        // 60 sent less the one refused: 59 (slots late under load may leave a few out of the second); from the 20
        // accepted alone the cut would go to half, 50.
        Assert.InRange(limiter.CurrentRate, 55, 59);
    }

    [Fact]
    public async Task Sends_that_never_wait_for_a_slot_do_not_raise_the_rate()
    {
        var limiter = new SendRateLimiter(initialPerSecond: 1000);
        await limiter.WaitAsync(default);
        await Task.Delay(50); // the sender is slower than the rate: its next slot is long free
        await limiter.WaitAsync(default);
        limiter.Accepted();
        Assert.Equal(1000, limiter.CurrentRate);
    }

    [Fact]
    public async Task The_rate_grows_no_further_than_twice_what_was_accepted_in_the_last_second()
    {
        var limiter = new SendRateLimiter(initialPerSecond: 10, maxPerSecond: 10_000);
        await limiter.WaitAsync(default);
        await limiter.WaitAsync(default); // queued: paced
        for (var i = 0; i < 30; i++)
        {
            limiter.Accepted();
        }
        Assert.Equal(40, limiter.CurrentRate, 6); // slow start: one more for each text accepted
        await Task.Delay(1100); // the burst leaves the last second
        await limiter.WaitAsync(default);
        await limiter.WaitAsync(default);
        limiter.Accepted();
        Assert.Equal(40, limiter.CurrentRate, 6); // one accepted in the last second: 40 is already past twice that
    }

    /// <summary>A rate raised while senders wait applies to those already waiting: slots are not reserved at the old rate.</summary>
    [Fact]
    public async Task A_higher_rate_shortens_the_wait_of_senders_already_queued()
    {
        var limiter = new SendRateLimiter(initialPerSecond: 1, maxPerSecond: 10_000);
        await limiter.WaitAsync(default);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var second = limiter.WaitAsync(default); // its slot is a second away
        var third = limiter.WaitAsync(default);
        for (var i = 0; i < 10; i++)
        {
            limiter.Accepted(); // paced: up to twice what was accepted
        }
        await Task.WhenAll(second, third);
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(1.6)); // at the old rate the third would wait until 2 s
    }

    [Fact]
    public async Task Senders_waiting_for_their_slots_are_counted_until_they_get_them()
    {
        var limiter = new SendRateLimiter(initialPerSecond: 5);
        await limiter.WaitAsync(default);
        Assert.Equal(0, limiter.Waiting);
        var second = limiter.WaitAsync(default); // 200 ms away
        var third = limiter.WaitAsync(default); // behind the second
        Assert.Equal(2, limiter.Waiting);
        await Task.WhenAll(second, third);
        Assert.Equal(0, limiter.Waiting);
    }

    [Fact]
    public async Task The_rate_stays_within_its_bounds()
    {
        var limiter = new SendRateLimiter(initialPerSecond: 499.5, maxPerSecond: 500);
        await limiter.WaitAsync(default);
        await limiter.WaitAsync(default);
        limiter.Accepted();
        limiter.Accepted();
        Assert.Equal(500, limiter.CurrentRate);
        var slow = new SendRateLimiter(initialPerSecond: 0.5, minPerSecond: 0.5);
        slow.Throttled();
        Assert.Equal(0.5, slow.CurrentRate);
    }
}
