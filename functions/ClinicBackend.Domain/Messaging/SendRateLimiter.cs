using System.Diagnostics;

namespace ClinicBackend.Messaging;

/// <summary>
/// Paces sends to what Twilio accepts: a token bucket whose rate grows a little with every accepted send
/// and drops by a tenth on every 429 (additive increase, multiplicative decrease), so it settles just
/// under the account's limit instead of bouncing off it.
/// </summary>
public sealed class SendRateLimiter(double initialPerSecond = 20, double minPerSecond = 0.5, double maxPerSecond = 500)
{
    private readonly Lock _lock = new();
    private double _rate = initialPerSecond;
    private long _nextSlot = Stopwatch.GetTimestamp();

    public double CurrentRate
    {
        get
        {
            lock (_lock)
            {
                return _rate;
            }
        }
    }

    /// <summary>Waits for the next send slot.</summary>
    public async Task WaitAsync(CancellationToken ct)
    {
        long slot;
        lock (_lock)
        {
            var now = Stopwatch.GetTimestamp();
            slot = Math.Max(now, _nextSlot);
            _nextSlot = slot + (long)(Stopwatch.Frequency / _rate);
        }
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), slot);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, ct);
        }
    }

    public void Accepted()
    {
        lock (_lock)
        {
            _rate = Math.Min(maxPerSecond, _rate + 0.25);
        }
    }

    public void Throttled()
    {
        lock (_lock)
        {
            _rate = Math.Max(minPerSecond, _rate * 0.9);
            // Leave a gap before the next send so the provider's window can drain.
            _nextSlot = Math.Max(_nextSlot, Stopwatch.GetTimestamp() + (long)(Stopwatch.Frequency / _rate));
        }
    }
}
