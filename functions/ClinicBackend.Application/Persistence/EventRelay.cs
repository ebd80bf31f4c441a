using ClinicBackend.Application.Access;
using ClinicBackend.Application.Clinics;
using ClinicBackend.Application.Flags;
using ClinicBackend.Application.Patients;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Sessions;
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
    /// <summary>
    /// Starts publishing right after a commit without holding up the caller; whatever fails (or is cut
    /// short by the process ending) stays pending for <see cref="DrainAsync"/>.
    /// </summary>
    public void PublishSoon(IReadOnlyList<ClinicEvent> events)
    {
        if (events.Count > 0)
        {
            _ = Task.Run(() => PublishNowAsync(events, CancellationToken.None));
        }
    }

    /// <summary>Right after a commit; on failure the events stay pending for <see cref="DrainAsync"/>.</summary>
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

    /// <summary>Publishes every pending event of every clinic. Returns how many were published.</summary>
    public async Task<int> DrainAsync(IReadOnlyList<string> clinicIds, CancellationToken ct)
    {
        var published = 0;
        foreach (var clinicId in clinicIds)
        {
            var pending = await store.QueryPrefixAsync<ClinicEvent>(clinicId, Keys.PendingEventPrefix, ct, 500);
            if (pending.Count == 0)
            {
                continue;
            }
            var events = pending.Select(p => p.Value).OrderBy(e => e.Time).ToList();
            await sink.PublishAsync(events, ct);
            await DeletePendingAsync(events, ct);
            published += events.Count;
        }
        return published;
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
