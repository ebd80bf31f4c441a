using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Http;

namespace ClinicBackend.Functions.Http;

/// <summary>
/// Slows the guessing of questionnaire codes: each client address may look codes up in bursts of
/// <see cref="Burst"/>, refilled at <see cref="PerSecond"/> a second. Held in memory per instance (a scaled-out app
/// multiplies the rate by its instances; 128-bit codes make guessing hopeless either way, this keeps it cheap).
/// </summary>
public sealed class CodeLookupLimiter(TimeProvider time)
{
    public const int Burst = 5;
    public const double PerSecond = 2;
    /// <summary>Addresses remembered at most; past it, idle ones are forgotten.</summary>
    private const int MaxAddresses = 10_000;

    private sealed class Bucket(double tokens, long at)
    {
        public double Tokens = tokens;
        public long At = at;
    }

    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    /// <summary>Takes one lookup for the address; false (and how long to wait) when it has none left.</summary>
    public bool TryTake(string address, out TimeSpan retryAfter)
    {
        var now = time.GetTimestamp();
        if (_buckets.Count > MaxAddresses)
        {
            foreach (var idle in _buckets.Where(b => time.GetElapsedTime(b.Value.At, now) > TimeSpan.FromSeconds(Burst / PerSecond)).Select(b => b.Key).ToList())
            {
                _buckets.TryRemove(idle, out _);
            }
        }
        var bucket = _buckets.GetOrAdd(address, _ => new Bucket(Burst, now));
        lock (bucket)
        {
            bucket.Tokens = Math.Min(Burst, bucket.Tokens + time.GetElapsedTime(bucket.At, now).TotalSeconds * PerSecond);
            bucket.At = now;
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                retryAfter = TimeSpan.Zero;
                return true;
            }
            retryAfter = TimeSpan.FromSeconds(Math.Ceiling((1 - bucket.Tokens) / PerSecond));
            return false;
        }
    }

    /// <summary>
    /// The client's address: the last entry of <c>X-Forwarded-For</c> (the one Azure's front end added), else the connection's.
    /// </summary>
    public static string AddressOf(HttpRequest request)
    {
        var forwarded = request.Headers["X-Forwarded-For"].ToString();
        var last = forwarded.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        if (last is not null && (IPAddress.TryParse(last, out _) || IPEndPoint.TryParse(last, out _)))
        {
            return last;
        }
        return request.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
    }
}
