using ClinicBackend.Domain.Sessions;
using NodaTime;

namespace ClinicBackend.Domain.Inventory;

/// <summary>What the clinic's stock must cover, and when a lot is worth a look.</summary>
public static class StockRules
{
    /// <summary>How many clinic-local days ahead the need is counted: today and the next 6.</summary>
    public const int NeedDays = 7;

    /// <summary>A booked session is counted at the highest labelled dose: 84 mg, 3 devices.</summary>
    public const int DevicesPerSession = 3;

    /// <summary>A lot with devices left is flagged this many days before it expires.</summary>
    public const int ExpiryNoticeDays = 30;

    /// <summary>
    /// Devices the sessions of the next <see cref="NeedDays"/> days need: each booked or arrived one not yet dosed
    /// and not over, at 3 devices.
    /// </summary>
    public static int DevicesNeeded(IEnumerable<Session> sessions, Instant now) =>
        sessions.Count(s => s.Status is SessionStatus.Booked or SessionStatus.Arrived && s.Dose is null && s.EndUtc > now) * DevicesPerSession;

    /// <summary>Devices on hand in lots that may still be used on <paramref name="today"/>.</summary>
    public static int UsableOnHand(IEnumerable<Lot> lots, LocalDate today) => lots.Where(l => !l.IsExpiredOn(today)).Sum(l => l.OnHand);

    /// <summary>The lot has devices left and expires within <see cref="ExpiryNoticeDays"/> days (or has expired).</summary>
    public static bool IsExpiringSoon(Lot lot, LocalDate today) => lot.OnHand > 0 && today.PlusDays(ExpiryNoticeDays) >= lot.Expires;
}
