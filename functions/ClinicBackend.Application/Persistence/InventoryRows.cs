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

/// <summary>
/// The rows of the drug on hand: a lot (its count, under its ETag) and its log, one row a line. A change of a lot
/// replaces the lot row under the ETag it was read with and inserts the log line numbered after the last: two
/// changes decided on the same count both write that line, so the second fails on the insert even where a
/// batch's ETag were not enforced.
/// </summary>
public static class InventoryRows
{
    public static Task<Stored<Lot>?> LotAsync(this ClinicData data, string clinicId, string number, CancellationToken ct) =>
        data.Store.GetAsync<Lot>(clinicId, Keys.Lot(number), ct);

    /// <summary>Every lot of the clinic, by number (one prefix range).</summary>
    public static async Task<IReadOnlyList<Lot>> LotsAsync(this ClinicData data, string clinicId, CancellationToken ct) =>
        (await data.Store.QueryPrefixAsync<Lot>(clinicId, Keys.LotPrefix, ct)).Select(l => l.Value).ToList();

    /// <summary>A lot's log, oldest line first (one prefix range).</summary>
    public static async Task<IReadOnlyList<LotEntry>> LotLogAsync(this ClinicData data, string clinicId, string number, CancellationToken ct) =>
        (await data.Store.QueryPrefixAsync<LotEntry>(clinicId, Keys.LotLogPrefix(number), ct)).Select(e => e.Value).ToList();

    public static Task<Stored<InventoryState>?> InventoryStateAsync(this ClinicData data, string clinicId, CancellationToken ct) =>
        data.Store.GetAsync<InventoryState>(clinicId, Keys.InventoryState, ct);

    public static Task<IReadOnlyList<Stored<EnrolmentWatch>>> EnrolmentWatchesAsync(this ClinicData data, string clinicId, CancellationToken ct) =>
        data.Store.QueryPrefixAsync<EnrolmentWatch>(clinicId, Keys.EnrolmentWatchPrefix, ct);

    /// <summary>A lot change in the unit of work: the lot (inserted when new, else replaced under its ETag), its log line, an audit record.</summary>
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
