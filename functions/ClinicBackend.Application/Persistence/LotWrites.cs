using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Inventory;
using NodaTime;

namespace ClinicBackend.Application.Persistence;

/// <summary>A booked patient who is not REMS-enrolled: the sweep looks at their sessions until they are.</summary>
public sealed record EnrolmentWatch(string PatientId);

/// <summary>
/// Since when the clinic's stock has been below the next week's need (null while it is not), and how many such stretches
/// there have been: each stretch raises its own stock-low flag.
/// </summary>
public sealed record InventoryState(LocalDate? LowSince, int Stretches);

/// <summary>The reads of the drug on hand and of the enrolment watches.</summary>
public sealed partial class ClinicData
{
    public Task<Stored<Lot>?> LotAsync(string clinicId, string number, CancellationToken ct) =>
        Store.GetAsync<Lot>(clinicId, Keys.Lot(number), ct);

    /// <summary>Every lot of the clinic, by number (one prefix range).</summary>
    public async Task<IReadOnlyList<Lot>> LotsAsync(string clinicId, CancellationToken ct) =>
        Values(await Store.QueryPrefixAsync<Lot>(clinicId, Keys.LotPrefix, ct));

    /// <summary>A lot's log, oldest line first (one prefix range).</summary>
    public async Task<IReadOnlyList<LotEntry>> LotLogAsync(string clinicId, string number, CancellationToken ct) =>
        Values(await Store.QueryPrefixAsync<LotEntry>(clinicId, Keys.LotLogPrefix(number), ct));

    public Task<Stored<InventoryState>?> InventoryStateAsync(string clinicId, CancellationToken ct) =>
        Store.GetAsync<InventoryState>(clinicId, Keys.InventoryState, ct);

    /// <summary>The watches of patients booked before REMS enrolment (a few rows: one prefix range).</summary>
    public Task<IReadOnlyList<Stored<EnrolmentWatch>>> EnrolmentWatchesAsync(string clinicId, CancellationToken ct) =>
        Store.QueryPrefixAsync<EnrolmentWatch>(clinicId, Keys.EnrolmentWatchPrefix, ct);

    /// <summary>Ends an enrolment watch as read; false when a booking rewrote it meanwhile (it stays).</summary>
    public Task<bool> EndEnrolmentWatchAsync(string clinicId, Stored<EnrolmentWatch> watch, CancellationToken ct) =>
        TryWriteAsync(clinicId, [new Change.Delete(watch.Key, watch.ETag)], ct);
}

/// <summary>
/// How a lot change is written: the lot row (inserted when new, else replaced under the ETag it was read with), its log
/// line numbered after the last, and an audit record. Two changes decided on the same count both write that line, so the
/// second fails on the insert even where a batch's ETag were not enforced.
/// </summary>
public static class LotWrites
{
    public static void Write(ClinicCommit commit, Stored<Lot>? before, LotChange change)
    {
        var key = Keys.Lot(change.Lot.Number);
        if (before is null)
        {
            commit.Insert(key, change.Lot);
        }
        else
        {
            commit.Replace(key, change.Lot, before.ETag);
        }
        commit.Insert(Keys.LotLog(change.Lot.Number, change.Entry.Seq), change.Entry);
        commit.Audit($"lot.{Names.Kebab(change.Entry.Kind)}", "lot", change.Lot.Number, before?.Value, change.Lot);
    }

    /// <summary>Starts (or keeps) the watch of a patient who is booked before REMS enrolment.</summary>
    public static void WatchEnrolment(ClinicCommit commit, string patientId) =>
        commit.Upsert(Keys.EnrolmentWatch(patientId), new EnrolmentWatch(patientId));
}
