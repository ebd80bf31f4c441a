using System.Text.RegularExpressions;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Time;
using NodaTime;

namespace ClinicBackend.Application.Messaging;

/// <summary>Twilio's delivery status callbacks: recorded monotonically, idempotently, in whatever order they come.</summary>
public sealed partial class DeliveryStatusService(IDocumentStore store, SmsDispatcher dispatcher, FlagRaiser flags, TimeProvider time)
{
    [GeneratedRegex("^[a-z0-9-]{3,80}$")]
    private static partial Regex MessageIdPattern();

    [GeneratedRegex("^[A-Za-z0-9]{34}$")]
    private static partial Regex SidPattern();

    /// <summary>Applies one callback; returns what happened (for tests and logs), never throws on odd input.</summary>
    public async Task<string> RecordAsync(string? reference, IReadOnlyDictionary<string, string> form, CancellationToken ct)
    {
        var parts = reference?.Split('.') ?? [];
        if (parts.Length != 3 || !Ids.IsClinicId(parts[0]) || !Ids.IsGeneratedId(parts[1]) || !MessageIdPattern().IsMatch(parts[2]))
        {
            return "unknown-reference";
        }
        var (clinicId, patientId, messageId) = (parts[0], parts[1], parts[2]);
        var sid = form.GetValueOrDefault("MessageSid") ?? form.GetValueOrDefault("SmsSid");
        var status = form.GetValueOrDefault("MessageStatus")?.ToLowerInvariant() ?? form.GetValueOrDefault("SmsStatus")?.ToLowerInvariant();
        var errorCode = form.GetValueOrDefault("ErrorCode");
        if (sid is null || !SidPattern().IsMatch(sid) || status is null || !SmsStatus.IsKnownTwilioStatus(status))
        {
            return "ignored";
        }
        var key = Keys.Message(patientId, messageId);
        for (var attempt = 0; attempt < Application.Concurrency.MaxAttempts; attempt++)
        {
            var row = await store.GetAsync<SmsMessage>(clinicId, key, ct);
            if (row is null || row.Value.Direction != "outbound")
            {
                return "unknown-message";
            }
            var sms = row.Value;
            if (sms.TwilioSid is not null && sms.TwilioSid != sid)
            {
                return "other-sid";
            }
            var forward = SmsStatus.Rank(status) > SmsStatus.Rank(sms.Status) || sms.Status == SmsStatus.Sending;
            if (!forward)
            {
                return "unchanged";
            }
            var now = time.Now();
            var changed = sms with
            {
                Status = status,
                TwilioSid = sid,
                ErrorCode = string.IsNullOrEmpty(errorCode) ? sms.ErrorCode : errorCode,
                UpdatedAt = now,
            };
            try
            {
                await store.CommitAsync(clinicId, [new Change.Replace(key, changed, row.ETag)], ct);
            }
            catch (CommitConflictException)
            {
                continue;
            }
            if (status is SmsStatus.Undelivered or SmsStatus.TwilioFailed)
            {
                await OnUndeliveredAsync(clinicId, patientId, changed, errorCode, now, ct);
            }
            return status;
        }
        return "busy";
    }

    private async Task OnUndeliveredAsync(string clinicId, string patientId, SmsMessage sms, string? errorCode, Instant now, CancellationToken ct)
    {
        if (errorCode == TwilioErrors.OptedOut)
        {
            await dispatcher.MarkOptedOutAsync(clinicId, patientId, now, ct);
            return;
        }
        await flags.RaiseAsync(clinicId, Flag.For(FlagKinds.SmsUndeliverable, sms.Id, FlagSeverity.Normal, patientId, sms.SessionId, now,
            $"A text sent {ClinicTime.FormatUtc(sms.SentAt ?? sms.At)} was not delivered (Twilio error {errorCode ?? "unknown"}). Check the number and reach the patient another way."),
            "system:twilio-status", now, ct);
    }
}
