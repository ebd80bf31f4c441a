using ClinicBackend.Application.Outbound;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Messaging;

namespace ClinicBackend.Integration.Tests.Messaging;

/// <summary>
/// Reminders end to end: a session Wednesday 2026-12-02 09:00 in New York, booked on Monday; the day-before
/// reminder goes Tuesday 17:00 local (22:00Z) through the Twilio stand-in.
/// </summary>
public sealed class ReminderTests : TwilioAppTest
{
    private static readonly DateTimeOffset TuesdayNight = new(2026, 12, 1, 5, 30, 0, TimeSpan.Zero); // 00:30 local
    private static readonly DateTimeOffset TuesdayBefore = new(2026, 12, 1, 21, 59, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset TuesdayAt = new(2026, 12, 1, 22, 0, 30, TimeSpan.Zero);

    private async Task<(string Patient, string Session)> BookAsync(string start = "2026-12-02T09:00", string language = "en", string? phone = null)
    {
        var patient = await Clinic.RegisterPatientAsync(phone: phone, language: language);
        var session = (await Clinic.BookAsync(patient, start)).Expect(201)["id"]!;
        return (patient, session);
    }

    [Fact]
    public async Task The_day_before_reminder_goes_once_at_theClinic_time_with_the_right_text()
    {
        var (patient, session) = await BookAsync(phone: "+12125550142");
        var planned = Assert.Single(await Clinic.MessagesAsync(patient))!;
        Assert.Equal("planned", planned["status"]!.ToString());
        Assert.Equal("2026-12-01T22:00:00Z", planned["at"]!.ToString());

        App.Clock.SetUtcNow(TuesdayBefore);
        await App.RunFunctionAsync("DispatchSms");
        Assert.Empty(Twilio.Accepted);

        App.Clock.SetUtcNow(TuesdayAt);
        await App.RunFunctionAsync("DispatchSms");
        var text = Assert.Single(Twilio.Accepted);
        Assert.Equal("+12125550142", text.To);
        Assert.Equal(Clinic.SmsFrom, text.From);
        Assert.Equal("Riverside Behavioral Health: visit Wed Dec 2, 9:00 AM. Someone must drive you home. Reply 1 to confirm, 2 to reschedule. (212) 555-0100. STOP to opt out", text.Body);
        Assert.StartsWith($"https://clinic.example.org/api/sms/status?ref={Clinic.ClinicId}.{patient}.r-{session}-v1-day-before", text.StatusCallback);

        // Every timer again, twice: nothing new goes out.
        await App.RunFunctionAsync("NightlyReminders");
        await App.RunFunctionAsync("NightlyReminders");
        await App.RunFunctionAsync("DispatchSms");
        await App.RunFunctionAsync("DispatchSms");
        Assert.Single(Twilio.Accepted);
        var sent = Assert.Single(await Clinic.MessagesAsync(patient))!;
        Assert.Equal("queued", sent["status"]!.ToString());
        Assert.Equal(1, (int)sent["segments"]!);
        Assert.Equal(text.Body, sent["body"]!.ToString());
    }

    [Fact]
    public async Task An_unreadable_outbox_message_is_dropped_and_every_reminder_still_goes()
    {
        var (_, _) = await BookAsync(phone: "+12125550143");
        await BookAsync("2026-12-02T10:00", phone: "+12125550144");
        var raw = new Azure.Storage.Queues.QueueClient(App.ConnectionString, $"{App.Prefix}sms-outbox");
        var queue = new Azure.Storage.Queues.QueueClient(App.ConnectionString, $"{App.Prefix}sms-outbox",
            new Azure.Storage.Queues.QueueClientOptions { MessageEncoding = Azure.Storage.Queues.QueueMessageEncoding.Base64 });
        await raw.SendMessageAsync("not base64 at all!"); // another producer's encoding
        foreach (var garbage in new[] { "not json", "{}", """{"clinicId":"","patientId":"p","messageId":"m"}""", "[1,2]" })
        {
            await queue.SendMessageAsync(garbage);
        }
        App.Clock.SetUtcNow(TuesdayAt);
        await App.RunFunctionAsync("DispatchSms");
        Assert.Equal(["+12125550143", "+12125550144"], Twilio.Accepted.Select(t => t.To).Order());
        Assert.Equal(0, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task The_nightly_run_plans_what_booking_did_not_and_timers_fired_twice_send_once()
    {
        var (patient, _) = await BookAsync();
        // Lose the booking-time plan (as if planning failed after the booking committed).
        var store = App.Services.GetRequiredService<IDocumentStore>();
        var row = (await store.QueryPrefixAsync<SmsMessage>(Clinic.ClinicId, Keys.MessagePrefix(patient), default)).Single();
        await store.CommitAsync(Clinic.ClinicId, [new Change.Delete(row.Key)], default);

        App.Clock.SetUtcNow(TuesdayNight);
        await Task.WhenAll(App.RunFunctionAsync("NightlyReminders"), App.Services.GetRequiredService<ReminderPlanner>().PlanAllAsync(default));
        App.Clock.SetUtcNow(TuesdayAt);
        await Task.WhenAll(
            App.Services.GetRequiredService<SmsDispatcher>().DispatchAsync(TimeSpan.FromSeconds(30), default),
            App.Services.GetRequiredService<SmsDispatcher>().DispatchAsync(TimeSpan.FromSeconds(30), default));
        await App.RunFunctionAsync("DispatchSms");
        Assert.Single(Twilio.Accepted);
        Assert.Equal("queued", Assert.Single(await Clinic.MessagesAsync(patient))!["status"]!.ToString());
    }

    [Fact]
    public async Task Two_dispatchers_racing_send_every_reminder_exactly_once()
    {
        var patients = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            patients.Add((await BookAsync(start: $"2026-12-02T{8 + i % 8:D2}:{(i / 8) * 15:D2}")).Patient);
        }
        App.Clock.SetUtcNow(TuesdayAt);
        var dispatcher = App.Services.GetRequiredService<SmsDispatcher>();
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => dispatcher.DispatchAsync(TimeSpan.FromSeconds(30), default)));
        await dispatcher.DispatchAsync(TimeSpan.FromSeconds(30), default);
        Assert.Equal(12, Twilio.Accepted.Count);
        Assert.Equal(12, Twilio.Accepted.Select(t => t.To).Distinct().Count());
    }

    [Fact]
    public async Task Cancelled_rescheduled_and_withdrawn_sessions_get_no_stale_reminder()
    {
        var (cancelledPatient, cancelled) = await BookAsync("2026-12-02T09:00");
        var (movedPatient, moved) = await BookAsync("2026-12-02T10:00");
        var (noConsentPatient, _) = await BookAsync("2026-12-02T11:00");
        var (optedOutPatient, _) = await BookAsync("2026-12-02T12:00");
        var (pausedPatient, _) = await BookAsync("2026-12-02T13:00");
        App.Clock.SetUtcNow(TuesdayNight);
        await App.RunFunctionAsync("NightlyReminders");

        (await Clinic.PostAsync($"/sessions/{cancelled}/cancel", new { reason = "no ride" })).Expect(200);
        (await Clinic.PostAsync($"/sessions/{moved}/reschedule", new { start = "2026-12-03T10:00" })).Expect(200);
        (await App.SendAsync(HttpMethod.Patch, $"{Clinic.Base}/patients/{noConsentPatient}", Clinic.Staff, new { smsConsent = false })).Expect(200);
        await SetPatientAsync(optedOutPatient, p => p with { SmsOptedOut = true });
        await SetPatientAsync(pausedPatient, p => p with { PausedByFlagId = "crisisflag0000000001" });

        App.Clock.SetUtcNow(TuesdayAt);
        await App.RunFunctionAsync("DispatchSms");
        Assert.Empty(Twilio.Accepted);
        Assert.Equal("session-cancelled", (await Clinic.MessagesAsync(cancelledPatient))[0]!["reason"]!.ToString());
        Assert.Equal("no-consent", (await Clinic.MessagesAsync(noConsentPatient))[0]!["reason"]!.ToString());
        Assert.Equal("opted-out", (await Clinic.MessagesAsync(optedOutPatient))[0]!["reason"]!.ToString());
        Assert.Equal("paused-by-crisis-flag", (await Clinic.MessagesAsync(pausedPatient))[0]!["reason"]!.ToString());
        var movedMessages = await Clinic.MessagesAsync(movedPatient);
        Assert.Equal(2, movedMessages.Count);
        Assert.Contains(movedMessages, m => m!["reason"]?.ToString() == "rescheduled" && m["status"]!.ToString() == "skipped");

        // The moved session's own reminder goes the next day at 17:00.
        App.Clock.SetUtcNow(TuesdayAt.AddDays(1));
        await App.RunFunctionAsync("DispatchSms");
        var text = Assert.Single(Twilio.Accepted);
        Assert.Contains("Thu Dec 3, 10:00 AM", text.Body);
    }

    [Fact]
    public async Task A_late_booking_is_reminded_at_the_next_allowed_time_never_in_the_night()
    {
        // Booked Tuesday 22:30 local for Wednesday 11:00: 17:00 has passed, quiet hours until 08:00.
        App.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 2, 3, 30, 0, TimeSpan.Zero));
        var (patient, _) = await BookAsync("2026-12-02T11:00");
        Assert.Equal("2026-12-02T13:00:00Z", (await Clinic.MessagesAsync(patient))[0]!["at"]!.ToString()); // 08:00 local
        App.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));
        await App.RunFunctionAsync("DispatchSms");
        Assert.Empty(Twilio.Accepted);
        App.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 2, 13, 0, 5, TimeSpan.Zero));
        await App.RunFunctionAsync("DispatchSms");
        Assert.Single(Twilio.Accepted);

        // Booked at 08:30 for 09:00 the same morning: no useful time is left; recorded, never sent.
        App.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 3, 13, 30, 0, TimeSpan.Zero));
        var (late, _) = await BookAsync("2026-12-03T09:00");
        var row = (await Clinic.MessagesAsync(late))[0]!;
        Assert.Equal("skipped", row["status"]!.ToString());
        Assert.StartsWith("too-late", row["reason"]!.ToString());
    }

    [Fact]
    public async Task Spanish_speaking_patients_get_the_Spanish_text_in_one_segment()
    {
        await BookAsync(language: "es");
        App.Clock.SetUtcNow(TuesdayAt);
        await App.RunFunctionAsync("DispatchSms");
        var text = Assert.Single(Twilio.Accepted);
        Assert.StartsWith("Riverside Behavioral Health: cita mie 2 dic, 9:00. Alguien debe llevarle a casa.", text.Body);
        Assert.Equal(1, SmsSegments.Count(text.Body));
    }

    private async Task SetPatientAsync(string patientId, Func<ClinicBackend.Domain.Patients.Patient, ClinicBackend.Domain.Patients.Patient> change)
    {
        var store = App.Services.GetRequiredService<IDocumentStore>();
        var stored = (await store.GetAsync<ClinicBackend.Domain.Patients.Patient>(Clinic.ClinicId, Keys.Patient(patientId), default))!;
        await store.CommitAsync(Clinic.ClinicId, [new Change.Replace(stored.Key, change(stored.Value), stored.ETag)], default);
    }
}
