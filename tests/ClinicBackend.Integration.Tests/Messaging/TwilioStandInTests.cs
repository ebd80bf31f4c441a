using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Twilio.Clients;
using Twilio.Exceptions;
using Twilio.Http;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;
using static ClinicBackend.Testing.TwilioStandIn;

namespace ClinicBackend.Integration.Tests.Messaging;

/// <summary>The Twilio stand-in as Twilio's own SDK sees it: sends, lists with filters and pages, stalls and refusals.</summary>
public sealed class TwilioStandInTests
{
    private const string PatientA = "+12125550101";
    private const string PatientB = "+12125550102";
    private const string ClinicNumber = "+12125550199";

    /// <summary>A client of Twilio's SDK whose requests go to the stand-in, as the app's gateway does it.</summary>
    private static TwilioRestClient SdkClient(TwilioStandIn twilio, TimeSpan? timeout = null, string authToken = AuthToken)
    {
        var handler = new ToStandIn(new Uri(twilio.BaseUrl)) { InnerHandler = new SocketsHttpHandler() };
        var http = new System.Net.Http.HttpClient(handler) { Timeout = timeout ?? TimeSpan.FromSeconds(10) };
        return new TwilioRestClient(AccountSid, authToken, AccountSid, httpClient: new SystemNetHttpClient(http));
    }

    private sealed class ToStandIn(Uri standIn) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.RequestUri = new UriBuilder(request.RequestUri!) { Scheme = standIn.Scheme, Host = standIn.Host, Port = standIn.Port }.Uri;
            return base.SendAsync(request, cancellationToken);
        }
    }

    private static Task<MessageResource> SendAsync(TwilioRestClient client, string to, string body) =>
        MessageResource.CreateAsync(new CreateMessageOptions(new PhoneNumber(to)) { From = new PhoneNumber(ClinicNumber), Body = body }, client);

    /// <summary>Five texts over four days, the clock moved between them: 1 to A on Nov 27, 2 to B and 3 to A on Nov 28, 4 to A on Nov 29, 5 to B on Nov 30.</summary>
    private static async Task<TwilioRestClient> FiveTextsAsync(TwilioStandIn twilio)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 17, 0, 5, TimeSpan.Zero));
        twilio.Clock = clock;
        var client = SdkClient(twilio);
        var texts = new (DateTimeOffset At, string To)[]
        {
            (clock.GetUtcNow(), PatientA),
            (new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero), PatientB),
            (new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero), PatientA),
            (new(2026, 11, 29, 8, 0, 0, TimeSpan.Zero), PatientA),
            (new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero), PatientB),
        };
        for (var i = 0; i < texts.Length; i++)
        {
            clock.SetUtcNow(texts[i].At);
            await SendAsync(client, texts[i].To, $"text {i + 1}");
        }
        return client;
    }

    private static async Task<string[]> BodiesAsync(TwilioRestClient client, ReadMessageOptions options) =>
        (await MessageResource.ReadAsync(options, client)).Select(m => m.Body).ToArray();

    [Fact]
    public async Task The_sdk_reads_accepted_texts_back_newest_first_page_by_page()
    {
        await using var twilio = await StartAsync();
        var client = await FiveTextsAsync(twilio);

        Assert.Equal(["text 5", "text 4", "text 3", "text 2", "text 1"], await BodiesAsync(client, new ReadMessageOptions { PageSize = 2 }));
        Assert.Equal(3, twilio.ListRequests);

        // Limit 3 stops the paging after two pages; the SDK's ResourceSet (8.2.0) lets one record past the limit: it checks with >.
        Assert.Equal(["text 5", "text 4", "text 3", "text 2"], await BodiesAsync(client, new ReadMessageOptions { PageSize = 2, Limit = 3 }));
        Assert.Equal(5, twilio.ListRequests);

        var oldest = (await MessageResource.ReadAsync(new ReadMessageOptions { PageSize = 50 }, client)).Last();
        Assert.Equal(twilio.Accepted.First().Sid, oldest.Sid);
        Assert.Equal(AccountSid, oldest.AccountSid);
        Assert.Equal(PatientA, oldest.To);
        Assert.Equal(ClinicNumber, oldest.From.ToString());
        Assert.Equal(MessageResource.StatusEnum.Sent, oldest.Status);
        Assert.Equal(MessageResource.DirectionEnum.OutboundApi, oldest.Direction);
        Assert.Equal(new DateTime(2026, 11, 27, 17, 0, 5), oldest.DateSent!.Value.ToUniversalTime());
        Assert.Equal("1", oldest.NumSegments);
        Assert.Null(oldest.ErrorCode);
    }

    [Fact]
    public async Task The_sdk_filters_by_recipient_sender_and_day_sent()
    {
        await using var twilio = await StartAsync();
        var client = await FiveTextsAsync(twilio);

        Assert.Equal(["text 4", "text 3", "text 1"], await BodiesAsync(client, new ReadMessageOptions { To = new PhoneNumber(PatientA) }));
        Assert.Equal(5, (await BodiesAsync(client, new ReadMessageOptions { From = new PhoneNumber(ClinicNumber) })).Length);
        Assert.Empty(await BodiesAsync(client, new ReadMessageOptions { From = new PhoneNumber("+12125550100") }));
        // Days in UTC, both ends on the day itself, as Twilio reads DateSent> and DateSent<.
        Assert.Equal(["text 3", "text 2"], await BodiesAsync(client, new ReadMessageOptions { DateSent = new DateTime(2026, 11, 28, 0, 0, 0, DateTimeKind.Utc) }));
        Assert.Equal(["text 5", "text 4", "text 3", "text 2"], await BodiesAsync(client, new ReadMessageOptions { DateSentAfter = new DateTime(2026, 11, 28, 0, 0, 0, DateTimeKind.Utc) }));
        Assert.Equal(["text 3", "text 2", "text 1"], await BodiesAsync(client, new ReadMessageOptions { DateSentBefore = new DateTime(2026, 11, 28, 0, 0, 0, DateTimeKind.Utc) }));
        Assert.Equal(["text 4", "text 3"], await BodiesAsync(client, new ReadMessageOptions
        {
            To = new PhoneNumber(PatientA),
            DateSentAfter = new DateTime(2026, 11, 28, 0, 0, 0, DateTimeKind.Utc),
            DateSentBefore = new DateTime(2026, 11, 29, 0, 0, 0, DateTimeKind.Utc),
            PageSize = 1,
        }));
    }

    [Fact]
    public async Task A_page_is_in_twilios_format_and_its_links_lead_on_and_back()
    {
        await using var twilio = await StartAsync();
        await FiveTextsAsync(twilio);
        using var http = new System.Net.Http.HttpClient { BaseAddress = new Uri(twilio.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AccountSid}:{AuthToken}")));
        async Task<JsonNode> PageAsync(string uri) => JsonNode.Parse(await http.GetStringAsync(uri))!;

        var first = await PageAsync(MessagesPath + "?To=" + Uri.EscapeDataString(PatientA) + "&DateSent>=2026-11-27&PageSize=2");
        Assert.Equal(["text 4", "text 3"], first["messages"]!.AsArray().Select(m => m!["body"]!.ToString()));
        Assert.Equal(0, (int)first["page"]!);
        Assert.Equal(2, (int)first["page_size"]!);
        Assert.Equal(0, (int)first["start"]!);
        Assert.Equal(1, (int)first["end"]!);
        Assert.Null(first["previous_page_uri"]);
        Assert.StartsWith(MessagesPath + "?To=%2B12125550101&DateSent%3E=2026-11-27&PageSize=2&Page=0", first["first_page_uri"]!.ToString());
        Assert.StartsWith(MessagesPath + "?", first["uri"]!.ToString());
        var message = first["messages"]![0]!;
        foreach (var field in new[] { "sid", "account_sid", "to", "from", "messaging_service_sid", "body", "status", "date_created", "date_sent", "num_segments", "direction", "error_code", "uri" })
        {
            Assert.True(message.AsObject().ContainsKey(field), field);
        }
        Assert.Equal("Sun, 29 Nov 2026 08:00:00 +0000", message["date_sent"]!.ToString());
        Assert.Equal("outbound-api", message["direction"]!.ToString());
        Assert.Equal($"/2010-04-01/Accounts/{AccountSid}/Messages/{message["sid"]}.json", message["uri"]!.ToString());

        var last = await PageAsync(first["next_page_uri"]!.ToString());
        Assert.Equal(["text 1"], last["messages"]!.AsArray().Select(m => m!["body"]!.ToString()));
        Assert.Equal(1, (int)last["page"]!);
        Assert.Null(last["next_page_uri"]);
        var back = await PageAsync(last["previous_page_uri"]!.ToString());
        Assert.Equal(["text 4", "text 3"], back["messages"]!.AsArray().Select(m => m!["body"]!.ToString()));

        using var bad = await http.GetAsync(MessagesPath + "?DateSent=yesterday");
        Assert.Equal(400, (int)bad.StatusCode);
    }

    [Fact]
    public async Task Accept_then_stall_takes_the_text_before_it_answers()
    {
        await using var twilio = await StartAsync();
        twilio.Then(new Answer.AcceptThenStall(TimeSpan.FromSeconds(2)));
        var watch = Stopwatch.StartNew();
        var sending = SendAsync(SdkClient(twilio), PatientA, "patient");
        while (twilio.Accepted.IsEmpty && watch.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(10);
        }
        Assert.False(sending.IsCompleted);
        var accepted = Assert.Single(twilio.Accepted);
        var sent = await sending;
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(2), $"answered after {watch.Elapsed}");
        Assert.Equal(accepted.Sid, sent.Sid);
    }

    [Fact]
    public async Task A_create_delay_holds_every_accepted_send_that_long_while_sends_overlap_and_a_429_comes_at_once()
    {
        await using var twilio = await StartAsync();
        var client = SdkClient(twilio);
        await SendAsync(client, PatientB, "warm-up"); // connections and the SDK are ready before anything is timed
        twilio.CreateDelay = TimeSpan.FromMilliseconds(400);
        twilio.PerSecondLimit = 1_000;

        var watch = Stopwatch.StartNew();
        var sending = Enumerable.Range(0, 6).Select(async i =>
        {
            var started = watch.Elapsed;
            await SendAsync(client, PatientA, $"text {i}");
            return watch.Elapsed - started;
        }).ToArray();
        await Task.Delay(200);
        Assert.Single(twilio.Accepted); // only the warm-up: nothing is accepted before its answer
        var took = await Task.WhenAll(sending);

        Assert.All(took, t => Assert.True(t >= TimeSpan.FromMilliseconds(390), $"answered after {t.TotalMilliseconds} ms"));
        Assert.True(watch.Elapsed < TimeSpan.FromMilliseconds(6 * 400), $"six sends took {watch.Elapsed.TotalMilliseconds} ms: they did not overlap");
        Assert.InRange(twilio.MaxInFlight, 2, 6);
        Assert.Equal(7, twilio.Accepted.Count);

        twilio.PerSecondLimit = 0;
        watch.Restart();
        var refused = await Assert.ThrowsAsync<ApiException>(() => SendAsync(client, PatientA, "over the limit"));
        Assert.Equal((429, 20429), (refused.Status, refused.Code));
        Assert.True(watch.Elapsed < TimeSpan.FromMilliseconds(390), $"the 429 waited {watch.Elapsed.TotalMilliseconds} ms");
        Assert.Equal(1, twilio.Throttled);
    }

    [Fact]
    public async Task A_client_that_times_out_on_a_stall_leaves_a_text_that_is_accepted_and_listed()
    {
        await using var twilio = await StartAsync();
        var impatient = SdkClient(twilio, timeout: TimeSpan.FromSeconds(2));
        await SendAsync(impatient, PatientB, "warm-up"); // the stalled request then reaches the stand-in well within the timeout
        twilio.Then(new Answer.AcceptThenStall(TimeSpan.FromSeconds(10)));
        var error = await Assert.ThrowsAnyAsync<Exception>(() => SendAsync(impatient, PatientA, "did it go?"));
        Assert.True(error is ApiConnectionException or TaskCanceledException, error.ToString());

        Assert.Equal(["warm-up", "did it go?"], twilio.Accepted.Select(t => t.Body));
        var accepted = twilio.Accepted.Last();
        var listed = Assert.Single(await MessageResource.ReadAsync(new ReadMessageOptions { To = new PhoneNumber(PatientA) }, SdkClient(twilio)));
        Assert.Equal(accepted.Sid, listed.Sid);
        Assert.Equal("did it go?", listed.Body);
    }

    [Fact]
    public async Task Refused_credentials_get_401_with_code_20003_on_send_and_list()
    {
        await using var twilio = await StartAsync();
        var client = SdkClient(twilio);
        twilio.RejectCredentials = true;
        var send = await Assert.ThrowsAsync<ApiException>(() => SendAsync(client, PatientA, "x"));
        Assert.Equal((401, 20003), (send.Status, send.Code));
        var list = await Assert.ThrowsAsync<ApiException>(() => MessageResource.ReadAsync(new ReadMessageOptions(), client));
        Assert.Equal((401, 20003), (list.Status, list.Code));
        Assert.Equal((1, 1), (twilio.Requests, twilio.ListRequests));

        twilio.RejectCredentials = false;
        var wrongToken = await Assert.ThrowsAsync<ApiException>(() => SendAsync(SdkClient(twilio, authToken: new string('f', 32)), PatientA, "x"));
        Assert.Equal(20003, wrongToken.Code);
        twilio.Then(Error(20003));
        Assert.Equal(401, (await Assert.ThrowsAsync<ApiException>(() => SendAsync(client, PatientA, "x"))).Status);
        Assert.Empty(twilio.Accepted);
        await SendAsync(client, PatientA, "x");
        Assert.Single(twilio.Accepted);
    }
}
