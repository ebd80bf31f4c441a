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
    /// Writes the row (back to planned) and frees its claim on the patient's automated text of <paramref name="quotaDay"/>
    /// in one transaction, so the row is never planned while its own claim still uses the day (which would defer or drop
    /// it). Only a claim this text holds is freed; a conflict on either row changes nothing.
    /// </summary>
    public async Task UpdateReleasingQuotaAsync(Stored<SmsMessage> row, SmsMessage changed, LocalDate? quotaDay, CancellationToken ct)
    {
        var changes = new List<Change> { new Change.Replace(row.Key, changed, row.ETag) };
        if (quotaDay is { } day && await data.Store.GetAsync<SmsQuota>(Text.ClinicId, Keys.SmsQuota(Text.PatientId, day), ct) is { } quota
            && quota.Value.MessageId == Text.MessageId)
        {
            changes.Add(new Change.Delete(quota.Key, quota.ETag));
        }
        await data.Store.CommitAsync(Text.ClinicId, changes, ct);
    }

    /// <summary>Frees the patient's automated text of a day that a send did not use after all.</summary>
    public async Task ReleaseQuotaAsync(LocalDate? day, CancellationToken ct)
    {
        if (day is null)
        {
            return;
        }
        try
        {
            await data.Store.CommitAsync(Text.ClinicId, [new Change.Delete(Keys.SmsQuota(Text.PatientId, day.Value))], ct);
        }
        catch (CommitConflictException)
        {
            // already released
        }
    }
}
