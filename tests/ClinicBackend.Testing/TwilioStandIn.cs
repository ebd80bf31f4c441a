using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ClinicBackend.Testing;

/// <summary>
/// A stand-in for Twilio's Messages API on loopback: records every request and answers as told (success,
/// Twilio error payloads, 401, 429/5xx, delays, accepting then stalling, or a per-second rate limit), and lists
/// the texts it accepted as Twilio does. The app's Twilio SDK is pointed at it through Twilio__ApiBaseUrl.
/// </summary>
public sealed partial class TwilioStandIn : IAsyncDisposable
{
    public const string AccountSid = "AC0123456789abcdef0123456789abcdef";
    public const string AuthToken = "0123456789abcdef0123456789abcdef";
    public const string MessagesPath = $"/2010-04-01/Accounts/{AccountSid}/Messages.json";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<SentText, Answer>> _script = new();
    private readonly object _rateLock = new();
    private long _windowSecond;
    private int _inWindow;
    private int _sequence;
    private int _requests;
    private int _listRequests;
    private int _throttled;
    private int _inFlight;
    private int _maxInFlight;

    private TwilioStandIn(WebApplication app) => _app = app;

    /// <summary>What the stand-in answers to a send.</summary>
    public abstract record Answer
    {
        public sealed record Queued : Answer;
        public sealed record Error(int HttpStatus, int Code, string Message) : Answer;

        /// <summary>Waits, then answers <paramref name="Then"/>: nothing is accepted before the answer.</summary>
        public sealed record Slow(TimeSpan Delay, Answer Then) : Answer;

        /// <summary>Accepts the text at once (it is in <see cref="Accepted"/> and listed), then waits before answering 201:
        /// a client that gives up first leaves a text Twilio has taken.</summary>
        public sealed record AcceptThenStall(TimeSpan Delay) : Answer;
    }

    public sealed record SentText(string To, string? From, string? MessagingServiceSid, string Body, string? StatusCallback, string Sid, DateTimeOffset At);

    /// <summary>Texts accepted, in the order they were accepted.</summary>
    public ConcurrentQueue<SentText> Accepted { get; } = new();

    /// <summary>Send requests received, answered or not.</summary>
    public int Requests => _requests;

    /// <summary>Message-list requests received.</summary>
    public int ListRequests => _listRequests;

    /// <summary>Send requests being answered now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>The most send requests that were being answered at the same moment.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>Send requests answered 429 by <see cref="PerSecondLimit"/>.</summary>
    public int Throttled => _throttled;

    public string BaseUrl { get; private set; } = "";

    /// <summary>When set, more than this many send requests in one wall-clock second get 429.</summary>
    public int? PerSecondLimit { get; set; }

    /// <summary>
    /// How long every create takes to be answered, as Twilio's API takes 100-300 ms: a send that passed the credential
    /// and rate checks waits this long, then gets its answer (a text is accepted only then). A 429 or 401 is answered at once.
    /// </summary>
    public TimeSpan CreateDelay { get; set; }

    /// <summary>When set, every request is answered 401 (Twilio code 20003), as for a revoked auth token.</summary>
    public bool RejectCredentials { get; set; }

    /// <summary>The clock that dates accepted texts; set it to the app's clock so that dates line up with the app's.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>When set, asked first about every send that passed the credential and rate checks: its answer, or null for the usual one.</summary>
    public Func<SentText, Answer?>? Rule { get; set; }

    /// <summary>The next send requests are answered by these, in order; after them, success.</summary>
    public void Then(params Answer[] replies)
    {
        foreach (var reply in replies)
        {
            _script.Enqueue(_ => reply);
        }
    }

    public static Answer Error(int code) => code switch
    {
        401 or 20003 => Unauthenticated,
        429 or 20429 => new Answer.Error(429, 20429, "Too Many Requests"),
        500 => new Answer.Error(500, 20500, "Internal Server Error"),
        503 => new Answer.Error(503, 20503, "Service Unavailable"),
        _ => new Answer.Error(400, code, $"Twilio error {code}"),
    };

    private static readonly Answer.Error Unauthenticated = new(401, 20003, "Authenticate");

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
        app.MapPost("/2010-04-01/Accounts/{account}/Messages.json", standIn.SendAsync);
        app.MapGet("/2010-04-01/Accounts/{account}/Messages.json", standIn.ListAsync);
        await app.StartAsync();
        standIn.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return standIn;
    }

    private async Task SendAsync(HttpContext http, string account)
    {
        var inFlight = Interlocked.Increment(ref _inFlight);
        for (var max = _maxInFlight; inFlight > max && Interlocked.CompareExchange(ref _maxInFlight, inFlight, max) != max; max = _maxInFlight)
        {
        }
        try
        {
            await AnswerSendAsync(http, account);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task AnswerSendAsync(HttpContext http, string account)
    {
        Interlocked.Increment(ref _requests);
        var form = await http.Request.ReadFormAsync();
        var sid = $"SM{Interlocked.Increment(ref _sequence):D32}";
        var text = new SentText(form["To"]!, form["From"], form["MessagingServiceSid"], form["Body"]!, form["StatusCallback"], sid, Clock.GetUtcNow());
        if (!Authenticated(http, account))
        {
            await WriteAsync(http, Unauthenticated, text);
            return;
        }
        if (PerSecondLimit is { } limit && !TakeRateSlot(limit))
        {
            Interlocked.Increment(ref _throttled);
            await WriteAsync(http, Error(429), text);
            return;
        }
        var reply = Rule?.Invoke(text) ?? (_script.TryDequeue(out var next) ? next(text) : new Answer.Queued());
        if (CreateDelay > TimeSpan.Zero)
        {
            reply = new Answer.Slow(CreateDelay, reply);
        }
        await WriteAsync(http, reply, text);
    }

    /// <summary>The account in the path and HTTP Basic credentials of that account and its auth token, unless told to refuse.</summary>
    private bool Authenticated(HttpContext http, string account)
    {
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AccountSid}:{AuthToken}"));
        return !RejectCredentials && account == AccountSid && http.Request.Headers.Authorization.ToString() == expected;
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
            case Answer.AcceptThenStall stall:
                Accept(text);
                try
                {
                    await Task.Delay(stall.Delay, http.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return; // the client gave up; the text stays accepted
                }
                await WriteCreatedAsync(http, text);
                return;
            case Answer.Error error:
                await WriteErrorAsync(http, error);
                return;
            default:
                Accept(text);
                await WriteCreatedAsync(http, text);
                return;
        }
    }

    private void Accept(SentText text)
    {
        lock (_listed)
        {
            _listed.Add(text);
        }
        Accepted.Enqueue(text);
    }

    private static async Task WriteErrorAsync(HttpContext http, Answer.Error error)
    {
        http.Response.StatusCode = error.HttpStatus;
        await http.Response.WriteAsJsonAsync(new { code = error.Code, message = error.Message, more_info = $"https://www.twilio.com/docs/errors/{error.Code}", status = error.HttpStatus });
    }

    /// <summary>The answer to a send: the message as just queued, not yet sent.</summary>
    private static async Task WriteCreatedAsync(HttpContext http, SentText text)
    {
        http.Response.StatusCode = (int)HttpStatusCode.Created;
        await http.Response.WriteAsJsonAsync(MessageJson(text, "queued", dateSent: null));
    }

    /// <summary>A message resource as Twilio's API writes it.</summary>
    private static Dictionary<string, object?> MessageJson(SentText text, string status, DateTimeOffset? dateSent) => new()
    {
        ["sid"] = text.Sid,
        ["account_sid"] = AccountSid,
        ["to"] = text.To,
        ["from"] = text.From,
        ["messaging_service_sid"] = text.MessagingServiceSid,
        ["body"] = text.Body,
        ["status"] = status,
        ["date_created"] = Rfc1123(text.At),
        ["date_updated"] = Rfc1123(dateSent ?? text.At),
        ["date_sent"] = dateSent is { } sent ? Rfc1123(sent) : null,
        ["num_segments"] = "1",
        ["num_media"] = "0",
        ["direction"] = "outbound-api",
        ["api_version"] = "2010-04-01",
        ["price"] = null,
        ["price_unit"] = "USD",
        ["error_code"] = null,
        ["error_message"] = null,
        ["uri"] = $"/2010-04-01/Accounts/{AccountSid}/Messages/{text.Sid}.json",
    };

    /// <summary>Twilio's date format: "Fri, 27 Nov 2026 17:00:05 +0000".</summary>
    public static string Rfc1123(DateTimeOffset at) =>
        at.UtcDateTime.ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
