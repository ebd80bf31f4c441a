using System.Text.RegularExpressions;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Time;
using NodaTime;

namespace ClinicBackend.Application.Outbound;

/// <summary>Twilio's delivery status callbacks: recorded monotonically, idempotently, in whatever order they come.</summary>
public sealed partial class DeliveryStatusService(ClinicData data, OptOuts optOuts, TimeProvider time)
{
    [GeneratedRegex("^[a-z0-9-]{3,80}$")]
    private static partial Regex MessageIdPattern();

    [GeneratedRegex("^[A-Za-z0-9]{34}$")]
    private static partial Regex SidPattern();

    /// <summary>Whether a reference names a text the ledger could hold (ids that are safe as keys).</summary>
    public static bool IsWellFormed(TextRef text) =>
        Ids.IsClinicId(text.ClinicId) && Ids.IsGeneratedId(text.PatientId) && MessageIdPattern().IsMatch(text.MessageId);

    /// <summary>Applies one callback; returns what happened (for tests and logs), never throws on odd input.</summary>
    public async Task<string> RecordAsync(TextRef? text, IReadOnlyDictionary<string, string> form, CancellationToken ct)
    {
        if (text is null || !IsWellFormed(text))
        {
            return "unknown-reference";
        }
        var sid = form.GetValueOrDefault("MessageSid") ?? form.GetValueOrDefault("SmsSid");
        var status = (form.GetValueOrDefault("MessageStatus") ?? form.GetValueOrDefault("SmsStatus"))?.ToLowerInvariant();
        var errorCode = form.GetValueOrDefault("ErrorCode");
        if (sid is null || !SidPattern().IsMatch(sid) || status is null || !SmsStatus.IsKnownTwilioStatus(status))
        {
            return "ignored";
        }
        var ledger = new TextLedger(data, text);
        var now = time.Now();
        var (outcome, changed) = await Concurrency.RetryAsync<(string, SmsMessage?)>(async () =>
        {
            var row = await ledger.ReadAsync(ct);
            if (row is null || row.Value.Direction != "outbound")
            {
                return ("unknown-message", null);
            }
            var sms = row.Value;
            if (sms.TwilioSid is not null && sms.TwilioSid != sid)
            {
                return ("other-sid", null);
            }
            if (SmsStatus.Rank(status) <= SmsStatus.Rank(sms.Status) && sms.Status != SmsStatus.Sending)
            {
                return ("unchanged", null);
            }
            var next = sms with { Status = status, TwilioSid = sid, ErrorCode = string.IsNullOrEmpty(errorCode) ? sms.ErrorCode : errorCode, UpdatedAt = now };
            await ledger.UpdateAsync(row, next, ct);
            return (status, next);
        }, () => ("busy", null));
        if (changed is not null && status is SmsStatus.Undelivered or SmsStatus.Failed)
        {
            await OnUndeliveredAsync(text, changed, errorCode, now, ct);
        }
        return outcome;
    }

    private async Task OnUndeliveredAsync(TextRef text, SmsMessage sms, string? errorCode, Instant now, CancellationToken ct)
    {
        if (errorCode == TwilioErrors.OptedOut)
        {
            await optOuts.MarkOptedOutAsync(text.ClinicId, text.PatientId, now, ct);
            return;
        }
        await FlagWrites.RaiseAloneAsync(data, text.ClinicId, Flag.For(FlagKinds.SmsUndeliverable, sms.Id, FlagSeverity.Normal, text.PatientId, sms.SessionId, now,
            $"A text sent {ClinicTime.FormatUtc(sms.SentAt ?? sms.At)} was not delivered (Twilio error {errorCode ?? "unknown"}). Check the number and reach the patient another way."),
            Actors.TwilioStatus, now, ct);
    }
}
