using System.Collections.Concurrent;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Time;
using NodaTime;

namespace ClinicBackend.Application.Outbound;

/// <summary>What one dispatch run shares between its messages: each clinic's settings are read once.</summary>
public sealed class DispatchRun
{
    private readonly ConcurrentDictionary<string, Task<Stored<Clinic>?>> _clinics = new();

    public Task<Stored<Clinic>?> ClinicAsync(ClinicData data, string clinicId) =>
        _clinics.GetOrAdd(clinicId, id => data.ClinicAsync(id, CancellationToken.None));
}

/// <summary>
/// One due outbox message: the ledger row decides. The row, the patient, the session and the patient's
/// quota are read again, <see cref="DispatchRules"/> says whether the text still goes and when, and a text
/// that goes is handed to the <see cref="TextSender"/>.
/// </summary>
public sealed class DueTextHandler(ClinicData data, TextSender sender, TimeProvider time)
{
    /// <summary>A claim older than this whose send never finished was interrupted (the process died mid-send).</summary>
    public static readonly Duration StaleClaim = Duration.FromMinutes(10);

    public async Task<DispatchOutcome> HandleAsync(IOutboxDelivery delivery, DispatchRun run, CancellationToken ct)
    {
        var message = delivery.Message;
        var ledger = new TextLedger(data, new TextRef(message.ClinicId, message.PatientId, message.MessageId));
        var row = await ledger.ReadAsync(ct);
        var now = time.Now();
        if (row is null || row.Value.Direction != "outbound")
        {
            await delivery.CompleteAsync(ct); // its planning never finished: nothing to send
            return DispatchOutcome.Missing;
        }
        var sms = row.Value;
        if (sms.Status == SmsStatus.Sending)
        {
            if (sms.ClaimedAt is { } claimedAt && now - claimedAt > StaleClaim)
            {
                await sender.FailAsync(ledger, row, "interrupted-send: the dispatcher stopped during the call to Twilio; the text may or may not have gone", null, flag: true, now, ct);
                await delivery.CompleteAsync(ct);
                return DispatchOutcome.Failed;
            }
            await delivery.RetryAsync(StaleClaim, ct);
            return DispatchOutcome.Deferred;
        }
        if (sms.Status != SmsStatus.Planned)
        {
            await delivery.CompleteAsync(ct); // already sent, skipped or failed: a duplicate delivery
            return DispatchOutcome.Duplicate;
        }
        if (sms.At > now)
        {
            await delivery.RetryAsync(sms.At - now, ct);
            return DispatchOutcome.Deferred;
        }

        var facts = await LoadFactsAsync(message, sms, run, now, ct);
        switch (DispatchRules.Decide(facts))
        {
            case DispatchDecision.Skip skip:
                await ledger.UpdateAsync(row, sms with { Status = SmsStatus.Skipped, Reason = skip.Reason, UpdatedAt = now }, ct);
                await delivery.CompleteAsync(ct);
                return DispatchOutcome.Skipped;
            case DispatchDecision.Defer defer:
                await ledger.UpdateAsync(row, sms with { At = defer.Until, Reason = defer.Why, UpdatedAt = now }, ct);
                await delivery.RetryAsync(defer.Until - now, ct);
                return DispatchOutcome.Deferred;
            default:
                return await sender.SendAsync(delivery, ledger, row, facts, ct);
        }
    }

    private async Task<DispatchFacts> LoadFactsAsync(OutboxMessage message, SmsMessage sms, DispatchRun run, Instant now, CancellationToken ct)
    {
        var clinicTask = run.ClinicAsync(data, message.ClinicId);
        var patientTask = data.PatientAsync(message.ClinicId, message.PatientId, ct);
        var sessionTask = sms.SessionId is null ? Task.FromResult<Stored<Session>?>(null) : data.SessionAsync(message.ClinicId, sms.SessionId, ct);
        await Task.WhenAll(clinicTask, patientTask, sessionTask);
        var clinic = (await clinicTask)?.Value;
        var quotaDays = clinic is null ? [] : await QuotaDaysAsync(clinic, message.PatientId, now, ct);
        var rebooked = clinic is not null && sms.Kind == SmsKinds.Missed
            && (await data.PatientSessionsAsync(clinic.Id, message.PatientId, ct, now.InZone(clinic.Zone).Date)).Any(s => s.IsUpcoming && s.StartUtc > now);
        return new DispatchFacts(clinic, (await patientTask)?.Value, (await sessionTask)?.Value, sms, now, quotaDays, rebooked);
    }

    /// <summary>The clinic-local days of the last week on which the patient already had an automated text.</summary>
    private async Task<IReadOnlyCollection<LocalDate>> QuotaDaysAsync(Clinic clinic, string patientId, Instant now, CancellationToken ct)
    {
        var today = now.InZone(clinic.Zone).Date;
        var used = await data.Store.QueryRangeAsync<SmsQuota>(clinic.Id, Keys.SmsQuota(patientId, today.PlusDays(-6)),
            Keys.PrefixEnd(Keys.SmsQuotaPrefix(patientId)), ct);
        return used.Select(q => q.Value.Date).ToList();
    }
}
