using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Inventory;
using ClinicBackend.Domain.Sessions;
using NodaTime;

namespace ClinicBackend.Domain.Payment;

/// <summary>Whether a visit is covered by an authorization.</summary>
public enum AuthorizationReadiness
{
    Ok,
    /// <summary>No authorization covers the visit's date (nor has one ended before it).</summary>
    Missing,
    /// <summary>An authorization covers the date, but its sessions are taken by earlier visits.</summary>
    Exhausted,
    /// <summary>The authorizations ended before the visit's date.</summary>
    Expired,
}

/// <summary>Whether the drug for a visit is here.</summary>
public enum DrugReadiness
{
    Ok,
    /// <summary>Specialty pharmacy: no received shipment serves the visit.</summary>
    NotReceived,
    /// <summary>Buy-and-bill: the lots usable that day cannot cover the day's booked doses.</summary>
    Short,
}

/// <summary>A visit's readiness: both parts ok means it can go ahead as far as paying and drug are concerned.</summary>
public sealed record Readiness(AuthorizationReadiness Authorization, DrugReadiness Drug)
{
    public bool IsReady => Authorization == AuthorizationReadiness.Ok && Drug == DrugReadiness.Ok;

    /// <summary>Every cause a visit can be not ready for.</summary>
    public static readonly IReadOnlyList<string> AllCauses =
    [
        .. Enum.GetValues<AuthorizationReadiness>().Where(a => a != AuthorizationReadiness.Ok).Select(a => $"authorization-{Common.Names.Kebab(a)}"),
        .. Enum.GetValues<DrugReadiness>().Where(d => d != DrugReadiness.Ok).Select(d => $"drug-{Common.Names.Kebab(d)}"),
    ];

    /// <summary>The causes of not being ready, as flag causes and report keys: <c>authorization-missing</c>, <c>drug-short</c>, ...</summary>
    public IReadOnlyList<string> Causes =>
    [
        .. Authorization == AuthorizationReadiness.Ok ? Array.Empty<string>() : [$"authorization-{Common.Names.Kebab(Authorization)}"],
        .. Drug == DrugReadiness.Ok ? Array.Empty<string>() : [$"drug-{Common.Names.Kebab(Drug)}"],
    ];
}

/// <summary>An authorization with what is counted against it.</summary>
/// <param name="Used">Sessions counted against it: those that took place first, then booked ones in date order, up to its sessions.</param>
/// <param name="TookPlace">How many of <see cref="Used"/> took place (fulfilled, or arrived and under way).</param>
/// <param name="FirstUncovered">The earliest booked visit inside its dates that it cannot cover any more.</param>
public sealed record AuthorizationUse(Authorization Authorization, int Used, int TookPlace, Session? FirstUncovered)
{
    public int Remaining => Authorization.Sessions - Used;
}

/// <summary>Which visits the authorizations cover, counted from the patient's sessions.</summary>
public sealed class CoverageLedger
{
    private readonly Dictionary<string, Authorization> _coveredBy;
    private readonly IReadOnlyList<Authorization> _authorizations;

    private CoverageLedger(IReadOnlyList<AuthorizationUse> uses, Dictionary<string, Authorization> coveredBy, IReadOnlyList<Authorization> authorizations) =>
        (Uses, _coveredBy, _authorizations) = (uses, coveredBy, authorizations);

    public IReadOnlyList<AuthorizationUse> Uses { get; }

    /// <summary>
    /// Counts the patient's sessions against the authorizations. Sessions that took place (fulfilled or arrived) count
    /// first, then booked ones in date order; cancelled and missed ones count for nothing. Each goes to the earliest
    /// authorization whose dates hold its clinic-local day and which has a session left.
    /// </summary>
    public static CoverageLedger Of(Coverage? coverage, IEnumerable<Session> sessions)
    {
        var authorizations = coverage?.Authorizations ?? [];
        var used = authorizations.ToDictionary(a => a, _ => (Used: 0, TookPlace: 0));
        var firstUncovered = new Dictionary<Authorization, Session>();
        var coveredBy = new Dictionary<string, Authorization>(StringComparer.Ordinal);
        var counted = sessions.Where(s => s.Status is not (SessionStatus.Cancelled or SessionStatus.Noshow))
            .OrderBy(s => s.Status == SessionStatus.Booked).ThenBy(s => s.StartUtc).ThenBy(s => s.Id, StringComparer.Ordinal);
        foreach (var session in counted)
        {
            var holding = authorizations.Where(a => a.Contains(session.Date)).ToList();
            var room = holding.FirstOrDefault(a => used[a].Used < a.Sessions);
            if (room is null)
            {
                foreach (var full in holding.Where(a => session.Status == SessionStatus.Booked && !firstUncovered.ContainsKey(a)))
                {
                    firstUncovered[full] = session;
                }
                continue;
            }
            var tookPlace = session.Status != SessionStatus.Booked;
            used[room] = (used[room].Used + 1, used[room].TookPlace + (tookPlace ? 1 : 0));
            coveredBy[session.Id] = room;
        }
        var uses = authorizations.Select(a => new AuthorizationUse(a, used[a].Used, used[a].TookPlace, firstUncovered.GetValueOrDefault(a))).ToList();
        return new CoverageLedger(uses, coveredBy, authorizations);
    }

    /// <summary>Whether the session is covered, and if not, why. The session must have been among those counted.</summary>
    public AuthorizationReadiness StatusOf(Session session) =>
        _coveredBy.ContainsKey(session.Id) ? AuthorizationReadiness.Ok
        : _authorizations.Any(a => a.Contains(session.Date)) ? AuthorizationReadiness.Exhausted
        : _authorizations.Any(a => a.To < session.Date) ? AuthorizationReadiness.Expired
        : AuthorizationReadiness.Missing;
}

/// <summary>Readiness of visits, and which shipment serves which visit.</summary>
public static class CoverageRules
{
    /// <summary>An authorization-renewal flag is raised this many days before an authorization ends...</summary>
    public const int RenewalNoticeDays = 14;

    /// <summary>... or when this many of its sessions (or fewer) are left.</summary>
    public const int RenewalSessionsLeft = 2;

    /// <summary>A not-ready flag is raised from this many clinic days before the visit.</summary>
    public const int NotReadyNoticeDays = 2;

    /// <summary>Where the patient has no coverage on record, the route follows how the clinic keeps its drug.</summary>
    public static CoverageRoute RouteOf(Coverage? coverage, Clinic clinic) =>
        coverage?.Route ?? (clinic.Inventory == InventoryMode.Tracked ? CoverageRoute.BuyAndBill : CoverageRoute.SpecialtyPharmacy);

    /// <summary>The authorization is worth renewing now: it has not ended, and it ends within 14 days or has at most 2 sessions left.</summary>
    public static bool NeedsRenewal(AuthorizationUse use, LocalDate today) =>
        use.Authorization.To >= today
        && (use.Authorization.To.PlusDays(-RenewalNoticeDays) <= today || use.Remaining <= RenewalSessionsLeft);

    /// <summary>How many days before a shipment was last recorded its visit is first looked for (the visit was booked or under way then).</summary>
    public const int ShipmentVisitLookbackDays = 31;

    /// <summary>
    /// The earliest clinic-local day whose sessions the coverage's counts can depend on, or null when none can (no
    /// coverage, or neither authorizations nor shipments): sessions outside every authorization count for none, and a
    /// shipment's visit was booked or under way when the shipment was last recorded. <see cref="CountsWithin"/> tells
    /// whether sessions read from that day were enough.
    /// </summary>
    public static LocalDate? EarliestCountedDay(Coverage? coverage)
    {
        var days = (coverage?.Authorizations ?? []).Select(a => a.From)
            .Concat((coverage?.Shipments ?? []).Select(s => s.UpdatedAt.InUtc().Date.PlusDays(-ShipmentVisitLookbackDays)))
            .ToList();
        return days.Count == 0 ? null : days.Min();
    }

    /// <summary>
    /// Whether the patient's sessions from <paramref name="from"/> on decide the counts as all of them would: each
    /// shipment's visit is among them, and each visit released its shipment no earlier than that day (so every visit the
    /// shipment could pass to is among them too).
    /// </summary>
    public static bool CountsWithin(Coverage? coverage, IReadOnlyList<Session> sessions, LocalDate from)
    {
        var byId = sessions.ToDictionary(s => s.Id, StringComparer.Ordinal);
        // A day of the clinic's zone is at most one day before the UTC day.
        return (coverage?.Shipments ?? []).All(shipment => byId.TryGetValue(shipment.SessionId, out var session)
            && (session.IsLive || ReleasedAt(session).InUtc().Date.PlusDays(-1) >= from));
    }

    /// <summary>When a cancelled or missed visit let its shipment go: when it was cancelled or missed, or its start if earlier.</summary>
    private static Instant ReleasedAt(Session session)
    {
        var endedAt = session.History.LastOrDefault(h => h.Action is "cancelled" or "noshow")?.At ?? session.StartUtc;
        return endedAt < session.StartUtc ? endedAt : session.StartUtc;
    }

    /// <summary>
    /// The shipment serving each of the patient's visits. A shipment serves the visit it was recorded for while that visit
    /// is booked, under way or done (a rescheduled visit keeps it). A cancelled or missed visit releases its shipment: it
    /// serves the patient's next live visit after the release that has no shipment of its own (the oldest released
    /// shipment the earliest visit). A shipment whose visit is not among <paramref name="sessions"/> serves nothing.
    /// </summary>
    public static IReadOnlyDictionary<string, Shipment> ShipmentsBySession(Coverage? coverage, IReadOnlyList<Session> sessions)
    {
        var served = new Dictionary<string, Shipment>(StringComparer.Ordinal);
        if (coverage is null || coverage.Shipments.Count == 0)
        {
            return served;
        }
        var byId = sessions.ToDictionary(s => s.Id, StringComparer.Ordinal);
        var released = new List<(Shipment Shipment, Instant At)>();
        foreach (var shipment in coverage.Shipments.OrderBy(s => s.UpdatedAt))
        {
            if (!byId.TryGetValue(shipment.SessionId, out var session))
            {
                continue;
            }
            if (session.IsLive)
            {
                served[session.Id] = shipment;
            }
            else
            {
                released.Add((shipment, ReleasedAt(session)));
            }
        }
        foreach (var (shipment, at) in released.OrderBy(r => r.At))
        {
            var next = sessions.Where(s => s.IsLive && s.StartUtc > at && !served.ContainsKey(s.Id)).OrderBy(s => s.StartUtc).FirstOrDefault();
            if (next is not null)
            {
                served[next.Id] = shipment;
            }
        }
        return served;
    }

    /// <summary>
    /// A visit's readiness, or null for a cancelled or missed one. <paramref name="ledger"/> and <paramref name="shipments"/>
    /// are counted from all of the patient's sessions; <paramref name="daySessions"/> hold all of the clinic's on the visit's day.
    /// Buy-and-bill, where the clinic counts its drug: the lots usable on that day must cover that day's booked doses not
    /// yet given, at 84 mg each (a recorded dose has taken its devices already). Where the clinic does not count its drug
    /// (inventory pharmacy), a buy-and-bill visit's drug is not checked.
    /// </summary>
    public static Readiness? Of(Session session, Clinic clinic, Coverage? coverage, CoverageLedger ledger, IReadOnlyDictionary<string, Shipment> shipments,
        IReadOnlyList<Lot> lots, IReadOnlyList<Session> daySessions, Instant now)
    {
        if (!session.IsLive)
        {
            return null;
        }
        var authorization = ledger.StatusOf(session);
        DrugReadiness drug;
        if (session.Status == SessionStatus.Fulfilled || session.Dose is not null)
        {
            drug = DrugReadiness.Ok; // given
        }
        else if (RouteOf(coverage, clinic) == CoverageRoute.SpecialtyPharmacy)
        {
            drug = shipments.TryGetValue(session.Id, out var shipment) && shipment.Status == ShipmentStatus.Received ? DrugReadiness.Ok : DrugReadiness.NotReceived;
        }
        else if (clinic.Inventory != InventoryMode.Tracked)
        {
            drug = DrugReadiness.Ok;
        }
        else
        {
            var day = daySessions.Where(s => s.Date == session.Date);
            drug = StockRules.UsableOnHand(lots, session.Date) >= StockRules.DevicesNeeded(day, now) ? DrugReadiness.Ok : DrugReadiness.Short;
        }
        return new Readiness(authorization, drug);
    }
}
