using System.Text.RegularExpressions;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Time;
using NodaTime;

namespace ClinicBackend.Domain.Inventory;

public enum LotEntryKind
{
    Receipt,
    Dose,
    Adjustment,
}

public enum AdjustmentReason
{
    Wasted,
    Damaged,
    Expired,
    Returned,
    CountCorrection,
}

/// <summary>
/// One line of a lot's controlled-substance log: a receipt, a dose's devices or an adjustment, with the balance
/// after it. <see cref="Seq"/> numbers the lot's lines from 1 without gaps.
/// </summary>
/// <param name="At">When it happened (a receipt may be recorded after the delivery).</param>
/// <param name="Devices">Devices added (positive) or taken (negative).</param>
/// <param name="By">Who recorded it.</param>
public sealed record LotEntry(
    int Seq,
    LotEntryKind Kind,
    Instant At,
    int Devices,
    int BalanceAfter,
    string By,
    Instant RecordedAt,
    string? SessionId = null,
    string? PatientId = null,
    AdjustmentReason? Reason = null,
    string? Witness = null,
    string? Note = null);

/// <summary>A lot and the log line that changed it, to commit together.</summary>
public sealed record LotChange(Lot Lot, LotEntry Entry);

/// <summary>
/// A lot of the drug (Schedule III) the clinic holds: its expiry and the devices on hand. It changes only through
/// its own methods, each of which writes one log line with the balance after it; the count never goes below zero.
/// </summary>
public sealed partial record Lot
{
    public const int MaxDevicesPerEntry = 1000;

    public required string Number { get; init; }
    /// <summary>The last day the lot may be used.</summary>
    public required LocalDate Expires { get; init; }
    public int OnHand { get; init; }
    /// <summary>How many log lines the lot has: the next one is numbered <c>Entries + 1</c>.</summary>
    public int Entries { get; init; }
    public int Version { get; init; }

    [GeneratedRegex("^[A-Z0-9][A-Z0-9-]{0,29}$")]
    private static partial Regex NumberPattern();

    /// <summary>A lot number as printed on the carton, in upper case: letters, digits and '-' (1-30).</summary>
    public static string? NormalizeNumber(string? text)
    {
        var upper = text?.Trim().ToUpperInvariant();
        return upper is not null && NumberPattern().IsMatch(upper) ? upper : null;
    }

    public bool IsExpiredOn(LocalDate day) => day > Expires;

    /// <summary>A delivery of <paramref name="devices"/>; a lot seen before keeps its expiry (a lot number has one).</summary>
    public static Result<LotChange> Receive(Lot? existing, string number, LocalDate expires, int devices, Instant at, LocalDate today, Instant now, string actor)
    {
        if (devices is < 1 or > MaxDevicesPerEntry)
        {
            return Problem.Validation("devices", $"devices is the number received, 1 to {MaxDevicesPerEntry}.");
        }
        if (existing is not null && existing.Expires != expires)
        {
            return Problem.Conflict("lot-expiry-mismatch", "This lot is on record with another expiry.",
                $"Lot {number} expires {ClinicTime.FormatDate(existing.Expires)} in the clinic's records; check the carton and send that date.");
        }
        if (today > expires)
        {
            return Expired(number, expires, "received");
        }
        var lot = existing ?? new Lot { Number = number, Expires = expires };
        return lot.Log(LotEntryKind.Receipt, devices, at, now, actor);
    }

    /// <summary>A dose's devices, on the dose's day.</summary>
    public Result<LotChange> Take(int devices, string sessionId, string patientId, LocalDate doseDay, Instant at, Instant now, string actor)
    {
        if (IsExpiredOn(doseDay))
        {
            return Expired(Number, Expires, "used for a dose");
        }
        if (devices > OnHand)
        {
            return InsufficientStock(devices, "taken for this dose");
        }
        var change = Log(LotEntryKind.Dose, -devices, at, now, actor);
        return change with { Entry = change.Entry with { SessionId = sessionId, PatientId = patientId } };
    }

    /// <summary>
    /// A correction of the count with its reason, witnessed by another member of the clinic. Losses (wasted,
    /// damaged, expired, returned) take devices away; a count correction goes either way.
    /// </summary>
    public Result<LotChange> Adjust(int devices, AdjustmentReason reason, string witness, string? note, Instant now, string actor)
    {
        if (devices == 0 || Math.Abs(devices) > MaxDevicesPerEntry)
        {
            return Problem.Validation("devices", $"devices is the change of the count, -{MaxDevicesPerEntry} to {MaxDevicesPerEntry}, not 0.");
        }
        if (devices > 0 && reason != AdjustmentReason.CountCorrection)
        {
            return Problem.Validation("devices", $"A {Names.Kebab(reason)} adjustment takes devices away: give a negative number (count-correction may add).");
        }
        if (witness == actor)
        {
            return Problem.Rule("self-witness", "You cannot witness your own adjustment.",
                "A second member of the clinic must witness it: give their object id as witness.");
        }
        if (OnHand + devices < 0)
        {
            return InsufficientStock(-devices, "removed");
        }
        var change = Log(LotEntryKind.Adjustment, devices, now, now, actor);
        return change with { Entry = change.Entry with { Reason = reason, Witness = witness, Note = note } };
    }

    private LotChange Log(LotEntryKind kind, int devices, Instant at, Instant now, string actor)
    {
        var lot = this with { OnHand = OnHand + devices, Entries = Entries + 1, Version = Version + 1 };
        return new LotChange(lot, new LotEntry(lot.Entries, kind, at, devices, lot.OnHand, actor, now));
    }

    private Problem InsufficientStock(int devices, string what) => Problem.Conflict("insufficient-stock", "Not enough devices in this lot.",
        $"Lot {Number} has {OnHand} device{(OnHand == 1 ? "" : "s")} on hand; {devices} cannot be {what}. Use another lot, or correct the count (with a witness) if the shelf holds more.");

    private static Problem Expired(string number, LocalDate expires, string what) => Problem.Rule("lot-expired", "The lot has expired.",
        $"Lot {number} expired after {ClinicTime.FormatDate(expires)}; it cannot be {what}. Record expired stock as an adjustment (reason expired).");
}
