using ClinicBackend.Application.Access;
using ClinicBackend.Application.Clinics;
using ClinicBackend.Application.Flags;
using ClinicBackend.Application.Patients;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Sessions;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Time;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace ClinicBackend.Application.Messaging;

public sealed record DispatchSummary(int Received, int Sent, int Simulated, int Skipped, int Deferred, int Retried, int Failed, int DeadLettered)
{
    public override string ToString() =>
        $"received {Received}, sent {Sent}, simulated {Simulated}, skipped {Skipped}, deferred {Deferred}, retried {Retried}, failed {Failed}, dead-lettered {DeadLettered}";
}

/// <summary>Where status callbacks go: <c>{PublicBaseUrl}/api/sms/status?ref=...</c>; null when there is no public URL.</summary>
public sealed record SmsCallbacks(string? PublicBaseUrl)
{
    public Uri? StatusFor(string clinicId, string patientId, string messageId) =>
        PublicBaseUrl is null ? null : new Uri($"{PublicBaseUrl.TrimEnd('/')}/api/sms/status?ref={clinicId}.{patientId}.{messageId}");
}

/// <summary>
/// Drains due outbox messages and sends them. The ledger row decides: before sending, the row, the session
/// and the patient are read again and anything no longer valid is skipped with its reason; a conditional
/// update claims the row (with the day's quota row, in one commit) so two dispatchers never both send it.
/// </summary>
public sealed class SmsDispatcher(
    ClinicData data,
    ISmsOutbox outbox,
    ISmsGateway gateway,
    SendRateLimiter limiter,
    FlagRaiser flags,
    SmsCallbacks callbacks,
    TimeProvider time,
    ILogger<SmsDispatcher> logger)
{
    public const int MaxAttempts = 8;
    public const int BatchSize = 32;
    public const int Parallelism = 8;
    public static readonly Duration BaseBackoff = Duration.FromSeconds(30);
    public static readonly Duration MaxBackoff = Duration.FromHours(1);
    /// <summary>A claim older than this whose send never finished was interrupted (the process died mid-send).</summary>
    public static readonly Duration StaleClaim = Duration.FromMinutes(10);
    /// <summary>Tries within one run: a 429 was never processed, so it is tried more often than a server error.</summary>
    private const int InRunAttemptsThrottled = 10;
    private const int InRunAttemptsFailed = 3;

    private IDocumentStore Store => data.Store;

    public async Task<DispatchSummary> DispatchAsync(TimeSpan budget, CancellationToken ct)
    {
        var counts = new Dictionary<string, int>();
        var seen = new HashSet<string>();
        var clinics = new System.Collections.Concurrent.ConcurrentDictionary<string, Task<Stored<Clinic>?>>(); // settings read once per run
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stop.CancelAfter(budget);
        var received = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var batch = await outbox.ReceiveAsync(BatchSize, stop.Token);
                if (batch.Count == 0)
                {
                    break;
                }
                received += batch.Count;
                var fresh = 0;
                await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = CancellationToken.None }, async (delivery, _) =>
                {
                    lock (seen)
                    {
                        fresh += seen.Add($"{delivery.Message.ClinicId}.{delivery.Message.MessageId}") ? 1 : 0;
                    }
                    var outcome = await ProcessSafelyAsync(delivery, clinics, stop.Token);
                    lock (counts)
                    {
                        counts[outcome] = counts.GetValueOrDefault(outcome) + 1;
                    }
                });
                if (fresh == 0)
                {
                    break; // only messages this run already handled came back (deferred ones visible again)
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // budget used up: what is left stays in the outbox for the next run
        }
        return new DispatchSummary(received, counts.GetValueOrDefault("sent"), counts.GetValueOrDefault("simulated"), counts.GetValueOrDefault("skipped"),
            counts.GetValueOrDefault("deferred"), counts.GetValueOrDefault("retried"), counts.GetValueOrDefault("failed"), counts.GetValueOrDefault("dead-lettered"));
    }

    private async Task<string> ProcessSafelyAsync(IOutboxDelivery delivery,
        System.Collections.Concurrent.ConcurrentDictionary<string, Task<Stored<Clinic>?>> clinics, CancellationToken ct)
    {
        try
        {
            return await ProcessAsync(delivery, clinics, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Storage trouble and the like: the lease expires and the message comes back.
            logger.LogWarning(e, "Dispatching message {MessageId} of clinic {ClinicId} failed; it will be received again.", delivery.Message.MessageId, delivery.Message.ClinicId);
            return "error";
        }
    }

    private async Task<string> ProcessAsync(IOutboxDelivery delivery,
        System.Collections.Concurrent.ConcurrentDictionary<string, Task<Stored<Clinic>?>> clinics, CancellationToken ct)
    {
        var message = delivery.Message;
        var key = Keys.Message(message.PatientId, message.MessageId);
        var row = await Store.GetAsync<SmsMessage>(message.ClinicId, key, ct);
        var now = time.Now();
        if (row is null || row.Value.Direction != "outbound")
        {
            await delivery.CompleteAsync(ct); // its planning never finished: nothing to send
            return "missing";
        }
        var sms = row.Value;
        if (sms.Status == SmsStatus.Sending)
        {
            if (sms.ClaimedAt is { } claimedAt && now - claimedAt > StaleClaim)
            {
                await FailAsync(message, row, "interrupted-send: the dispatcher stopped during the call to Twilio; the text may or may not have gone", null, flag: true, now, ct);
                await delivery.CompleteAsync(ct);
                return "failed";
            }
            await delivery.RetryAsync(StaleClaim, ct);
            return "deferred";
        }
        if (sms.Status != SmsStatus.Planned)
        {
            await delivery.CompleteAsync(ct); // already sent, skipped or failed: a duplicate delivery
            return "duplicate";
        }
        if (sms.At > now)
        {
            await delivery.RetryAsync(sms.At - now, ct);
            return "deferred";
        }

        var clinicTask = clinics.GetOrAdd(message.ClinicId, id => data.ClinicAsync(id, CancellationToken.None));
        var patientTask = data.PatientAsync(message.ClinicId, message.PatientId, ct);
        var sessionTask = sms.SessionId is null ? Task.FromResult<Stored<Session>?>(null) : data.SessionAsync(message.ClinicId, sms.SessionId, ct);
        await Task.WhenAll(clinicTask, patientTask, sessionTask);
        var clinic = (await clinicTask)?.Value;
        var patient = (await patientTask)?.Value;
        var session = (await sessionTask)?.Value;

        if (await WhyNotAsync(clinic, patient, session, sms, now, ct) is { } reason)
        {
            await UpdateAsync(message.ClinicId, row, sms with { Status = SmsStatus.Skipped, Reason = reason, UpdatedAt = now }, ct);
            await delivery.CompleteAsync(ct);
            return "skipped";
        }

        var allowedAt = SmsSchedule.NextAllowed(clinic!, now);
        if (allowedAt > now)
        {
            return await DeferAsync(delivery, row, sms, allowedAt, "quiet hours", session, now, ct);
        }
        var today = now.InZone(clinic!.Zone).Date;
        var used = await Store.QueryRangeAsync<SmsQuota>(message.ClinicId, Keys.SmsQuota(message.PatientId, today.PlusDays(-6)),
            Keys.PrefixEnd(Keys.SmsQuotaPrefix(message.PatientId)), ct);
        var usedDays = used.Select(q => LocalDateOfQuota(q.Key)).ToList();
        var (allowedToday, firstDay) = SmsSchedule.Limits(usedDays, today);
        if (!allowedToday)
        {
            var next = ClinicTime.ResolveLenient(firstDay.At(clinic.Reminders.QuietEnd), clinic.Zone).ToInstant();
            var limit = usedDays.Contains(today) ? "daily limit (1 automated text a day)" : "weekly limit (3 automated texts a week)";
            return await DeferAsync(delivery, row, sms, next, limit, session, now, ct);
        }

        var body = Render(clinic, patient!, session, sms.Kind);
        var claimed = sms with
        {
            Status = SmsStatus.Sending,
            ClaimedAt = now,
            Attempts = sms.Attempts + 1,
            Body = body,
            Segments = SmsSegments.Count(body),
            Reason = null,
            UpdatedAt = now,
        };
        var quotaKey = Keys.SmsQuota(message.PatientId, today);
        try
        {
            await Store.CommitAsync(message.ClinicId, [new Change.Replace(key, claimed, row.ETag), new Change.Insert(quotaKey, new SmsQuota(sms.Id, now))], ct);
        }
        catch (CommitConflictException)
        {
            // Another dispatcher claimed this row, or used the patient's text of the day first: look again later.
            await delivery.RetryAsync(Duration.FromSeconds(5), ct);
            return "raced";
        }
        async Task<Stored<SmsMessage>> ClaimedRowAsync() => (await Store.GetAsync<SmsMessage>(message.ClinicId, key, ct))!;

        var request = new SmsRequest(clinic.SmsFrom, patient!.Phone, body, callbacks.StatusFor(message.ClinicId, message.PatientId, sms.Id));
        var result = await SendWithInRunRetriesAsync(request, ct);
        now = time.Now();
        switch (result)
        {
            case SendResult.Accepted accepted:
                await RecordAcceptedAsync(message.ClinicId, key, accepted, now, ct);
                await delivery.CompleteAsync(ct);
                return "sent";
            case SendResult.Simulated:
                var simulatedRow = await ClaimedRowAsync();
                await UpdateAsync(message.ClinicId, simulatedRow, simulatedRow.Value with { Status = SmsStatus.Simulated, SentAt = now, UpdatedAt = now }, ct);
                Console.WriteLine($"[simulated SMS] clinic {message.ClinicId}, patient {message.PatientId}, {claimed.Segments} segment(s): {body}");
                await delivery.CompleteAsync(ct);
                return "simulated";
            case SendResult.Permanent permanent:
                await ReleaseQuotaAsync(message.ClinicId, quotaKey, ct);
                await OnPermanentAsync(message, await ClaimedRowAsync(), permanent, now, ct);
                await delivery.CompleteAsync(ct);
                return "failed";
            case SendResult.Transient transient:
                await ReleaseQuotaAsync(message.ClinicId, quotaKey, ct);
                var claimedRow = await ClaimedRowAsync();
                if (claimed.Attempts >= MaxAttempts)
                {
                    await FailAsync(message, claimedRow, $"gave up after {claimed.Attempts} attempts (last: {transient.Code})", transient.Code, flag: true, now, ct);
                    await delivery.DeadLetterAsync($"gave up after {claimed.Attempts} attempts", ct);
                    return "dead-lettered";
                }
                var backoff = Backoff(claimed.Attempts);
                await UpdateAsync(message.ClinicId, claimedRow, claimedRow.Value with
                {
                    Status = SmsStatus.Planned,
                    At = now + backoff,
                    Reason = $"retrying after {transient.Code}",
                    ErrorCode = transient.Code,
                    UpdatedAt = now,
                }, ct);
                await delivery.RetryAsync(backoff, ct);
                return "retried";
            default:
                throw new InvalidOperationException(result.ToString());
        }
    }

    /// <summary>Why a text should no longer go, or null when it still should.</summary>
    private async Task<string?> WhyNotAsync(Clinic? clinic, Patient? patient, Session? session, SmsMessage sms, Instant now, CancellationToken ct)
    {
        if (clinic is null || patient is null)
        {
            return "patient-or-clinic-gone";
        }
        if (!patient.Active)
        {
            return "patient-inactive";
        }
        if (!patient.SmsConsent)
        {
            return "no-consent";
        }
        if (patient.SmsOptedOut)
        {
            return "opted-out";
        }
        if (patient.PausedByFlagId is not null)
        {
            return "paused-by-crisis-flag";
        }
        switch (sms.Kind)
        {
            case SmsKinds.DayBefore:
                if (session is null || session.Status == SessionStatus.Cancelled)
                {
                    return "session-cancelled";
                }
                if (session.ScheduleVersion != sms.SessionVersion)
                {
                    return "rescheduled";
                }
                if (session.Status != SessionStatus.Booked)
                {
                    return $"session-{Views.Kebab(session.Status)}";
                }
                if (session.StartUtc - SmsSchedule.MinimumLead < now)
                {
                    return "too-late";
                }
                return null;
            case SmsKinds.Missed:
                if (session is null || session.Status != SessionStatus.Noshow || session.ScheduleVersion != sms.SessionVersion)
                {
                    return "session-changed";
                }
                var upcoming = await data.PatientSessionsAsync(clinic.Id, patient.Id, ct, now.InZone(clinic.Zone).Date);
                return upcoming.Any(s => s.IsUpcoming && s.StartUtc > now) ? "already-rebooked" : null;
            default:
                return "not-an-automated-text";
        }
    }

    /// <summary>Moves a text to a later allowed time, or skips it when that would be too late for its session.</summary>
    private async Task<string> DeferAsync(IOutboxDelivery delivery, Stored<SmsMessage> row, SmsMessage sms, Instant until, string why,
        Session? session, Instant now, CancellationToken ct)
    {
        var message = delivery.Message;
        if (sms.Kind == SmsKinds.DayBefore && session is not null && until > session.StartUtc - SmsSchedule.MinimumLead)
        {
            await UpdateAsync(message.ClinicId, row, sms with { Status = SmsStatus.Skipped, Reason = $"dropped: {why} leaves no time before the session", UpdatedAt = now }, ct);
            await delivery.CompleteAsync(ct);
            return "skipped";
        }
        await UpdateAsync(message.ClinicId, row, sms with { At = until, Reason = $"deferred: {why}", UpdatedAt = now }, ct);
        await delivery.RetryAsync(until - now, ct);
        return "deferred";
    }

    private async Task<SendResult> SendWithInRunRetriesAsync(SmsRequest request, CancellationToken ct)
    {
        SendResult result = new SendResult.Transient("none");
        var (throttled, failed) = (0, 0);
        while (throttled < InRunAttemptsThrottled && failed < InRunAttemptsFailed)
        {
            await limiter.WaitAsync(ct);
            result = await gateway.SendAsync(request, ct);
            switch (result)
            {
                case SendResult.Transient { Code: "429" or "20429" }:
                    throttled++;
                    limiter.Throttled();
                    continue; // never processed by Twilio: safe to try again at the lower rate
                case SendResult.Transient { Code: "timeout" or "connection" }:
                    return result; // Twilio may have taken it: only a later, backed-off attempt
                case SendResult.Transient:
                    failed++;
                    await Task.Delay(TimeSpan.FromMilliseconds(250 * failed), ct);
                    continue;
                default:
                    limiter.Accepted();
                    return result;
            }
        }
        return result;
    }

    private async Task OnPermanentAsync(OutboxMessage message, Stored<SmsMessage> row, SendResult.Permanent permanent, Instant now, CancellationToken ct)
    {
        if (permanent.Code == TwilioErrors.OptedOut)
        {
            await FailAsync(message, row, "recipient opted out at the carrier (21610): marked opted out for this clinic", permanent.Code, flag: false, now, ct);
            await MarkOptedOutAsync(message.ClinicId, message.PatientId, now, ct);
            return;
        }
        var why = permanent.Code switch
        {
            TwilioErrors.InvalidTo => "the phone number is not valid (21211)",
            TwilioErrors.NotMobile => "the phone number is not a mobile number (21614)",
            _ => $"Twilio refused the text ({permanent.Code})",
        };
        await FailAsync(message, row, why, permanent.Code, flag: true, now, ct);
    }

    private async Task FailAsync(OutboxMessage message, Stored<SmsMessage> row, string reason, string? code, bool flag, Instant now, CancellationToken ct)
    {
        await UpdateAsync(message.ClinicId, row, row.Value with { Status = SmsStatus.Failed, Reason = reason, ErrorCode = code, UpdatedAt = now }, ct);
        if (flag)
        {
            await flags.RaiseAsync(message.ClinicId, Flag.For(FlagKinds.SmsUndeliverable, message.MessageId, FlagSeverity.Normal, message.PatientId,
                row.Value.SessionId, now, $"A text to the patient could not be delivered: {reason}. Check the patient's phone number and reach them another way."),
                "system:dispatcher", now, ct);
        }
    }

    /// <summary>21610: the patient blocked this clinic's number; no automated text goes to them until they text START.</summary>
    public async Task MarkOptedOutAsync(string clinicId, string patientId, Instant now, CancellationToken ct)
    {
        for (var attempt = 0; attempt < Concurrency.MaxAttempts; attempt++)
        {
            var patient = await data.PatientAsync(clinicId, patientId, ct);
            if (patient is null || patient.Value.SmsOptedOut)
            {
                return;
            }
            var changed = patient.Value with { SmsOptedOut = true, Version = patient.Value.Version + 1 };
            try
            {
                await new ClinicCommit(clinicId, "system:twilio-21610", now)
                    .Replace(Keys.Patient(patientId), changed, patient.ETag)
                    .Audit("patient.opted-out", "patient", patientId, patient.Value, changed)
                    .CommitAsync(Store, ct);
                return;
            }
            catch (CommitConflictException)
            {
                // changed meanwhile: read again
            }
        }
    }

    private async Task RecordAcceptedAsync(string clinicId, string key, SendResult.Accepted accepted, Instant now, CancellationToken ct)
    {
        for (var attempt = 0; attempt < Concurrency.MaxAttempts; attempt++)
        {
            var row = (await Store.GetAsync<SmsMessage>(clinicId, key, ct))!;
            // A status callback may have arrived first: keep whichever status is further along.
            var status = SmsStatus.Rank(accepted.Status) > SmsStatus.Rank(row.Value.Status) || row.Value.Status == SmsStatus.Sending
                ? accepted.Status
                : row.Value.Status;
            try
            {
                await Store.CommitAsync(clinicId, [new Change.Replace(key, row.Value with { Status = status, TwilioSid = accepted.Sid, SentAt = now, UpdatedAt = now }, row.ETag)], ct);
                return;
            }
            catch (CommitConflictException)
            {
            }
        }
    }

    private Task UpdateAsync(string clinicId, Stored<SmsMessage> row, SmsMessage changed, CancellationToken ct) =>
        Store.CommitAsync(clinicId, [new Change.Replace(row.Key, changed, row.ETag)], ct);

    private async Task ReleaseQuotaAsync(string clinicId, string quotaKey, CancellationToken ct)
    {
        try
        {
            await Store.CommitAsync(clinicId, [new Change.Delete(quotaKey)], ct);
        }
        catch (CommitConflictException)
        {
        }
    }

    public static Duration Backoff(int attempts)
    {
        var seconds = BaseBackoff.TotalSeconds * Math.Pow(2, Math.Max(0, attempts - 1));
        var jitter = 1 + Random.Shared.NextDouble() * 0.2;
        return Duration.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, seconds * jitter));
    }

    private static string Render(Clinic clinic, Patient patient, Session? session, string kind) => kind switch
    {
        SmsKinds.DayBefore => SmsTexts.DayBeforeReminder(clinic, patient.Language, session!.Start),
        SmsKinds.Missed => SmsTexts.MissedSession(clinic, patient.Language),
        _ => throw new InvalidOperationException(kind),
    };

    private static LocalDate LocalDateOfQuota(string key) =>
        ClinicTime.TryParseDate(key[(key.LastIndexOf('|') + 1)..], out var date) ? date : default;
}
