using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ClinicBackend.Testing;

/// <summary>
/// A stand-in for Twilio's Messages API on loopback: records every request and answers as told (success,
/// Twilio error payloads, 429/5xx, delays, or a per-second rate limit). The app's Twilio SDK is pointed at it
/// through Twilio__ApiBaseUrl.
/// </summary>
public sealed class TwilioStandIn : IAsyncDisposable
{
    public const string AccountSid = "AC0123456789abcdef0123456789abcdef";
    public const string AuthToken = "0123456789abcdef0123456789abcdef";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<SentText, Answer>> _script = new();
    private readonly object _rateLock = new();
    private long _windowSecond;
    private int _inWindow;
    private int _sequence;

    private TwilioStandIn(WebApplication app) => _app = app;

    /// <summary>What the stand-in answers.</summary>
    public abstract record Answer
    {
        public sealed record Queued : Answer;
        public sealed record Error(int HttpStatus, int Code, string Message) : Answer;
        public sealed record Slow(TimeSpan Delay, Answer Then) : Answer;
    }

    public sealed record SentText(string To, string? From, string? MessagingServiceSid, string Body, string? StatusCallback, string Sid, DateTimeOffset At);

    public ConcurrentQueue<SentText> Accepted { get; } = new();
    public int Requests => _requests;
    private int _requests;

    public string BaseUrl { get; private set; } = "";

    /// <summary>When set, more than this many requests in one wall-clock second get 429.</summary>
    public int? PerSecondLimit { get; set; }

    public int Throttled => _throttled;
    private int _throttled;

    /// <summary>The next requests are answered by these, in order; after them, success.</summary>
    public void Then(params Answer[] replies)
    {
        foreach (var reply in replies)
        {
            _script.Enqueue(_ => reply);
        }
    }

    public static Answer Error(int code) => code switch
    {
        429 or 20429 => new Answer.Error(429, 20429, "Too Many Requests"),
        500 => new Answer.Error(500, 20500, "Internal Server Error"),
        503 => new Answer.Error(503, 20503, "Service Unavailable"),
        _ => new Answer.Error(400, code, $"Twilio error {code}"),
    };

    public Dictionary<string, string?> Settings(string publicBaseUrl = "https://clinic.example.org") => new()
    {
        ["Twilio:AccountSid"] = AccountSid,
        ["Twilio:AuthToken"] = AuthToken,
        ["Twilio:ApiBaseUrl"] = BaseUrl,
        ["Twilio:PublicBaseUrl"] = publicBaseUrl,
        ["Twilio:RequestTimeout"] = "00:00:02",
    };

    public static async Task<TwilioStandIn> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var standIn = new TwilioStandIn(app);
        app.MapPost("/2010-04-01/Accounts/{account}/Messages.json", standIn.HandleAsync);
        await app.StartAsync();
        standIn.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return standIn;
    }

    private async Task HandleAsync(HttpContext http, string account)
    {
        Interlocked.Increment(ref _requests);
        var form = await http.Request.ReadFormAsync();
        var sid = $"SM{Interlocked.Increment(ref _sequence):D32}";
        var text = new SentText(form["To"]!, form["From"], form["MessagingServiceSid"], form["Body"]!, form["StatusCallback"], sid, DateTimeOffset.UtcNow);
        if (account != AccountSid || http.Request.Headers.Authorization.Count == 0)
        {
            await WriteAsync(http, new Answer.Error(401, 20003, "Authenticate"), text);
            return;
        }
        if (PerSecondLimit is { } limit && !TakeRateSlot(limit))
        {
            Interlocked.Increment(ref _throttled);
            await WriteAsync(http, Error(429), text);
            return;
        }
        var reply = _script.TryDequeue(out var next) ? next(text) : new Answer.Queued();
        await WriteAsync(http, reply, text);
    }

    private bool TakeRateSlot(int limit)
    {
        lock (_rateLock)
        {
            var second = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            if (second != _windowSecond)
            {
                _windowSecond = second;
                _inWindow = 0;
            }
            return ++_inWindow <= limit;
        }
    }

    private async Task WriteAsync(HttpContext http, Answer reply, SentText text)
    {
        switch (reply)
        {
            case Answer.Slow slow:
                await Task.Delay(slow.Delay);
                await WriteAsync(http, slow.Then, text);
                return;
            case Answer.Error error:
                http.Response.StatusCode = error.HttpStatus;
                await http.Response.WriteAsJsonAsync(new { code = error.Code, message = error.Message, more_info = $"https://www.twilio.com/docs/errors/{error.Code}", status = error.HttpStatus });
                return;
            default:
                Accepted.Enqueue(text);
                http.Response.StatusCode = (int)HttpStatusCode.Created;
                await http.Response.WriteAsJsonAsync(new
                {
                    sid = text.Sid, account_sid = AccountSid, to = text.To, from = text.From, body = text.Body, status = "queued",
                    num_segments = "1", direction = "outbound-api", api_version = "2010-04-01",
                    date_created = DateTimeOffset.UtcNow.ToString("R"), uri = $"/2010-04-01/Accounts/{AccountSid}/Messages/{text.Sid}.json",
                });
                return;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
