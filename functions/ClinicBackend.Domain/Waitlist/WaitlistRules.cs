using ClinicBackend.Domain.Patients;
using NodaTime;

namespace ClinicBackend.Domain.Waitlist;

/// <summary>Whether a freed chair-time may be offered to a waiting patient. Pure: tested as a table.</summary>
public static class WaitlistRules
{
    /// <summary>A patient gets at most this many waitlist offers on a day of their own zone.</summary>
    public const int OffersPerDay = 2;

    /// <summary>A freed start is offered only if it is at least this far ahead.</summary>
    public static readonly Duration MinimumLead = Duration.FromHours(2);

    public const string HoldsAnOffer = "holds-an-offer";
    public const string OffersUsedToday = "two-offers-today";

    /// <summary>Null when the entry's patient may be offered the start; otherwise why not.</summary>
    public static string? WhyNot(WaitlistEntry entry, Patient? patient, LocalDateTime start, bool otherSessionThatDay, int offersToday, bool holdsAnOffer)
    {
        if (entry.Status != WaitlistStatus.Waiting)
        {
            return "not-waiting";
        }
        if (!entry.Holds(start))
        {
            return "outside-window";
        }
        if (patient is null || !patient.Active)
        {
            return "patient-may-not-book";
        }
        if (!patient.MayReceiveAutomatedTexts)
        {
            return "patient-gets-no-texts";
        }
        if (otherSessionThatDay)
        {
            return "other-session-that-day";
        }
        if (holdsAnOffer)
        {
            return HoldsAnOffer;
        }
        return offersToday >= OffersPerDay ? OffersUsedToday : null;
    }
}
