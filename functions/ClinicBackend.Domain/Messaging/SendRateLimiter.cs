namespace ClinicBackend.Domain.Messaging;

/// <summary>
/// Paces sends to what Twilio accepts, like TCP congestion control: the rate doubles every second until the
/// first 429 (slow start), then grows by 2% a second. A 429 burst cuts it once, to what Twilio let through of the sends
/// of the second before (its limit, seen from here), by at least <see cref="LeastCut"/> and at most by half; so it settles
/// just below the account's limit instead of bouncing off it. The rate grows only while senders wait for their slots,
/// and only while it is below twice what Twilio accepted in the last second (or twice the starting rate): a dispatcher
/// held back by something else (storage) does not talk it up to a rate it never tried, which a burst after a stall
/// would then hit.
/// </summary>
/// <remarks>
/// It starts at <see cref="DefaultInitialRate"/>: a process's first burst spends less than a second below 100/s (from 20 it
/// spent more than two, a tenth of a 1,200-text burst), and an account that allows less sees one burst of 429s (never
/// processed by Twilio) and a cut by up to half each second until the rate is below its limit.
/// <para>Slots and seconds are read from <paramref name="time"/>: the host passes the system clock (Twilio counts real
/// seconds, whatever clock the clinics' logic runs on), tests a fake one they move by hand.</para>
/// </remarks>
public sealed class SendRateLimiter(TimeProvider time, double initialPerSecond = SendRateLimiter.DefaultInitialRate, double minPerSecond = 0.5, double maxPerSecond = 500)
{
    public const double DefaultInitialRate = 50;

    /// <summary>
    /// The least cut on a 429 burst. The rate climbs back at 2% a second, so it spends its time between 95% and 100% of
    /// the limit: a deeper cut would leave more of the limit unused, a shallower one would meet it (and its 429s) more often.
    /// </summary>
    public const double LeastCut = 0.05;

    private readonly Lock _lock = new();
    // Senders take slots one at a time, each spaced from the last at the rate of that moment, so a rate raised while
    // many wait applies to all of them (slots reserved ahead would keep the old spacing).
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly double _startRate = initialPerSecond;
    private double _rate = initialPerSecond;
    private long _lastSlot;
    private long _lastDecrease;
    private bool _slowStart = true;
    private bool _paced;
    private readonly Queue<long> _acceptedLastSecond = new();
    private readonly Queue<long> _sentLastSecond = new();
    private readonly Queue<long> _refusedLastSecond = new();
    private int _waiting;

    /// <summary>Senders waiting for their slot now: none while the rate is below the limit means something else holds the sends back.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

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
        Interlocked.Increment(ref _waiting);
        try
        {
            await TakeSlotAsync(ct);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    private async Task TakeSlotAsync(CancellationToken ct)
    {
        await _turn.WaitAsync(ct);
        try
        {
            long slot;
            lock (_lock)
            {
                var now = time.GetTimestamp();
                // From the planned slot, not from when the delay ended, so late wake-ups do not add up.
                var due = _lastSlot == 0 ? now : _lastSlot + (long)(time.TimestampFrequency / _rate);
                _paced = due > now;
                slot = Math.Max(now, due);
                _lastSlot = slot;
                _sentLastSecond.Enqueue(slot);
                ForgetOlderThanASecond(_sentLastSecond, now);
            }
            var wait = time.GetElapsedTime(time.GetTimestamp(), slot);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, ct);
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    public void Accepted()
    {
        lock (_lock)
        {
            var now = time.GetTimestamp();
            _acceptedLastSecond.Enqueue(now);
            var acceptedLastSecond = InTheLastSecond(_acceptedLastSecond, now);
            if (_paced && _rate < 2 * Math.Max(acceptedLastSecond, _startRate))
            {
                _rate = Math.Min(maxPerSecond, _rate + (_slowStart ? 1 : 0.02));
            }
        }
    }

    /// <summary>
    /// A 429: one cut per second, however many sends in flight were refused in the same burst. What Twilio let through
    /// in the last second is the sends of that second less those refused, or the texts it accepted in it if more: the
    /// sends still waiting for their answers count (with 150 ms answers, counting accepted texts alone cut the rate to
    /// about 85/s against a limit of 100/s).
    /// </summary>
    public void Throttled()
    {
        lock (_lock)
        {
            var now = time.GetTimestamp();
            _refusedLastSecond.Enqueue(now);
            if (time.GetElapsedTime(_lastDecrease, now) >= TimeSpan.FromSeconds(1))
            {
                var letThrough = Math.Max(InTheLastSecond(_acceptedLastSecond, now), InTheLastSecond(_sentLastSecond, now) - InTheLastSecond(_refusedLastSecond, now));
                _rate = Math.Max(minPerSecond, Math.Min(_rate * (1 - LeastCut), Math.Max(letThrough, _rate * 0.5)));
                _lastDecrease = now;
                _slowStart = false;
            }
            // Leave a gap before the next send so the provider's window can drain.
            _lastSlot = Math.Max(_lastSlot, now);
        }
    }

    /// <summary>The moments in the last second up to now (a slot may lie ahead); older ones are dropped.</summary>
    private int InTheLastSecond(Queue<long> moments, long now)
    {
        ForgetOlderThanASecond(moments, now);
        return moments.Count(at => at <= now);
    }

    // Every queue is trimmed as it grows, so a process that is never throttled does not keep a moment per text.
    private void ForgetOlderThanASecond(Queue<long> moments, long now)
    {
        while (moments.TryPeek(out var at) && time.GetElapsedTime(at, now) > TimeSpan.FromSeconds(1))
        {
            moments.Dequeue();
        }
    }
}
