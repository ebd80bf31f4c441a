using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Messaging;
using NodaTime;

namespace ClinicBackend.Application.Outbound;

/// <summary>One outbound text's ledger row: read it, and change it under its ETag.</summary>
public sealed class TextLedger(ClinicData data, TextRef text)
{
    public TextRef Text { get; } = text;

    public string Key { get; } = Keys.Message(text.PatientId, text.MessageId);

    public Task<Stored<SmsMessage>?> ReadAsync(CancellationToken ct) => data.Store.GetAsync<SmsMessage>(Text.ClinicId, Key, ct);

    public Task UpdateAsync(Stored<SmsMessage> row, SmsMessage changed, CancellationToken ct) =>
        data.Store.CommitAsync(Text.ClinicId, [new Change.Replace(row.Key, changed, row.ETag)], ct);

    /// <summary>
    /// Writes the changed row with a new wake-up at <paramref name="until"/> and hands the message back under the
    /// next generation. The row keeps the highest generation used, so the reconciler's next one is always new.
    /// </summary>
    public async Task WakeLaterAsync(IOutboxDelivery delivery, Stored<SmsMessage> row, SmsMessage changed, Instant until, Instant now, CancellationToken ct)
    {
        var generation = Math.Max(row.Value.Generation, delivery.Message.Generation) + 1;
        await UpdateAsync(row, changed with { Generation = generation, WakeAt = until }, ct);
        await delivery.RetryAsync(generation, until > now ? until - now : Duration.Zero, ct);
    }

    /// <summary>
    /// Writes the row (back to planned) and frees the day its claim used of the patient's automated texts, in one
    /// transaction, so the row is never planned while its own claim still uses the day (which would defer or drop it).
    /// Another text changing the patient's quota row meanwhile is read again; a conflict on this text's row changes nothing.
    /// </summary>
    public async Task UpdateReleasingQuotaAsync(Stored<SmsMessage> row, SmsMessage changed, bool holdsQuota, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var changes = new List<Change> { new Change.Replace(row.Key, changed, row.ETag) };
            if (holdsQuota && await QuotaReleaseAsync(ct) is { } release)
            {
                changes.Add(release);
            }
            try
            {
                await data.Store.CommitAsync(Text.ClinicId, changes, ct);
                return;
            }
            catch (CommitConflictException conflict) when (conflict.Key == Keys.SmsQuota(Text.PatientId) && attempt < Concurrency.MaxAttempts)
            {
                // another text of the patient changed the quota row: read it again
            }
        }
    }

    /// <summary>Frees the day this text used of the patient's automated texts: the send did not use it after all.</summary>
    public Task ReleaseQuotaAsync(bool holdsQuota, CancellationToken ct) =>
        Concurrency.RetryAsync(async () =>
        {
            if (holdsQuota && await QuotaReleaseAsync(ct) is { } release)
            {
                await data.Store.CommitAsync(Text.ClinicId, [release], ct);
            }
            return true;
        }, () => false); // still racing other texts of the patient: the day stays used, so fewer texts, never more

    /// <summary>The patient's quota row without this text's day, under the ETag read; null when the row holds no day of it.</summary>
    private async Task<Change?> QuotaReleaseAsync(CancellationToken ct) =>
        await data.Store.GetAsync<SmsQuota>(Text.ClinicId, Keys.SmsQuota(Text.PatientId), ct) is { } quota && quota.Value.Holds(Text.MessageId)
            ? new Change.Replace(quota.Key, quota.Value.Release(Text.MessageId), quota.ETag)
            : null;
}
