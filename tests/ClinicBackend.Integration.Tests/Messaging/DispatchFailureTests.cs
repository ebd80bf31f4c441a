using Azure.Storage.Queues;
using ClinicBackend.Application.Outbound;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Messaging;
using static ClinicBackend.Testing.TwilioStandIn;

namespace ClinicBackend.Integration.Tests.Messaging;

/// <summary>What the dispatcher does with Twilio's failures: retry what may succeed, never retry what cannot, lose nothing.</summary>
public sealed class DispatchFailureTests : TwilioAppTest
{
    private static readonly DateTimeOffset TuesdayAt = new(2026, 12, 1, 22, 0, 30, TimeSpan.Zero);
    private readonly GatedStore.Gate _gate = new();

    protected override void ConfigureServices(IServiceCollection services) => GatedStore.Install(services, _gate);

    private IDocumentStore Store => App.Services.GetRequiredService<IDocumentStore>();

    private Task<SortedDictionary<string, StoredRow>> PendingRowsAsync() => StoredRows.PartitionAsync(App, Clinic.ClinicId, Keys.PendingTextPrefix);

    private async Task<string> BookTomorrowAsync(string start = "2026-12-02T09:00")
    {
        var patient = await Clinic.RegisterPatientAsync();
        (await Clinic.BookAsync(patient, start)).Expect(201);
        return patient;
    }

    private async Task<System.Text.Json.Nodes.JsonNode> LastMessageAsync(string patient) => (await Clinic.MessagesAsync(patient))[0]!;

    [Fact]
    public async Task Throttling_is_retried_in_the_same_run_at_a_lower_rate()
    {
        var patient = await BookTomorrowAsync();
        Twilio.Then(Error(429), Error(429));
        App.Clock.SetUtcNow(TuesdayAt);
        await App.RunFunctionAsync("DispatchSms");
        Assert.Equal(3, Twilio.Requests);
        Assert.Single(Twilio.Accepted);
        Assert.Equal("queued", (await LastMessageAsync(patient))["status"]!.ToString());
    }

    [Fact]
    public async Task A_server_error_is_unsettled_looked_up_in_twilio_and_then_sent_once()
    {
        var patient = await BookTomorrowAsync();
        Twilio.Then(Error(500));
        App.Clock.SetUtcNow(TuesdayAt);
        await App.RunFunctionAsync("DispatchSms");
        Assert.Empty(Twilio.Accepted);
        var waiting = await LastMessageAsync(patient);
        Assert.Equal("unsettled", waiting["status"]!.ToString());
        Assert.StartsWith("unsettled after 20500", waiting["reason"]!.ToString());

        await App.RunFunctionAsync("DispatchSms"); // too early for the backoff: nothing asked, nothing sent
        Assert.Equal((1, 0), (Twilio.Requests, Twilio.ListRequests));
        App.Clock.Advance(TimeSpan.FromMinutes(2));
        await App.RunFunctionAsync("DispatchSms");
        Assert.Equal(1, Twilio.ListRequests); // asked Twilio first: not there, so sent again
        Assert.Single(Twilio.Accepted);
        var sent = await LastMessageAsync(patient);
        Assert.Equal("queued", sent["status"]!.ToString());
        Assert.Equal(2, (int)sent["attempts"]!);
    }

    [Fact]
    public async Task A_slow_answer_is_fine_and_a_timeout_after_twilio_accepted_is_found_not_sent_again()
    {
        var slow = await BookTomorrowAsync("2026-12-02T09:00");
        Twilio.Then(new Answer.Slow(TimeSpan.FromMilliseconds(800), new Answer.Queued()));
        App.Clock.SetUtcNow(TuesdayAt);
        await App.RunFunctionAsync("DispatchSms");
        Assert.Equal("queued", (await LastMessageAsync(slow))["status"]!.ToString());

        var timedOut = await BookTomorrowAsync("2026-12-02T11:00");
        Twilio.Then(new Answer.AcceptThenStall(TimeSpan.FromSeconds(4))); // the client gives up after 2 s
        App.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 2, 13, 0, 0, TimeSpan.Zero));
        await App.RunFunctionAsync("DispatchSms");
        var unsettled = await LastMessageAsync(timedOut);
        Assert.Equal("unsettled", unsettled["status"]!.ToString());
        Assert.Equal("timeout", unsettled["errorCode"]!.ToString());

        App.Clock.Advance(TimeSpan.FromMinutes(2));
        await App.RunFunctionAsync("DispatchSms");
        var accepted = Twilio.Accepted.Where(t => t.Body.Contains("11:00", StringComparison.Ordinal)).ToList();
        var text = Assert.Single(accepted);
        var found = await LastMessageAsync(timedOut);
        Assert.Equal(text.Sid, found["twilioSid"]!.ToString());
        Assert.Equal("sent", found["status"]!.ToString());
        Assert.Equal(2, Twilio.Requests);
    }

    [Fact]
    public async Task Opted_out_at_the_carrier_marks_the_patient_and_is_never_retried()
    {
        var patient = await BookTomorrowAsync();
        Twilio.Then(Error(21610));
        App.Clock.SetUtcNow(TuesdayAt);
        await App.RunFunctionAsync("DispatchSms");
        var row = await LastMessageAsync(patient);
        Assert.Equal("failed", row["status"]!.ToString());
        Assert.Equal("21610", row["errorCode"]!.ToString());
        Assert.Equal("True", (await Clinic.GetAsync($"/patients/{patient}")).Json!["smsOptedOut"]!.ToString(), ignoreCase: true);
        Assert.Empty(await Clinic.FlagsAsync("sms-undeliverable"));
        App.Clock.Advance(TimeSpan.FromHours(3));
        await App.RunFunctionAsync("DispatchSms");
        Assert.Equal(1, Twilio.Requests);
    }

    [Theory]
    [InlineData(21211)]
    [InlineData(21614)]
    public async Task Invalid_or_landline_numbers_raise_a_flag_and_are_never_retried(int code)
    {
        var patient = await BookTomorrowAsync();
        Twilio.Then(Error(code));
        App.Clock.SetUtcNow(TuesdayAt);
        await App.RunFunctionAsync("DispatchSms");
        Assert.Equal("failed", (await LastMessageAsync(patient))["status"]!.ToString());
        var flag = Assert.Single(await Clinic.FlagsAsync("sms-undeliverable"))!;
        Assert.Equal(patient, flag["patientId"]!.ToString());
        Assert.Contains(code.ToString(System.Globalization.CultureInfo.InvariantCulture), flag["detail"]!.ToString());
        App.Clock.Advance(TimeSpan.FromHours(3));
        await App.RunFunctionAsync("DispatchSms");
        Assert.Equal(1, Twilio.Requests);
        Assert.Single(await Clinic.FlagsAsync("sms-undeliverable"));
    }

    [Fact]
    public async Task Persistent_failures_end_in_the_dead_letter_queue_with_a_flag_not_a_loop()
    {
        var patient = await BookTomorrowAsync("2026-12-02T16:00");
        for (var i = 0; i < TextSender.MaxAttempts + 5; i++)
        {
            Twilio.Then(Error(500));
        }
        App.Clock.SetUtcNow(TuesdayAt);
        for (var run = 0; run < TextSender.MaxAttempts + 4; run++)
        {
            await App.RunFunctionAsync("DispatchSms");
            var row = await LastMessageAsync(patient);
            if (row["status"]!.ToString() is not ("unsettled" or "planned"))
            {
                break;
            }
            // Next run just after the backoff the dispatcher chose.
            App.Clock.SetUtcNow(DateTimeOffset.Parse(row["at"]!.ToString(), System.Globalization.CultureInfo.InvariantCulture).AddSeconds(1));
        }
        Assert.Equal(TextSender.MaxAttempts, Twilio.Requests);
        Assert.Equal(TextSender.MaxAttempts - 1, Twilio.ListRequests); // every resend was looked up first
        var failed = await LastMessageAsync(patient);
        Assert.Equal("failed", failed["status"]!.ToString());
        Assert.StartsWith("gave up after 8 attempts", failed["reason"]!.ToString());
        Assert.Single(await Clinic.FlagsAsync("sms-undeliverable"));
        var poison = new QueueClient(App.ConnectionString, $"{App.Prefix}sms-outbox-poison");
        Assert.Equal(1, (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount);

        // The next run reads the dead letter back: the text is final, so it is only removed, nothing is sent.
        await App.RunFunctionAsync("DispatchSms");
        Assert.Equal(0, (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Equal(TextSender.MaxAttempts, Twilio.Requests);
    }

    [Fact]
    public async Task The_daily_and_weekly_limits_defer_or_drop_automated_texts()
    {
        // Daily: the patient already had an automated text on Tuesday: the reminder waits for Wednesday 08:00.
        var daily = await BookTomorrowAsync("2026-12-02T10:00");
        await Store.CommitAsync(Clinic.ClinicId, [new Change.Insert(Keys.SmsQuota(daily), SmsQuota.None.Use("earlier", default, new NodaTime.LocalDate(2026, 12, 1)))], default);
        // Weekly: three automated texts in the last days: nothing more may go before Wednesday's session.
        var weekly = await BookTomorrowAsync("2026-12-02T12:00");
        var week = new[] { 27, 28, 29 }.Aggregate(SmsQuota.None, (quota, day) => quota.Use($"earlier{day}", default, new NodaTime.LocalDate(2026, 11, day)));
        await Store.CommitAsync(Clinic.ClinicId, [new Change.Insert(Keys.SmsQuota(weekly), week)], default);
        App.Clock.SetUtcNow(TuesdayAt);
        await App.RunFunctionAsync("DispatchSms");
        Assert.Empty(Twilio.Accepted);
        var deferred = await LastMessageAsync(daily);
        Assert.Equal("planned", deferred["status"]!.ToString());
        Assert.Equal("2026-12-02T13:00:00Z", deferred["at"]!.ToString());
        Assert.Contains("daily limit", deferred["reason"]!.ToString());
        var dropped = await LastMessageAsync(weekly);
        Assert.Equal("skipped", dropped["status"]!.ToString());
        Assert.Contains("weekly limit", dropped["reason"]!.ToString());

        App.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 2, 13, 0, 10, TimeSpan.Zero));
        await App.RunFunctionAsync("DispatchSms");
        Assert.Single(Twilio.Accepted);
    }

    [Fact]
    public async Task The_commit_that_records_a_send_takes_the_text_out_of_the_pending_index()
    {
        var patient = await BookTomorrowAsync();
        Assert.Single(await PendingRowsAsync());
        App.Clock.SetUtcNow(TuesdayAt);
        await App.RunFunctionAsync("DispatchSms");
        Assert.Single(Twilio.Accepted);
        Assert.Equal("queued", (await LastMessageAsync(patient))["status"]!.ToString());
        Assert.Empty(await PendingRowsAsync()); // nothing left for the reconciler to read
    }

    [Fact]
    public async Task A_text_twilio_lists_as_still_sending_stays_in_the_pending_index_until_it_is_final()
    {
        var patient = await BookTomorrowAsync();
        Twilio.Then(new Answer.AcceptThenStall(TimeSpan.FromSeconds(4))); // the client gives up after 2 s
        App.Clock.SetUtcNow(TuesdayAt);
        await App.RunFunctionAsync("DispatchSms");
        Assert.Equal("unsettled", (await LastMessageAsync(patient))["status"]!.ToString());

        Twilio.ListedStatus = "sending";
        App.Clock.Advance(TimeSpan.FromMinutes(2));
        await App.RunFunctionAsync("DispatchSms");
        Assert.Equal("sending", (await LastMessageAsync(patient))["status"]!.ToString());
        Assert.Single(await PendingRowsAsync()); // still in the reconciler's view

        Twilio.ListedStatus = "sent";
        App.Clock.Advance(TimeSpan.FromMinutes(15)); // the reconciler wakes it; its claim is stale, so it is looked up again
        await App.RunFunctionAsync("DispatchSms");
        Assert.Equal("sent", (await LastMessageAsync(patient))["status"]!.ToString());
        Assert.Single(Twilio.Accepted);
        Assert.Empty(await PendingRowsAsync());
    }

    [Fact]
    public async Task A_text_planned_before_its_row_kept_the_pending_time_is_cleaned_by_the_reconciler_as_before()
    {
        var patient = await BookTomorrowAsync();
        var row = (await Store.QueryPrefixAsync<SmsMessage>(Clinic.ClinicId, Keys.MessagePrefix(patient), default)).Single();
        await Store.CommitAsync(Clinic.ClinicId, [new Change.Replace(row.Key, row.Value with { PendingAt = null }, row.ETag)], default);
        App.Clock.SetUtcNow(TuesdayAt);
        await App.RunFunctionAsync("DispatchSms");
        Assert.Equal("queued", (await LastMessageAsync(patient))["status"]!.ToString());
        Assert.Single(await PendingRowsAsync());

        App.Clock.Advance(TimeSpan.FromMinutes(15));
        await App.RunFunctionAsync("DispatchSms");
        Assert.Empty(await PendingRowsAsync());
        Assert.Single(Twilio.Accepted);
    }

    [Fact]
    public async Task A_send_whose_pending_row_is_gone_already_is_still_recorded()
    {
        var patient = await BookTomorrowAsync();
        var pending = Assert.Single(await PendingRowsAsync());
        await Store.CommitAsync(Clinic.ClinicId, [new Change.Delete(pending.Key)], default);
        App.Clock.SetUtcNow(TuesdayAt);
        await App.RunFunctionAsync("DispatchSms");
        var sent = Assert.Single(Twilio.Accepted);
        var row = await LastMessageAsync(patient);
        Assert.Equal("queued", row["status"]!.ToString());
        Assert.Equal(sent.Sid, row["twilioSid"]!.ToString());
    }

    [Fact]
    public async Task Days_in_the_per_day_quota_rows_of_the_earlier_layout_still_count()
    {
        var patient = await BookTomorrowAsync("2026-12-02T12:00");
        foreach (var day in new[] { 27, 28, 29 })
        {
            var date = new NodaTime.LocalDate(2026, 11, day);
            await Store.CommitAsync(Clinic.ClinicId, [new Change.Insert(Keys.PerDaySmsQuota(patient, date), new SmsQuotaDay($"earlier{day}", default, date))], default);
        }
        App.Clock.SetUtcNow(TuesdayAt);
        await App.RunFunctionAsync("DispatchSms");
        Assert.Empty(Twilio.Accepted);
        var dropped = await LastMessageAsync(patient);
        Assert.Equal("skipped", dropped["status"]!.ToString());
        Assert.Contains("weekly limit", dropped["reason"]!.ToString());
    }

    /// <summary>A second automated text for the patient, due with the reminder: a copy of its planned ledger row under another id.</summary>
    private async Task<OutboxMessage> SecondTextAsync(string patient)
    {
        var reminder = (await Store.QueryPrefixAsync<SmsMessage>(Clinic.ClinicId, Keys.MessagePrefix(patient), default)).Single().Value;
        var second = reminder with { Id = reminder.Id + "-copy" };
        await Store.CommitAsync(Clinic.ClinicId,
        [
            new Change.Insert(Keys.Message(patient, second.Id), second),
            new Change.Insert(Keys.PendingText(second.At, patient, second.Id), new PendingText(patient, second.Id)),
        ], default);
        return new OutboxMessage(Clinic.ClinicId, patient, second.Id, DueAt: second.At);
    }

    private Task WakeAsync(OutboxMessage text) => App.Services.GetRequiredService<ISmsOutbox>().EnqueueAsync(text, text.DueAt!.Value, default);

    private async Task<SmsQuota?> QuotaAsync(string patient) =>
        (await Store.GetAsync<SmsQuota>(Clinic.ClinicId, Keys.SmsQuota(patient), default))?.Value;

    [Fact]
    public async Task Two_automated_texts_for_one_patient_at_once_use_the_day_once()
    {
        var patient = await BookTomorrowAsync();
        await WakeAsync(await SecondTextAsync(patient));
        App.Clock.SetUtcNow(TuesdayAt);
        await App.RunFunctionAsync("DispatchSms");
        await App.RunFunctionAsync("DispatchSms");
        var sent = Assert.Single(Twilio.Accepted);
        var day = Assert.Single((await QuotaAsync(patient))!.Days);
        Assert.Equal(new NodaTime.LocalDate(2026, 12, 1), day.Date);
        Assert.Contains(day.MessageId, sent.StatusCallback);
        var waiting = (await Clinic.MessagesAsync(patient)).Single(m => m!["status"]!.ToString() != "queued")!;
        Assert.Equal("planned", waiting["status"]!.ToString()); // deferred by the daily limit, or raced and left to the reconciler
    }

    [Fact]
    public async Task A_claim_that_finds_the_patients_quota_row_changed_is_decided_again()
    {
        var patient = await BookTomorrowAsync();
        await WakeAsync(await SecondTextAsync(patient));
        // The first claim waits with the empty quota it read; the other text meanwhile takes the day.
        var held = _gate.PauseNext(changes => changes.Any(c => c.Key == Keys.SmsQuota(patient)));
        App.Clock.SetUtcNow(TuesdayAt);
        var run = App.RunFunctionAsync("DispatchSms");
        await held.Reached;
        for (var i = 0; i < 300 && Twilio.Accepted.IsEmpty; i++)
        {
            await Task.Delay(50);
        }
        held.Release();
        await run;
        await App.RunFunctionAsync("DispatchSms");

        Assert.Single(Twilio.Accepted);
        var waiting = (await Clinic.MessagesAsync(patient)).Single(m => m!["status"]!.ToString() != "queued")!;
        Assert.Equal("planned", waiting["status"]!.ToString());
        Assert.Contains("daily limit", waiting["reason"]!.ToString()); // decided again on the new row, not left for the reconciler
    }

    [Fact]
    public async Task A_text_twilio_refused_gives_the_patients_day_back()
    {
        var patient = await BookTomorrowAsync();
        var second = await SecondTextAsync(patient);
        Twilio.Then(Error(21211));
        App.Clock.SetUtcNow(TuesdayAt);
        await App.RunFunctionAsync("DispatchSms");
        Assert.Equal("failed", (await LastMessageAsync(patient))["status"]!.ToString());
        Assert.Empty((await QuotaAsync(patient))!.Days);

        await WakeAsync(second);
        await App.RunFunctionAsync("DispatchSms");
        var sent = Assert.Single(Twilio.Accepted);
        Assert.Contains(second.MessageId, sent.StatusCallback, StringComparison.Ordinal);
        Assert.Equal(second.MessageId, Assert.Single((await QuotaAsync(patient))!.Days).MessageId);
    }

    [Fact]
    public async Task Without_Twilio_credentials_texts_are_recorded_as_simulated()
    {
        await using var app = await TestApp.StartAsync(TestApp.Monday);
        var clinic = await Scenario.CreateAsync(app);
        var patient = await clinic.RegisterPatientAsync();
        (await clinic.BookAsync(patient, "2026-12-02T09:00")).Expect(201);
        app.Clock.SetUtcNow(TuesdayAt);
        await app.RunFunctionAsync("DispatchSms");
        var row = (await clinic.MessagesAsync(patient))[0]!;
        Assert.Equal("simulated", row["status"]!.ToString());
        Assert.Contains("Someone must drive you home", row["body"]!.ToString());
    }
}
