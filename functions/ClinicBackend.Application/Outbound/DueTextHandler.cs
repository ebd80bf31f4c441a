using System.Collections.Concurrent;
using System.Diagnostics;
using ClinicBackend.Application.Operations;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Time;
using NodaTime;

namespace ClinicBackend.Application.Outbound;

/// <summary>What one dispatch run shares between its messages.</summary>
public sealed class DispatchRun(TimeSpan budget)
{
    private readonly ConcurrentDictionary<string, Task<Stored<Clinic>?>> _clinics = new();
    /// <summary>After this many Twilio failures in a row (no answer, 5xx, 429 to the end), the run stops sending.</summary>
    public const int FailuresBeforePause = 3;
    private readonly long _started = Stopwatch.GetTimestamp();
    private int _unauthorized;
    private int _failuresInARow;

    /// <summary>Each clinic's settings, read once per run.</summary>
    public Task<Stored<Clinic>?> ClinicAsync(ClinicData data, string clinicId) =>
        _clinics.GetOrAdd(clinicId, id => data.ClinicAsync(id, CancellationToken.None));

    /// <summary>The run stops taking new work after its budget; a send it started is still finished.</summary>
    public bool PastBudget => Stopwatch.GetElapsedTime(_started) > budget;

    /// <summary>Twilio refused the credentials: the run stops, everything stays planned.</summary>
    public bool Unauthorized => Volatile.Read(ref _unauthorized) > 0;

    public int TextsHeldForCredentials => Volatile.Read(ref _unauthorized);

    public void HoldForCredentials() => Interlocked.Increment(ref _unauthorized);

    /// <summary>
    /// Twilio keeps failing: the rest of the run's texts wait (no attempt used) and the next run tries again, so
    /// an outage neither burns every text's attempts nor sends the newest texts before the oldest.
    /// </summary>
    public bool TwilioFailing => Volatile.Read(ref _failuresInARow) >= FailuresBeforePause;

    public void TwilioFailed() => Interlocked.Increment(ref _failuresInARow);

    public void TwilioAnswered() => Interlocked.Exchange(ref _failuresInARow, 0);
}

/// <summary>
/// One outbox message: the ledger row decides. A planned text is read again with its patient, session and
/// quota, <see cref="DispatchRules"/> says whether it still goes and when, and one that goes is handed to the
/// <see cref="TextSender"/>. A text whose send ended without an answer is looked up in Twilio before anything
/// is sent again.
/// </summary>
public sealed class DueTextHandler(ClinicData data, TextSender sender, ISmsGateway gateway, AssessmentLinks links, TimeProvider time, ClinicMetrics metrics)
{
    /// <summary>A claim older than this whose send never finished was interrupted (the process died mid-send).</summary>
    public static readonly Duration StaleClaim = Duration.FromMinutes(5);
    /// <summary>How far before its claim a text is looked for in Twilio's list (clock skew between us and Twilio).</summary>
    public static readonly Duration LookupSlack = Duration.FromMinutes(2);

    public async Task<DispatchOutcome> HandleAsync(IOutboxDelivery delivery, DispatchRun run, CancellationToken ct)
    {
        var ledger = new TextLedger(data, delivery.Message.Text);
        var row = await ledger.ReadAsync(ct);
        var now = time.Now();
        if (row is null || row.Value.Direction != "outbound")
        {
            await delivery.CompleteAsync(ct); // nothing to send
            return DispatchOutcome.Missing;
        }
        var sms = row.Value;
        if (SmsStatus.IsFinal(sms.Status))
        {
            await delivery.CompleteAsync(ct); // already sent, skipped or failed: a duplicate wake-up
            return DispatchOutcome.Duplicate;
        }
        if (sms.Status == SmsStatus.Sending && !(sms.ClaimedAt is { } claimed && now - claimed > StaleClaim))
        {
            await delivery.CompleteAsync(ct); // its claimant finishes it; if that dies, the reconciler wakes it again
            return DispatchOutcome.Duplicate;
        }
        if (sms.Status == SmsStatus.Unsettled && sms.At > now)
        {
            await ledger.WakeLaterAsync(delivery, row, sms, sms.At, now, ct);
            return DispatchOutcome.Deferred;
        }
        if (sms.Status is SmsStatus.Sending or SmsStatus.Unsettled)
        {
            var settled = await SettleAsync(delivery, ledger, row, run, now, ct);
            if (settled is not null)
            {
                return settled.Value;
            }
            row = (await ledger.ReadAsync(ct))!; // not found in Twilio: planned again, decided afresh below
            sms = row.Value;
        }
        if (sms.At > now)
        {
            await ledger.WakeLaterAsync(delivery, row, sms, sms.At, now, ct);
            return DispatchOutcome.Deferred;
        }

        var (facts, quota) = await LoadFactsAsync(delivery.Message, sms, run, now, ct);
        switch (DispatchRules.Decide(facts))
        {
            case DispatchDecision.Skip skip:
                await ledger.UpdateAsync(row, sms with { Status = SmsStatus.Skipped, Reason = skip.Reason, UpdatedAt = now }, ct);
                await delivery.CompleteAsync(ct);
                return DispatchOutcome.Skipped;
            case DispatchDecision.Defer defer:
                await ledger.WakeLaterAsync(delivery, row, sms with { At = defer.Until, Reason = defer.Why, UpdatedAt = now }, defer.Until, now, ct);
                return DispatchOutcome.Deferred;
            default:
                return await sender.SendAsync(delivery, ledger, row, facts, quota, run, ct);
        }
    }

    /// <summary>
    /// A send that may have reached Twilio: if Twilio's list has it, it is recorded as sent (never sent twice);
    /// if not, the row is planned again (null: go on deciding); if Twilio cannot be asked, look again later.
    /// </summary>
    private async Task<DispatchOutcome?> SettleAsync(IOutboxDelivery delivery, TextLedger ledger, Stored<SmsMessage> row, DispatchRun run, Instant now, CancellationToken ct)
    {
        var sms = row.Value;
        var lookup = sms.From is null || sms.To is null || sms.Body is null || sms.ClaimedAt is null
            ? new LookupResult.NotFound()
            : await gateway.FindAsync(new SentTextQuery(sms.From, sms.To, sms.Body, sms.ClaimedAt.Value - LookupSlack), ct);
        if (lookup is LookupResult.Unknown)
        {
            run.TwilioFailed();
        }
        switch (lookup)
        {
            case LookupResult.Found found:
                await sender.RecordAcceptedAsync(ledger, new SendResult.Accepted(found.Sid, found.Status), sms.ClaimedAt ?? now, ct);
                metrics.TextSent(sms.Kind, lag: null); // its due time gave way to the lookup's
                await delivery.CompleteAsync(ct);
                return DispatchOutcome.Sent;
            case LookupResult.Unknown unknown:
                var later = now + Duration.FromMinutes(1);
                await ledger.WakeLaterAsync(delivery, row, sms with { At = later, Reason = $"unsettled: Twilio could not be asked ({unknown.Why}); asking again", UpdatedAt = now }, later, now, ct);
                return DispatchOutcome.Deferred;
            default:
                await ledger.UpdateReleasingQuotaAsync(row, sms with
                {
                    Status = SmsStatus.Planned,
                    At = now,
                    Reason = $"not found in Twilio after {sms.ErrorCode ?? "an interrupted send"}: sending again",
                    QuotaDate = null,
                    UpdatedAt = now,
                }, sms.QuotaDate is not null, ct);
                return null;
        }
    }

    /// <summary>What decides the text, and the patient's automated texts that a send claims.</summary>
    private async Task<(DispatchFacts Facts, PatientQuota Quota)> LoadFactsAsync(OutboxMessage message, SmsMessage sms, DispatchRun run, Instant now, CancellationToken ct)
    {
        var clinicTask = run.ClinicAsync(data, message.ClinicId);
        var patientTask = sms.Kind == SmsKinds.Page ? Task.FromResult<Stored<Domain.Patients.Patient>?>(null) : data.PatientAsync(message.ClinicId, message.PatientId, ct);
        var sessionTask = sms.SessionId is null ? Task.FromResult<Stored<Session>?>(null) : data.SessionAsync(message.ClinicId, sms.SessionId, ct);
        var quotaTask = sms.Kind == SmsKinds.Page ? Task.FromResult<PatientQuota>(new(null, SmsQuota.None)) : new TextLedger(data, message.Text).QuotaAsync(now, ct);
        await Task.WhenAll(clinicTask, patientTask, sessionTask, quotaTask);
        var clinic = (await clinicTask)?.Value;
        if (sms.Kind == SmsKinds.Page)
        {
            var flag = sms.FlagId is null ? null : await data.FlagAsync(message.ClinicId, sms.FlagId, ct);
            var optedOut = sms.To is not null && await data.ContactOptedOutAsync(message.ClinicId, sms.To, ct);
            return (new DispatchFacts(clinic, null, null, sms, now, [], false, flag?.Value, optedOut), new(null, SmsQuota.None));
        }
        var patient = (await patientTask)?.Value;
        var quota = await quotaTask;
        var quotaDays = clinic is null || patient is null ? [] : quota.Days.DaysUsedSince(now.InZone(patient.ZoneOr(clinic.Zone)).Date.PlusDays(-6), besides: sms.Id);
        var rebooked = clinic is not null && sms.Kind == SmsKinds.Missed
            && (await data.PatientSessionsAsync(clinic.Id, message.PatientId, ct, now.InZone(clinic.Zone).Date)).Any(s => s.IsUpcoming && s.StartUtc > now);
        var offer = sms.OfferId is null ? null : (await data.OfferAsync(message.ClinicId, sms.OfferId, ct))?.Value;
        var chairFree = clinic is null || offer is not { Kind: Domain.Offers.OfferKind.Waitlist } || await IsFreeAsync(clinic, offer.Starts[0], ct);
        var facts = new DispatchFacts(clinic, patient, (await sessionTask)?.Value, sms, now, quotaDays, rebooked, Offer: offer, OfferChairFree: chairFree);
        var link = clinic is null ? null : await links.FactsAsync(clinic, patient, facts.Session, sms, now, TextSender.ZoneNote(facts), ct);
        return (facts with { Link = link }, quota);
    }

    private async Task<bool> IsFreeAsync(Clinic clinic, LocalDateTime start, CancellationToken ct)
    {
        var placed = BookingRules.Place(clinic, start, "start");
        return placed.IsSuccess && await data.HasFreeChairAsync(clinic, placed.Value.Start, placed.Value.End, ct);
    }
}
