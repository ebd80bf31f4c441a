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
        Assert.Equal(90.9, limiter.CurrentRate, 6);

        await limiter.WaitAsync(default); // after a 429 the next slot leaves a gap
        limiter.Accepted();
        Assert.Equal(90.92, limiter.CurrentRate, 6);
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
