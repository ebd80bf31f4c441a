using ClinicBackend.Application.Access;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Sessions;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Inventory;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Time;
using NodaTime;

namespace ClinicBackend.Application.Inventory;

/// <summary>The body of POST .../inventory/lots: a delivery of one lot.</summary>
public sealed class ReceiveLotInput
{
    public string? Lot { get; set; }
    public string? Expires { get; set; }
    public int? Devices { get; set; }
    /// <summary>When the delivery arrived: clinic-local YYYY-MM-DDTHH:mm or ISO 8601 with an offset; now when absent.</summary>
    public string? ReceivedAt { get; set; }
}

/// <summary>The body of POST .../inventory/lots/{lot}/adjustments.</summary>
public sealed class AdjustmentInput
{
    public int? Devices { get; set; }
    public string? Reason { get; set; }
    public string? Witness { get; set; }
    public string? Note { get; set; }
}

/// <summary>The clinic's lots and what the next week's booked sessions need.</summary>
public sealed record StockView(IReadOnlyList<Lot> Lots, int DevicesNeeded7d, InventoryMode Mode);

/// <summary>A lot with its whole log, oldest line first.</summary>
public sealed record LotLog(Lot Lot, IReadOnlyList<LotEntry> Entries);

/// <summary>
/// The drug on hand (Schedule III): lots received, adjusted with a reason and a witness, and their log. Doses take
/// their devices in the dose's own unit of work (<see cref="SessionService.DoseAsync"/>). Every change replaces the
/// lot under its ETag and inserts its numbered log line, so no two changes decide on the same count.
/// </summary>
public sealed class InventoryService(ClinicData data, ClinicAccess access, ClinicUpdates updates, TimeProvider time)
{
    public const int MaxNoteLength = 500;
    /// <summary>A delivery recorded late may be dated back this far.</summary>
    public static readonly Duration MaxBackdating = Duration.FromDays(366);

    /// <summary>A delivery: a new lot, or more devices of a lot on record (with the same expiry).</summary>
    public Task<Result<Lot>> ReceiveAsync(Caller caller, string clinicId, ReceiveLotInput input, CancellationToken ct) =>
        updates.RunAsync<Lot>(caller, clinicId, Need.Staff, async (clinic, commit) =>
        {
            var now = commit.Now;
            var errors = new FieldErrors();
            var number = Lot.NormalizeNumber(input.Lot);
            if (number is null)
            {
                errors.Add("lot", "lot is the lot number on the carton: 1 to 30 letters, digits and '-'.");
            }
            if (!ClinicTime.TryParseDate(input.Expires, out var expires))
            {
                errors.Add("expires", "expires is the lot's expiry date as YYYY-MM-DD.");
            }
            if (input.Devices is null)
            {
                errors.Add("devices", $"devices is the number of devices received, 1 to {Lot.MaxDevicesPerEntry}.");
            }
            var receivedAt = now;
            if (input.ReceivedAt is not null && (!SessionInputs.TryParseInstant(input.ReceivedAt, clinic, out receivedAt)
                || receivedAt > now + Session.ClockLeeway || receivedAt < now - MaxBackdating))
            {
                errors.Add("receivedAt", "receivedAt is when the delivery arrived (clinic-local YYYY-MM-DDTHH:mm or ISO 8601 with an offset): within the last year, not in the future; or leave it out for now.");
            }
            if (errors.Any)
            {
                return errors.ToProblem();
            }
            var lot = await data.LotAsync(clinicId, number!, ct);
            var received = Lot.Receive(lot?.Value, number!, expires, input.Devices!.Value, receivedAt, now.InZone(clinic.Zone).Date, now, commit.Actor);
            if (!received.IsSuccess)
            {
                return received.Problem!;
            }
            LotWrites.Write(commit, lot, received.Value);
            return received.Value.Lot;
        }, ct);

    public async Task<Result<StockView>> ListAsync(Caller caller, string clinicId, CancellationToken ct)
    {
        var stored = await access.RequireAsync(caller, clinicId, Need.Staff, ct);
        if (!stored.IsSuccess)
        {
            return stored.Problem!;
        }
        var clinic = stored.Value.Value;
        var now = time.Now();
        var today = now.InZone(clinic.Zone).Date;
        var lotsTask = data.LotsAsync(clinicId, ct);
        var sessionsTask = data.SessionsOnDaysAsync(clinicId, today, today.PlusDays(StockRules.NeedDays), ct);
        return new StockView(await lotsTask, StockRules.DevicesNeeded(await sessionsTask, now), clinic.Inventory);
    }

    /// <summary>A witnessed correction of a lot's count: waste, damage, expiry, return, or a recount.</summary>
    public Task<Result<LotChange>> AdjustAsync(Caller caller, string clinicId, string lotNumber, AdjustmentInput input, int? ifMatch, CancellationToken ct) =>
        updates.ChangeAsync<Lot, LotChange>(caller, clinicId, Need.Staff, Entities.Lot, lotNumber, ifMatch, async change =>
        {
            var (lot, commit) = (change.Current, change.Commit);
            var errors = new FieldErrors();
            if (input.Devices is null)
            {
                errors.Add("devices", "devices is the change of the count: negative for devices that left (-1), positive only for a count correction.");
            }
            if (!Names.TryParseKebab<AdjustmentReason>(input.Reason, out var reason))
            {
                errors.Add("reason", $"reason is one of {Names.KebabList<AdjustmentReason>()}.");
            }
            if (input.Witness is null)
            {
                errors.Add("witness", "witness is required: the object id of another member of the clinic who witnessed it (a controlled substance).");
            }
            else if (!Ids.IsObjectId(input.Witness))
            {
                errors.Add("witness", "witness is the witnessing member's Entra ID object id (a GUID).");
            }
            if (input.Note is not null && !PlainText.IsValid(input.Note, MaxNoteLength, multiline: true))
            {
                errors.Add("note", $"note, when given, is 1 to {MaxNoteLength} printable characters (line breaks allowed).");
            }
            if (errors.Any)
            {
                return errors.ToProblem();
            }
            var witness = Ids.NormalizeObjectId(input.Witness!);
            if (witness != commit.Actor && await data.MemberAsync(clinicId, witness, ct) is null)
            {
                return Problem.Rule("unknown-witness", "The witness is not a member of this clinic.",
                    "The witness is another member of this clinic: give their object id as the clinic's member list has it.");
            }
            var adjusted = lot.Value.Adjust(input.Devices!.Value, reason, witness, input.Note, commit.Now, commit.Actor);
            if (adjusted.IsSuccess)
            {
                LotWrites.Write(commit, lot, adjusted.Value);
            }
            return adjusted;
        }, ct);

    /// <summary>A lot's controlled-substance log (Clinic.Admin): every receipt, dose and adjustment with the balance after it.</summary>
    public async Task<Result<LotLog>> LogAsync(Caller caller, string clinicId, string lotNumber, CancellationToken ct)
    {
        var stored = await access.RequireAsync(caller, clinicId, Need.ClinicAdmin, ct);
        if (!stored.IsSuccess)
        {
            return stored.Problem!;
        }
        var number = Lot.NormalizeNumber(lotNumber);
        var lot = number is null ? null : await data.LotAsync(clinicId, number, ct);
        if (lot is null)
        {
            return Problem.NotFound("lot");
        }
        // Lines written after the lot was read are left for the next read: the log ends at the lot's balance.
        var entries = await data.LotLogAsync(clinicId, number!, ct);
        return new LotLog(lot.Value, entries.Where(e => e.Seq <= lot.Value.Entries).ToList());
    }
}
