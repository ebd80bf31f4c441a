using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Time;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace ClinicBackend.Application.Outbound;

/// <summary>
/// Sends one text that is due and still wanted: claims its ledger row (with the patient's quota row, in one
/// unit of work, so two dispatchers never both send it), calls Twilio at the paced rate, and records what
/// happened: accepted, retried later with backoff, or failed for good.
/// </summary>
public sealed class TextSender(
    ClinicData data,
    ISmsGateway gateway,
    SendRateLimiter limiter,
    OptOuts optOuts,
    IStatusCallbacks callbacks,
    TimeProvider time,
    ILogger<TextSender> logger)
{
    public const int MaxAttempts = 8;
    public static readonly Duration BaseBackoff = Duration.FromSeconds(30);
    public static readonly Duration MaxBackoff = Duration.FromHours(1);
    /// <summary>Tries within one run: a 429 was never processed, so it is tried more often than a server error.</summary>
    private const int InRunAttemptsThrottled = 10;
    private const int InRunAttemptsFailed = 3;

    public async Task<DispatchOutcome> SendAsync(IOutboxDelivery delivery, TextLedger ledger, Stored<SmsMessage> row, DispatchFacts facts, CancellationToken ct)
    {
        var (clinic, patient, sms, now) = (facts.Clinic!, facts.Patient!, facts.Text, facts.Now);
        var body = Render(clinic, patient, facts.Session, sms.Kind);
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
        var today = now.InZone(clinic.Zone).Date;
        var quotaKey = Keys.SmsQuota(patient.Id, today);
        try
        {
            await data.Store.CommitAsync(clinic.Id, [new Change.Replace(ledger.Key, claimed, row.ETag), new Change.Insert(quotaKey, new SmsQuota(sms.Id, now, today))], ct);
        }
        catch (CommitConflictException)
        {
            await delivery.RetryAsync(Duration.FromSeconds(5), ct);
            return DispatchOutcome.Raced;
        }

        var result = await SendWithInRunRetriesAsync(new SmsRequest(clinic.SmsFrom, patient.Phone, body, callbacks.For(ledger.Text)), ct);
        now = time.Now();
        switch (result)
        {
            case SendResult.Accepted accepted:
                await RecordAcceptedAsync(ledger, accepted, now, ct);
                await delivery.CompleteAsync(ct);
                return DispatchOutcome.Sent;
            case SendResult.Simulated:
                var simulated = (await ledger.ReadAsync(ct))!;
                await ledger.UpdateAsync(simulated, simulated.Value with { Status = SmsStatus.Simulated, SentAt = now, UpdatedAt = now }, ct);
                logger.LogInformation("Simulated text {MessageId} of clinic {ClinicId}: {Segments} segment(s), not sent (no Twilio credentials).",
                    sms.Id, clinic.Id, claimed.Segments);
                await delivery.CompleteAsync(ct);
                return DispatchOutcome.Simulated;
            case SendResult.Permanent permanent:
                await ReleaseQuotaAsync(clinic.Id, quotaKey, ct);
                await OnPermanentAsync(ledger, (await ledger.ReadAsync(ct))!, permanent, now, ct);
                await delivery.CompleteAsync(ct);
                return DispatchOutcome.Failed;
            case SendResult.Transient transient:
                await ReleaseQuotaAsync(clinic.Id, quotaKey, ct);
                var claimedRow = (await ledger.ReadAsync(ct))!;
                if (claimed.Attempts >= MaxAttempts)
                {
                    await FailAsync(ledger, claimedRow, $"gave up after {claimed.Attempts} attempts (last: {transient.Code})", transient.Code, flag: true, now, ct);
                    await delivery.DeadLetterAsync($"gave up after {claimed.Attempts} attempts", ct);
                    return DispatchOutcome.DeadLettered;
                }
                var backoff = Backoff(claimed.Attempts);
                await ledger.UpdateAsync(claimedRow, claimedRow.Value with
                {
                    Status = SmsStatus.Planned,
                    At = now + backoff,
                    Reason = $"retrying after {transient.Code}",
                    ErrorCode = transient.Code,
                    UpdatedAt = now,
                }, ct);
                await delivery.RetryAsync(backoff, ct);
                return DispatchOutcome.Retried;
            default:
                throw new InvalidOperationException(result.ToString());
        }
    }

    /// <summary>Marks the text failed, with a flag for staff unless the failure needs none.</summary>
    public async Task FailAsync(TextLedger ledger, Stored<SmsMessage> row, string reason, string? code, bool flag, Instant now, CancellationToken ct)
    {
        await ledger.UpdateAsync(row, row.Value with { Status = SmsStatus.Failed, Reason = reason, ErrorCode = code, UpdatedAt = now }, ct);
        if (flag)
        {
            await FlagWrites.RaiseAloneAsync(data, ledger.Text.ClinicId, Flag.For(FlagKinds.SmsUndeliverable, ledger.Text.MessageId, FlagSeverity.Normal,
                ledger.Text.PatientId, row.Value.SessionId, now,
                $"A text to the patient could not be delivered: {reason}. Check the patient's phone number and reach them another way."),
                Actors.Dispatcher, now, ct);
        }
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

    private async Task OnPermanentAsync(TextLedger ledger, Stored<SmsMessage> row, SendResult.Permanent permanent, Instant now, CancellationToken ct)
    {
        if (permanent.Code == TwilioErrors.OptedOut)
        {
            await FailAsync(ledger, row, "recipient opted out at the carrier (21610): marked opted out for this clinic", permanent.Code, flag: false, now, ct);
            await optOuts.MarkOptedOutAsync(ledger.Text.ClinicId, ledger.Text.PatientId, now, ct);
            return;
        }
        var why = permanent.Code switch
        {
            TwilioErrors.InvalidTo => "the phone number is not valid (21211)",
            TwilioErrors.NotMobile => "the phone number is not a mobile number (21614)",
            _ => $"Twilio refused the text ({permanent.Code})",
        };
        await FailAsync(ledger, row, why, permanent.Code, flag: true, now, ct);
    }

    /// <summary>A status callback may have arrived first: keep whichever status is further along.</summary>
    private Task RecordAcceptedAsync(TextLedger ledger, SendResult.Accepted accepted, Instant now, CancellationToken ct) =>
        Concurrency.RetryAsync(async () =>
        {
            var row = (await ledger.ReadAsync(ct))!;
            var status = SmsStatus.Rank(accepted.Status) > SmsStatus.Rank(row.Value.Status) || row.Value.Status == SmsStatus.Sending
                ? accepted.Status
                : row.Value.Status;
            await ledger.UpdateAsync(row, row.Value with { Status = status, TwilioSid = accepted.Sid, SentAt = now, UpdatedAt = now }, ct);
            return true;
        }, () => false);

    private async Task ReleaseQuotaAsync(string clinicId, string quotaKey, CancellationToken ct)
    {
        try
        {
            await data.Store.CommitAsync(clinicId, [new Change.Delete(quotaKey)], ct);
        }
        catch (CommitConflictException)
        {
            // already released
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
}
