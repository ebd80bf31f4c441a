using ClinicBackend.Application.Outbound;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Testing.Drills;
using static ClinicBackend.Testing.TwilioStandIn;

namespace ClinicBackend.Integration.Tests.Messaging;

/// <summary>The dispatcher works on several texts at once, never more than its setting, and still sends each text once.</summary>
public sealed class DispatchConcurrencyTests : TwilioAppTest
{
    private const int Concurrency = 4;
    private static readonly DateTimeOffset TuesdayAt = new(2026, 12, 1, 22, 0, 30, TimeSpan.Zero);

    protected override IDictionary<string, string?>? Settings => new Dictionary<string, string?>(base.Settings!)
    {
        ["Outbox:DispatchConcurrency"] = Concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    protected override ClinicOptions ClinicOptions => new() { Chairs = 24 };

    /// <summary>How long each outbox receive's answer takes to come back after the queue leased its messages.</summary>
    private TimeSpan _receiveAnswer = TimeSpan.Zero;

    protected override void ConfigureServices(IServiceCollection services) =>
        services.Decorate<ISmsOutbox>((inner, _) => new SlowAnswerOutbox(inner, () => _receiveAnswer));

    private async Task<List<string>> BookTomorrowAsync(int count)
    {
        var patients = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var patient = await Clinic.RegisterPatientAsync();
            (await Clinic.BookAsync(patient, $"2026-12-02T{8 + i % 8:D2}:{i / 8 % 4 * 15:D2}")).Expect(201);
            patients.Add(patient);
        }
        return patients;
    }

    [Fact]
    public async Task Sends_overlap_up_to_the_concurrency_setting_and_each_text_goes_once()
    {
        var patients = await BookTomorrowAsync(20);
        Twilio.Then(Enumerable.Range(0, 20).Select(_ => (Answer)new Answer.Slow(TimeSpan.FromMilliseconds(300), new Answer.Queued())).ToArray());
        App.Clock.SetUtcNow(TuesdayAt);
        await App.Services.GetRequiredService<SmsDispatcher>().DispatchAsync(TimeSpan.FromSeconds(30), default);

        Assert.InRange(Twilio.MaxInFlight, 2, Concurrency);
        Assert.Equal(20, Twilio.Accepted.Count);
        Assert.Equal(20, Twilio.Accepted.Select(t => t.StatusCallback).Distinct().Count());
        foreach (var patient in patients)
        {
            Assert.Equal("queued", Assert.Single(await Clinic.MessagesAsync(patient))!["status"]!.ToString());
        }
    }

    [Fact]
    public async Task A_receive_under_way_when_the_budget_runs_out_is_finished_and_its_texts_sent_in_that_run()
    {
        await BookTomorrowAsync(5);
        App.Clock.SetUtcNow(TuesdayAt);
        _receiveAnswer = TimeSpan.FromMilliseconds(600);
        var summary = await App.Services.GetRequiredService<SmsDispatcher>().DispatchAsync(TimeSpan.FromMilliseconds(200), default);

        // Cut off at the budget, the receive would leave its five texts leased, unsent until the lease ran out (2 min).
        Assert.Equal(5, summary[DispatchOutcome.Sent]);
        Assert.Equal(5, Twilio.Accepted.Count);
    }

    [Fact]
    public async Task No_receive_starts_once_the_budget_is_used_up()
    {
        await BookTomorrowAsync(5);
        App.Clock.SetUtcNow(TuesdayAt);
        _receiveAnswer = TimeSpan.FromMilliseconds(600);
        var outbox = (SlowAnswerOutbox)App.Services.GetRequiredService<ISmsOutbox>();
        var summary = await App.Services.GetRequiredService<SmsDispatcher>().DispatchAsync(TimeSpan.FromMilliseconds(200), default);

        // Each receiver's first receive was under way at the budget; a receiver that went on would receive again,
        // since the one that got the texts has no reason of its own to stop (a receive of nothing is the other's).
        Assert.Equal(SmsDispatcher.Receivers, outbox.Receives);
        Assert.Equal(5, summary[DispatchOutcome.Sent]);
    }

    [Fact]
    public async Task Three_dispatchers_at_once_each_with_several_sends_in_flight_send_every_text_exactly_once()
    {
        await BookTomorrowAsync(24);
        App.Clock.SetUtcNow(TuesdayAt);
        var dispatcher = App.Services.GetRequiredService<SmsDispatcher>();
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => dispatcher.DispatchAsync(TimeSpan.FromSeconds(30), default)));
        await dispatcher.DispatchAsync(TimeSpan.FromSeconds(30), default);

        Assert.Equal(24, Twilio.Requests);
        Assert.Equal(24, Twilio.Accepted.Select(t => t.StatusCallback).Distinct().Count());
    }

    [Fact]
    public async Task A_status_callback_that_overtakes_the_send_is_kept_when_the_send_is_recorded()
    {
        var patient = (await BookTomorrowAsync(1))[0];
        Twilio.Then(new Answer.AcceptThenStall(TimeSpan.FromMilliseconds(800)));
        App.Clock.SetUtcNow(TuesdayAt);
        var dispatch = App.Services.GetRequiredService<SmsDispatcher>().DispatchAsync(TimeSpan.FromSeconds(30), default);
        while (Twilio.Accepted.IsEmpty)
        {
            await Task.Delay(10);
        }
        var sent = Assert.Single(Twilio.Accepted);
        (await TwilioRequests.PostSignedAsync(App, new Uri(sent.StatusCallback!).PathAndQuery, new Dictionary<string, string>
        {
            ["MessageSid"] = sent.Sid,
            ["AccountSid"] = AccountSid,
            ["MessageStatus"] = "delivered",
            ["To"] = sent.To,
            ["From"] = sent.From!,
        })).Expect(204);
        await dispatch;

        var row = Assert.Single(await Clinic.MessagesAsync(patient))!;
        Assert.Equal("delivered", row["status"]!.ToString());
        Assert.Single(Twilio.Accepted);
    }
}

/// <summary>An outbox whose receives lease their messages at once and answer after a while, as over a slow link; the wait honours cancellation.</summary>
internal sealed class SlowAnswerOutbox(ISmsOutbox inner, Func<TimeSpan> answerAfter) : ISmsOutbox
{
    public Task EnqueueAsync(OutboxMessage message, NodaTime.Instant sendAt, CancellationToken ct) => inner.EnqueueAsync(message, sendAt, ct);

    private int _receives;

    /// <summary>Receives started.</summary>
    public int Receives => Volatile.Read(ref _receives);

    public async Task<IReadOnlyList<IOutboxDelivery>> ReceiveAsync(int max, CancellationToken ct)
    {
        Interlocked.Increment(ref _receives);
        var received = await inner.ReceiveAsync(max, ct);
        await Task.Delay(answerAfter(), ct);
        return received;
    }

    public Task<IReadOnlyList<IOutboxDelivery>> ReceiveDeadLetteredAsync(int max, CancellationToken ct) => inner.ReceiveDeadLetteredAsync(max, ct);
}
