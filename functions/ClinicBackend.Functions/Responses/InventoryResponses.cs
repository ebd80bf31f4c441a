using ClinicBackend.Application.Inventory;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Inventory;
using ClinicBackend.Domain.Time;

namespace ClinicBackend.Functions.Responses;

/// <summary>Schema Lot.</summary>
public sealed record LotResponse(string Lot, string Expires, int OnHand, int Version)
{
    public static LotResponse From(Lot l) => new(l.Number, ClinicTime.FormatDate(l.Expires), l.OnHand, l.Version);
}

/// <summary>Schema Inventory: the lots by number, and the devices the next 7 days' booked sessions need (3 each).</summary>
public sealed record InventoryResponse(IReadOnlyList<LotResponse> Lots, int DevicesNeeded7d, string Inventory)
{
    public static InventoryResponse From(StockView v) => new(v.Lots.Select(LotResponse.From).ToList(), v.DevicesNeeded7d, Names.Kebab(v.Mode));
}

/// <summary>Schema LotEntry: one line of a lot's controlled-substance log.</summary>
public sealed record LotEntryResponse(int Seq, string Kind, string At, string RecordedAt, int Devices, int BalanceAfter, string By,
    string? SessionId, string? PatientId, string? Reason, string? Witness, string? Note)
{
    public static LotEntryResponse From(LotEntry e) => new(e.Seq, Names.Kebab(e.Kind), ClinicTime.FormatUtc(e.At), ClinicTime.FormatUtc(e.RecordedAt),
        e.Devices, e.BalanceAfter, e.By, e.SessionId, e.PatientId, e.Reason is { } r ? Names.Kebab(r) : null, e.Witness, e.Note);
}

/// <summary>Schema Adjustment: the lot after an adjustment, and its log line.</summary>
public sealed record AdjustmentResponse(LotResponse Lot, LotEntryResponse Entry)
{
    public static AdjustmentResponse From(LotChange c) => new(LotResponse.From(c.Lot), LotEntryResponse.From(c.Entry));
}

/// <summary>Schema LotLog: a lot and every line of its log, oldest first.</summary>
public sealed record LotLogResponse(LotResponse Lot, IReadOnlyList<LotEntryResponse> Entries)
{
    public static LotLogResponse From(LotLog l) => new(LotResponse.From(l.Lot), l.Entries.Select(LotEntryResponse.From).ToList());
}
