using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Time;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace ClinicBackend.Application.Outbound;

public sealed record ReconcileSummary(int Overdue, int Reenqueued, int Cleaned, int DeadLetters)
{
    public static ReconcileSummary operator +(ReconcileSummary a, ReconcileSummary b) =>
        new(a.Overdue + b.Overdue, a.Reenqueued + b.Reenqueued, a.Cleaned + b.Cleaned, a.DeadLetters + b.DeadLetters);

    public static readonly ReconcileSummary Zero = new(0, 0, 0, 0);
}

/// <summary>
/// The ledger is the truth, the queue only a wake-up. Each dispatch run this finds texts that are due but not
/// final long after their wake-up should have come (the message was dead-lettered, dropped as a duplicate,
/// never enqueued, or its dispatcher died mid-send) and enqueues them again under a new message id, so no
/// queue loss loses a text; the dispatcher's claim keeps it to one send. Dead-lettered messages are read back
/// and resolved the same way. Rows that are final leave the pending index.
/// </summary>
public sealed class OutboxReconciler(ClinicData data, ISmsOutbox outbox, TimeProvider time, ILogger<OutboxReconciler> logger)
{
    /// <summary>How late a wake-up may be before it counts as lost; longer than a busy dispatch run takes to reach a message.</summary>
    public static readonly Duration Grace = Duration.FromMinutes(10);
    /// <summary>A page is for an urgent flag: a lost wake-up is replaced at the next run.</summary>
    public static readonly Duration PageGrace = Duration.FromMinutes(1);
    private const int DeadLetterBatch = 32;

    public async Task<ClinicRunReport<ReconcileSummary>> ReconcileAllAsync(CancellationToken ct)
    {
        var report = await data.ForEachClinicAsync("ReconcileOutbox", ReconcileClinicAsync, ct);
        var deadLetters = await ResolveDeadLettersAsync(ct);
        return report with { Results = [.. report.Results, ReconcileSummary.Zero with { DeadLetters = deadLetters }] };
    }

    /// <summary>The clinic's overdue pending texts: one key-range query up to now minus the grace.</summary>
    public async Task<ReconcileSummary> ReconcileClinicAsync(Clinic clinic, CancellationToken ct)
    {
        var now = time.Now();
        var overdue = await data.PendingTextsAsync(clinic.Id, now - PageGrace, ct);
        var (reenqueued, cleaned) = (0, 0);
        foreach (var pending in overdue)
        {
            var ledger = new TextLedger(data, new TextRef(clinic.Id, pending.Value.PatientId, pending.Value.MessageId));
            var row = await ledger.ReadAsync(ct);
            if (row is null || SmsStatus.IsFinal(row.Value.Status))
            {
                cleaned += await data.DropPendingTextAsync(clinic.Id, pending, ct) ? 1 : 0;
                continue;
            }
            var wake = row.Value.WakeAt ?? row.Value.At;
            var cutoff = now - (row.Value.Kind == SmsKinds.Page ? PageGrace : Grace);
            if (Instant.Max(wake, row.Value.At) <= cutoff)
            {
                reenqueued += await ReenqueueAsync(ledger, row, now, ct) ? 1 : 0;
            }
        }
        return new ReconcileSummary(overdue.Count, reenqueued, cleaned, 0);
    }

    /// <summary>Messages the broker gave up on: their texts are enqueued again if still not final, then the dead letters go.</summary>
    public async Task<int> ResolveDeadLettersAsync(CancellationToken ct)
    {
        var resolved = 0;
        while (true)
        {
            var batch = await outbox.ReceiveDeadLetteredAsync(DeadLetterBatch, ct);
            foreach (var dead in batch)
            {
                try
                {
                    var ledger = new TextLedger(data, dead.Message.Text);
                    var row = await ledger.ReadAsync(ct);
                    if (row is not null && !SmsStatus.IsFinal(row.Value.Status))
                    {
                        await ReenqueueAsync(ledger, row, time.Now(), ct);
                    }
                    await dead.CompleteAsync(ct);
                    resolved++;
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    // One clinic's trouble must not stop the run for every clinic: the dead letter stays and comes back.
                    logger.LogWarning(e, "Resolving the dead letter of text {MessageId} of clinic {ClinicId} failed; it is read again on a later run.",
                        dead.Message.MessageId, dead.Message.ClinicId);
                }
            }
            if (batch.Count < DeadLetterBatch)
            {
                return resolved;
            }
        }
    }

    /// <summary>A new wake-up under the next generation (a new duplicate-detection id), recorded on the row first.</summary>
    public async Task<bool> ReenqueueAsync(TextLedger ledger, Stored<SmsMessage> row, Instant now, CancellationToken ct)
    {
        var next = row.Value with { Generation = row.Value.Generation + 1, WakeAt = now };
        try
        {
            await ledger.UpdateAsync(row, next, ct);
        }
        catch (CommitConflictException)
        {
            return false; // somebody is working on it right now
        }
        await outbox.EnqueueAsync(new OutboxMessage(ledger.Text.ClinicId, ledger.Text.PatientId, ledger.Text.MessageId, next.Generation, row.Value.At), now, ct);
        logger.LogInformation("Re-enqueued text {MessageId} of clinic {ClinicId} ({Status}, due {At}) as generation {Generation}.",
            row.Value.Id, ledger.Text.ClinicId, row.Value.Status, ClinicTime.FormatUtc(row.Value.At), next.Generation);
        return true;
    }
}
