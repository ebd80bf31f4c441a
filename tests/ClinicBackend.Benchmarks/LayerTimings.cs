using System.Diagnostics;
using System.Net;
using ClinicBackend.Application.Access;
using ClinicBackend.Domain.Access;
using ClinicBackend.Functions.Auth;
using Microsoft.AspNetCore.Http;

namespace ClinicBackend.Benchmarks;

/// <summary>Where one request's time goes: layers timed alone, and the storage calls traced inside the request.</summary>
public static class LayerTimings
{
    private const int Samples = 200;

    /// <summary>The bearer-token check of the HTTP pipeline, alone: the median of many.</summary>
    public static async Task<double> TokenValidationAsync(BenchmarkHost host)
    {
        var authenticator = host.Services.GetRequiredService<RequestAuthenticator>();
        var times = new List<double>();
        for (var i = 0; i < Samples; i++)
        {
            using var scope = host.Services.CreateScope();
            var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
            http.Request.Headers.Authorization = "Bearer " + host.StaffToken;
            http.Connection.LocalIpAddress = IPAddress.Loopback;
            var started = Stopwatch.GetTimestamp();
            if (await authenticator.AuthenticateAsync(http) is not null)
            {
                throw new InvalidOperationException("the benchmark's token was refused");
            }
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        return Measure.Median(times);
    }

    /// <summary>The access check every clinic route starts with, alone: the median of many.</summary>
    public static async Task<double> AccessCheckAsync(BenchmarkHost host, string clinicId)
    {
        var access = host.Services.GetRequiredService<ClinicAccess>();
        var caller = new Caller("bench-staff", new HashSet<string> { AppRoles.ClinicStaff });
        var times = new List<double>();
        for (var i = 0; i < Samples / 4; i++)
        {
            var started = Stopwatch.GetTimestamp();
            if (!(await access.RequireAsync(caller, clinicId, Need.Staff, default)).IsSuccess)
            {
                throw new InvalidOperationException("the benchmark's caller was refused");
            }
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        return Measure.Median(times);
    }

    /// <summary>
    /// The breakdown of requests made one after another in <paramref name="windows"/>: each traced call belongs to
    /// the request it started in; calls labelled "after the response" are listed apart.
    /// </summary>
    public static IReadOnlyList<string> Describe(int requests, IReadOnlyList<(long From, long To)> windows, IReadOnlyList<StorageCall> calls, double tokenMs, double accessMs)
    {
        var requestMs = windows.Select(w => Ms(w.To - w.From)).ToList();
        var inRequest = new List<(StorageCall Call, double Offset)>();
        var storageMs = new List<double>();
        foreach (var (from, to) in windows)
        {
            var mine = calls.Where(c => c.Started >= from && c.Started <= to && !c.Label.Contains("after the response", StringComparison.Ordinal))
                .OrderBy(c => c.Started).ToList();
            inRequest.AddRange(mine.Select(c => (c, Ms(c.Started - from))));
            storageMs.Add(UnionMs(mine));
        }
        var lines = new List<string>
        {
            $"one booking, layer by layer (medians over {requests} bookings made one after another):",
            Row("the request, as its client sees it", "", Measure.Median(requestMs)),
            Row("token validation (signature, issuer, audience, lifetime)", "timed alone", tokenMs),
            Row("access check (clinic settings and membership, read at once)", "timed alone", accessMs),
        };
        foreach (var group in inRequest.GroupBy(c => c.Call.Label).OrderBy(g => Measure.Median(g.Select(c => c.Offset).ToList())))
        {
            lines.Add(Row("  " + group.Key, $"{(double)group.Count() / requests:F1} per booking", Measure.Median(group.Select(c => c.Call.Ms).ToList())));
        }
        var storage = Measure.Median(storageMs);
        lines.Add(Row("storage and queue calls on the request's path (wall time, overlaps once)", "", storage));
        lines.Add(Row("the rest: HTTP, routing, JSON, token validation, decisions", "", Measure.Median(requestMs) - storage));
        foreach (var group in calls.Where(c => c.Label.Contains("after the response", StringComparison.Ordinal)).GroupBy(c => c.Label))
        {
            lines.Add(Row(group.Key, $"{(double)group.Count() / requests:F1} per booking", Measure.Median(group.Select(c => c.Ms).ToList())));
        }
        return lines;
    }

    private static string Row(string what, string note, double ms) => $"  {what,-76} {note,-16} {ms,7:F2} ms";

    private static double UnionMs(IReadOnlyList<StorageCall> sorted)
    {
        var (total, end) = (0L, long.MinValue);
        foreach (var call in sorted)
        {
            var from = Math.Max(call.Started, end);
            if (call.Ended > from)
            {
                total += call.Ended - from;
            }
            end = Math.Max(end, call.Ended);
        }
        return Ms(total);
    }

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
