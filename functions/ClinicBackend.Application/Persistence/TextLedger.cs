using ClinicBackend.Domain.Messaging;
using NodaTime;

namespace ClinicBackend.Application.Persistence;

/// <summary>A patient's automated texts of the last week, and the row they were read from (null: none yet, so a claim inserts it).</summary>
public sealed record PatientQuota(Stored<SmsQuota>? Row, SmsQuota Days);

/// <summary>
/// One outbound text's ledger row: read it, claim it for a send, record the send, and change it under its ETag.
/// Each write is one transaction of the ledger row with the rows that move with it (the patient's quota row, the
/// pending-text index row); none has an audit record or an event.
/// </summary>
public sealed class TextLedger(ClinicData data, TextRef text)
{
    public TextRef Text { get; } = text;

    public string Key { get; } = Keys.Message(text.PatientId, text.MessageId);

    private string QuotaKey => Keys.SmsQuota(Text.PatientId);

    public Task<Stored<SmsMessage>?> ReadAsync(CancellationToken ct) => data.Store.GetAsync<SmsMessage>(Text.ClinicId, Key, ct);

    public Task UpdateAsync(Stored<SmsMessage> row, SmsMessage changed, CancellationToken ct) =>
        data.Store.CommitAsync(Text.ClinicId, [new Change.Replace(row.Key, changed, row.ETag)], ct);

    /// <summary>Whether a conflict was on the patient's quota row (another text of the patient), not on this text's row.</summary>
    public bool IsQuotaConflict(CommitConflictException conflict) => conflict.Key == QuotaKey;

    /// <summary>
    /// Claims the row for a send, with the day it uses of the patient's automated texts (<paramref name="used"/>, when it
    /// counts) written to the quota row as read, in one transaction; returns the row as claimed, with its new ETag.
    /// A conflict throws: on the quota row when another text of the patient changed it (see <see cref="IsQuotaConflict"/>),
    /// on the ledger row when another dispatcher claimed it.
    /// </summary>
    public async Task<Stored<SmsMessage>> ClaimAsync(Stored<SmsMessage> row, SmsMessage claimed, PatientQuota quota, SmsQuota? used, CancellationToken ct)
    {
        List<Change> claim = [new Change.Replace(Key, claimed, row.ETag)];
        if (used is not null)
        {
            claim.Add(quota.Row is { } stored ? new Change.Replace(stored.Key, used, stored.ETag) : new Change.Insert(QuotaKey, used));
        }
        return row with { Value = claimed, ETag = (await data.Store.CommitAsync(Text.ClinicId, claim, ct))[0]! };
    }

    /// <summary>Records a send under the ETag read; with <paramref name="pendingKey"/> its pending-text index row goes in the same transaction.</summary>
    public Task RecordAsync(Stored<SmsMessage> row, SmsMessage recorded, string? pendingKey, CancellationToken ct) =>
        data.Store.CommitAsync(Text.ClinicId, pendingKey is null
            ? [new Change.Replace(row.Key, recorded, row.ETag)]
            : [new Change.Replace(row.Key, recorded, row.ETag), new Change.Delete(pendingKey)], ct);

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
    public Task UpdateReleasingQuotaAsync(Stored<SmsMessage> row, SmsMessage changed, bool holdsQuota, CancellationToken ct) =>
        Concurrency.RetryAsync(async () =>
        {
            var changes = new List<Change> { new Change.Replace(row.Key, changed, row.ETag) };
            if (holdsQuota && await QuotaReleaseAsync(ct) is { } release)
            {
                changes.Add(release);
            }
            await data.Store.CommitAsync(Text.ClinicId, changes, ct);
            return true;
        }, exhausted: null, retryWhen: IsQuotaConflict);

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

    /// <summary>
    /// The patient's quota row. A patient without one may still have rows of the layout before 2026-11-27, one per day
    /// (<c>quota|{patientId}|{date}</c>): the last week of those is read instead, and the claim writes it as the row.
    /// That read happens once a patient; it can go when every deployment has run a week on the row.
    /// </summary>
    public async Task<PatientQuota> QuotaAsync(Instant now, CancellationToken ct)
    {
        if (await data.Store.GetAsync<SmsQuota>(Text.ClinicId, QuotaKey, ct) is { } row)
        {
            return new PatientQuota(row, row.Value);
        }
        var days = await data.Store.QueryRangeAsync<SmsQuotaDay>(Text.ClinicId,
            Keys.PerDaySmsQuota(Text.PatientId, now.InUtc().Date.PlusDays(-8)), Keys.PerDaySmsQuotaEnd(Text.PatientId), ct);
        return new PatientQuota(null, new SmsQuota(days.Select(d => d.Value).ToList()));
    }

    /// <summary>The patient's quota row without this text's day, under the ETag read; null when the row holds no day of it.</summary>
    private async Task<Change?> QuotaReleaseAsync(CancellationToken ct) =>
        await data.Store.GetAsync<SmsQuota>(Text.ClinicId, QuotaKey, ct) is { } quota && quota.Value.Holds(Text.MessageId)
            ? new Change.Replace(quota.Key, quota.Value.Release(Text.MessageId), quota.ETag)
            : null;
}
