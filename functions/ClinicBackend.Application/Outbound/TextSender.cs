using ClinicBackend.Application.Operations;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Assessments;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Time;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace ClinicBackend.Application.Outbound;

/// <summary>
/// Sends one text that is due and still wanted. It claims the ledger row (with the patient's quota row, in one
/// unit of work, so two dispatchers never both send it), calls Twilio at the paced rate, and always finishes
/// the claim: accepted, unsettled (no answer: looked up before any resend), released (429 past the run's
/// budget, or Twilio refusing our credentials), or failed for good. A run's budget never abandons a claim.
/// </summary>
public sealed class TextSender(
    ClinicData data,
    ISmsGateway gateway,
    SendRateLimiter limiter,
    OptOuts optOuts,
    IStatusCallbacks callbacks,
    AssessmentLinks links,
    TimeProvider time,
    ClinicMetrics metrics,
    ILogger<TextSender> logger)
{
    public const int MaxAttempts = 8;
    public static readonly Duration BaseBackoff = Duration.FromSeconds(30);
    public static readonly Duration MaxBackoff = Duration.FromHours(1);
    /// <summary>A 429 was never processed by Twilio: it is tried again in the same run, at the lower rate.</summary>
    private const int InRunAttemptsThrottled = 10;

    public async Task<DispatchOutcome> SendAsync(IOutboxDelivery delivery, TextLedger ledger, Stored<SmsMessage> row, DispatchFacts facts, PatientQuota quota, DispatchRun run, CancellationToken ct)
    {
        var (clinic, sms, now) = (facts.Clinic!, facts.Text, facts.Now);
        var recipient = facts.Recipient!;
        if (run.Unauthorized || run.TwilioFailing)
        {
            var reason = run.Unauthorized ? "held: Twilio refused the credentials (401)" : "held: Twilio is failing; sent when it answers again";
            if (run.Unauthorized)
            {
                run.HoldForCredentials();
            }
            await ledger.WakeLaterAsync(delivery, row, sms with { Reason = reason, UpdatedAt = now }, now + Duration.FromMinutes(1), now, ct);
            return DispatchOutcome.Held;
        }
        var link = await LinkAsync(facts, ct);
        if (sms.Kind == SmsKinds.Assessment && link is null)
        {
            await ledger.UpdateAsync(row, sms with { Status = SmsStatus.Skipped, Reason = "assessment-answered", UpdatedAt = now }, ct);
            await delivery.CompleteAsync(ct);
            return DispatchOutcome.Skipped;
        }
        var body = Render(facts, link);
        var counted = SmsKinds.CountsAgainstLimits(sms.Kind);
        var today = now.InZone(facts.Patient?.ZoneOr(clinic.Zone) ?? clinic.Zone).Date;
        var claimed = sms with
        {
            Status = SmsStatus.Sending,
            ClaimedAt = now,
            Attempts = sms.Attempts + 1,
            From = clinic.SmsFrom,
            To = recipient,
            Body = AssessmentCode.Masked(body), // a link's code is never stored
            Segments = SmsSegments.Count(body),
            QuotaDate = counted ? today : null,
            Reason = null,
            UpdatedAt = now,
        };
        Stored<SmsMessage> claimedRow;
        try
        {
            claimedRow = await ledger.ClaimAsync(row, claimed, quota, counted ? quota.Days.Use(sms.Id, now, today) : null, ct);
        }
        catch (CommitConflictException conflict) when (ledger.IsQuotaConflict(conflict))
        {
            // Another text of the patient claimed or gave back a day meanwhile: this one is decided again on the new row.
            await ledger.WakeLaterAsync(delivery, row, sms with { Reason = "the patient's automated texts changed meanwhile: deciding again", UpdatedAt = now }, now, now, ct);
            return DispatchOutcome.Deferred;
        }
        catch (CommitConflictException)
        {
            // Another dispatcher claimed it: that one finishes it, and the reconciler wakes it again if need be.
            await delivery.CompleteAsync(ct);
            return DispatchOutcome.Raced;
        }

        var result = await SendWithInRunRetriesAsync(new SmsRequest(clinic.SmsFrom, recipient, body, callbacks.For(ledger.Text)), run, ct);
        if (result is SendResult.Unsettled or SendResult.Throttled)
        {
            run.TwilioFailed();
        }
        else
        {
            run.TwilioAnswered();
        }
        now = time.Now();
        if (result is SendResult.Accepted accepted)
        {
            await RecordAcceptedAsync(ledger, accepted, now, ct, claimedRow);
            metrics.TextSent(sms.Kind, now - sms.At);
            await delivery.CompleteAsync(ct);
            return DispatchOutcome.Sent;
        }
        var current = (await ledger.ReadAsync(ct))!;
        switch (result)
        {
            case SendResult.Simulated:
                await ledger.UpdateAsync(current, current.Value with { Status = SmsStatus.Simulated, SentAt = now, UpdatedAt = now }, ct);
                logger.LogInformation("Simulated text {MessageId} of clinic {ClinicId}: {Segments} segment(s), not sent (no Twilio credentials).", sms.Id, clinic.Id, claimed.Segments);
                await delivery.CompleteAsync(ct);
                return DispatchOutcome.Simulated;
            case SendResult.Permanent permanent:
                await ledger.ReleaseQuotaAsync(counted, ct);
                await OnPermanentAsync(ledger, current, permanent, now, ct);
                await delivery.CompleteAsync(ct);
                return DispatchOutcome.Failed;
            case SendResult.Unauthorized:
                // Nothing is this text's fault: it stays planned as it was, and the run stops.
                run.HoldForCredentials();
                await ledger.ReleaseQuotaAsync(counted, ct);
                var retryAt = now + Duration.FromMinutes(1);
                await ledger.WakeLaterAsync(delivery, current, sms with { WakeAt = retryAt, Reason = "held: Twilio refused the credentials (401)", UpdatedAt = now }, retryAt, now, ct);
                return DispatchOutcome.Held;
            case SendResult.Throttled:
                // Still throttled when the run's budget ran out: never processed by Twilio, so simply planned again.
                await ledger.ReleaseQuotaAsync(counted, ct);
                var soon = now + Duration.FromSeconds(30);
                await ledger.WakeLaterAsync(delivery, current, sms with { At = soon, Attempts = claimed.Attempts, Reason = "throttled by Twilio (429): trying again", ErrorCode = "429", UpdatedAt = now }, soon, now, ct);
                return DispatchOutcome.Retried;
            case SendResult.Unsettled unsettled:
                metrics.TextUnsettled(sms.Kind);
                if (claimed.Attempts >= MaxAttempts)
                {
                    await FailAsync(ledger, current, $"gave up after {claimed.Attempts} attempts without an answer from Twilio (last: {unsettled.Code})", unsettled.Code, flag: true, now, ct);
                    await delivery.DeadLetterAsync($"gave up after {claimed.Attempts} attempts", ct);
                    return DispatchOutcome.DeadLettered;
                }
                var checkAt = now + Backoff(claimed.Attempts);
                await ledger.WakeLaterAsync(delivery, current, current.Value with
                {
                    Status = SmsStatus.Unsettled,
                    At = checkAt,
                    Reason = $"unsettled after {unsettled.Code}: looked up in Twilio before any resend",
                    ErrorCode = unsettled.Code,
                    UpdatedAt = now,
                }, checkAt, now, ct);
                return DispatchOutcome.Retried;
            default:
                throw new InvalidOperationException(result.ToString());
        }
    }

    /// <summary>Marks the text failed, with a flag for staff unless the failure needs none.</summary>
    public async Task FailAsync(TextLedger ledger, Stored<SmsMessage> row, string reason, string? code, bool flag, Instant now, CancellationToken ct)
    {
        await ledger.UpdateAsync(row, row.Value with { Status = SmsStatus.Failed, Reason = reason, ErrorCode = code, UpdatedAt = now }, ct);
        metrics.TextFailed(row.Value.Kind, code);
        if (flag)
        {
            await FlagWrites.RaiseAloneAsync(data, ledger.Text.ClinicId, Flag.For(FlagKinds.SmsUndeliverable, ledger.Text.MessageId, FlagSeverity.Normal,
                ledger.Text.PatientId, row.Value.SessionId, now,
                $"A text to the patient could not be delivered: {reason}. Check the patient's phone number and reach them another way."),
                Actors.Dispatcher, now, ct);
        }
    }

    /// <summary>
    /// A status callback may have arrived first: keep whichever status is further along. Given the row as this
    /// run's claim wrote it, the first attempt replaces that without a read; a callback since makes it read afresh.
    /// When the status is final, the same commit deletes the text's pending-text index row, so the reconciler's next run
    /// does not read it again.
    /// </summary>
    public Task RecordAcceptedAsync(TextLedger ledger, SendResult.Accepted accepted, Instant sentAt, CancellationToken ct, Stored<SmsMessage>? claimed = null)
    {
        var known = claimed;
        var pendingGone = false;
        return Concurrency.RetryAsync(async () =>
        {
            var row = known ?? (await ledger.ReadAsync(ct))!;
            known = null;
            var status = SmsStatus.Rank(accepted.Status) > SmsStatus.Rank(row.Value.Status) || row.Value.Status is SmsStatus.Sending or SmsStatus.Unsettled
                ? accepted.Status
                : row.Value.Status;
            // Only a final status leaves the pending index: a text Twilio lists as still sending stays in the reconciler's view.
            var final = SmsStatus.IsFinal(status);
            var recorded = row.Value with { Status = status, TwilioSid = accepted.Sid, SentAt = sentAt, Reason = null, UpdatedAt = time.Now(), PendingAt = final ? null : row.Value.PendingAt };
            var pending = final && row.Value.PendingAt is { } due && !pendingGone ? Keys.PendingText(due, row.Value.PatientId, row.Value.Id) : null;
            try
            {
                await ledger.RecordAsync(row, recorded, pending, ct);
            }
            catch (CommitConflictException conflict) when (conflict.Key == pending)
            {
                pendingGone = true; // the reconciler removed it already: record without it
                throw;
            }
            return true;
        }, () =>
        {
            // The row keeps its claim: the reconciler wakes it, and the lookup in Twilio records the send then.
            logger.LogWarning("Recording the send of text {MessageId} of clinic {ClinicId} lost {Attempts} races; it is settled by lookup later.",
                ledger.Text.MessageId, ledger.Text.ClinicId, Concurrency.MaxAttempts);
            return false;
        });
    }

    private Task<SendResult> SendWithInRunRetriesAsync(SmsRequest request, DispatchRun run, CancellationToken ct) =>
        SendPacedAsync(gateway, limiter, request, () => run.PastBudget || run.Unauthorized, ct);

    /// <summary>
    /// One send at the paced rate; a 429 (never processed by Twilio) is sent again at the next slot, up to
    /// <see cref="InRunAttemptsThrottled"/> times or until <paramref name="stopRetrying"/> says so.
    /// </summary>
    public static async Task<SendResult> SendPacedAsync(ISmsGateway gateway, SendRateLimiter limiter, SmsRequest request, Func<bool> stopRetrying, CancellationToken ct)
    {
        for (var throttled = 0; ; throttled++)
        {
            await limiter.WaitAsync(ct);
            var result = await gateway.SendAsync(request, ct);
            if (result is not SendResult.Throttled)
            {
                if (result is SendResult.Accepted)
                {
                    limiter.Accepted();
                }
                return result;
            }
            limiter.Throttled();
            if (throttled + 1 >= InRunAttemptsThrottled || stopRetrying())
            {
                return result;
            }
        }
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

    /// <summary>Times in texts are the clinic's; a patient who lives in another zone is told which.</summary>
    public static string? ZoneNote(DispatchFacts facts) =>
        facts.Patient?.TimeZone is { } own && own != facts.Clinic!.TimeZone ? SmsTexts.ZoneNote(facts.Clinic.TimeZone) : null;

    public static Duration Backoff(int attempts)
    {
        var seconds = BaseBackoff.TotalSeconds * Math.Pow(2, Math.Max(0, attempts - 1));
        var jitter = 1 + Random.Shared.NextDouble() * 0.2;
        return Duration.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, seconds * jitter));
    }

    /// <summary>The URL of a fresh code when the text carries the visit's PHQ-9 link: a link of its own, or a reminder that fits it.</summary>
    private async Task<string?> LinkAsync(DispatchFacts facts, CancellationToken ct) =>
        facts.Link is { Due: true } link && (facts.Text.Kind == SmsKinds.Assessment || facts.Text.Kind == SmsKinds.DayBefore && link.ReminderCarries)
            ? await links.IssueAsync(facts.Clinic!.Id, facts.Session!, facts.Text, facts.Now, ct)
            : null;

    private static string Render(DispatchFacts facts, string? link) => facts.Text.Kind switch
    {
        SmsKinds.DayBefore => SmsTexts.DayBeforeReminderWithLink(facts.Clinic!, facts.Patient!.Language, facts.Session!.Start, ZoneNote(facts), link).Text,
        SmsKinds.Assessment => SmsTexts.AssessmentLink(facts.Clinic!, facts.Patient!.Language, link!),
        SmsKinds.Offer => SmsTexts.WaitlistOffer(facts.Clinic!, facts.Patient!.Language, facts.Offer!.Starts[0], facts.Offer.WholeMinutesLeftAt(facts.Now), ZoneNote(facts)),
        SmsKinds.Missed => SmsTexts.MissedSession(facts.Clinic!, facts.Patient!.Language),
        SmsKinds.Page => SmsTexts.Page(facts.Clinic!, facts.Flag!.Escalation.Code!),
        _ => throw new InvalidOperationException(facts.Text.Kind),
    };
}
