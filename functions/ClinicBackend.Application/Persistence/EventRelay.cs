using ClinicBackend.Domain.Events;
using Microsoft.Extensions.Logging;

namespace ClinicBackend.Application.Persistence;

/// <summary>
/// Moves clinic events from their pending rows to the sink. Events are written in the same commit as the
/// change they describe, so none is lost if the process dies; publishing then deletes the row. A crash
/// between the two publishes again later with the same id, which subscribers (and Service Bus duplicate
/// detection) recognise.
/// </summary>
public sealed class EventRelay(IDocumentStore store, IClinicEventSink sink, ILogger<EventRelay> logger)
{
    public const int DrainBatch = 500;

    /// <summary>
    /// Starts publishing right after a commit without holding up the caller; whatever fails (or is cut
    /// short by the process ending) stays pending for <see cref="DrainClinicAsync"/>.
    /// </summary>
    public void PublishSoon(IReadOnlyList<ClinicEvent> events)
    {
        if (events.Count > 0)
        {
            _ = Task.Run(() => PublishNowAsync(events, CancellationToken.None));
        }
    }

    /// <summary>Right after a commit; on failure the events stay pending for <see cref="DrainClinicAsync"/>.</summary>
    public async Task PublishNowAsync(IReadOnlyList<ClinicEvent> events, CancellationToken ct)
    {
        if (events.Count == 0)
        {
            return;
        }
        try
        {
            await sink.PublishAsync(events, ct);
            await DeletePendingAsync(events, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Publishing {Count} clinic events failed; they stay pending and are relayed later.", events.Count);
        }
    }

    /// <summary>Publishes the pending events of one clinic, oldest first, at most <see cref="DrainBatch"/> per run.</summary>
    public async Task<int> DrainClinicAsync(string clinicId, CancellationToken ct)
    {
        var pending = await store.QueryPrefixAsync<ClinicEvent>(clinicId, Keys.PendingEventPrefix, ct, DrainBatch);
        if (pending.Count == 0)
        {
            return 0;
        }
        var events = pending.Select(p => p.Value).OrderBy(e => e.Time).ToList();
        await sink.PublishAsync(events, ct);
        await DeletePendingAsync(events, ct);
        return events.Count;
    }

    private async Task DeletePendingAsync(IReadOnlyList<ClinicEvent> events, CancellationToken ct)
    {
        foreach (var group in events.GroupBy(e => e.ClinicId))
        {
            foreach (var key in group.Select(e => Keys.PendingEvent(e.Id)).Distinct())
            {
                try
                {
                    await store.CommitAsync(group.Key, [new Change.Delete(key)], ct);
                }
                catch (CommitConflictException)
                {
                    // already deleted by a concurrent relay
                }
            }
        }
    }
}
