using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Time;
using NodaTime;

namespace ClinicBackend.Domain.Flags;

/// <summary>What the escalation of an urgent flag does next.</summary>
public abstract record EscalationStep
{
    /// <summary>Page the contact at this index of the clinic's list, as step <paramref name="Step"/> of the rounds.</summary>
    public sealed record Page(int ContactIndex, int Step) : EscalationStep;

    /// <summary>Nothing now: look again at <paramref name="At"/> (the clinic opens then).</summary>
    public sealed record Wait(Instant At) : EscalationStep;

    /// <summary>Every contact was paged round twice (or there is nobody to page): alert the operators.</summary>
    public sealed record Exhaust : EscalationStep;

    /// <summary>Acknowledged, resolved or not urgent: nothing to do.</summary>
    public sealed record Done : EscalationStep;
}

/// <summary>
/// On-call paging for urgent flags: a crisis pages the first contact at once, at any hour; other urgent flags
/// page only while the clinic is open (or when it opens). Unacknowledged after the clinic's ackMinutes, the next
/// contact is paged; after the last, the list goes round once more; then the escalation is exhausted. Contacts
/// who texted STOP are passed over. Pure: tested as a table.
/// </summary>
public static class EscalationRules
{
    public const int Rounds = 2;

    public static EscalationStep Next(Flag flag, Clinic clinic, IReadOnlySet<string> optedOutPhones, Instant now)
    {
        if (!flag.IsUrgent || flag.Status == FlagStatus.Resolved || flag.Escalation.State is EscalationState.Acknowledged or EscalationState.Exhausted)
        {
            return new EscalationStep.Done();
        }
        if (flag.Escalation.NextAt is { } due && due > now)
        {
            return new EscalationStep.Wait(due);
        }
        if (flag.Kind != FlagKinds.Crisis && NextOpening(clinic, now) is { } opens && opens > now)
        {
            return new EscalationStep.Wait(opens);
        }
        var contacts = clinic.Escalation.Contacts;
        for (var step = flag.Escalation.Steps; step < contacts.Count * Rounds; step++)
        {
            var index = step % contacts.Count;
            if (!optedOutPhones.Contains(contacts[index].Phone))
            {
                return new EscalationStep.Page(index, step);
            }
        }
        return new EscalationStep.Exhaust();
    }

    /// <summary>Now when the clinic is open, else when it next opens (within a week); null when it never opens.</summary>
    public static Instant? NextOpening(Clinic clinic, Instant now)
    {
        var local = now.InZone(clinic.Zone).LocalDateTime;
        for (var day = 0; day <= 7; day++)
        {
            var date = local.Date.PlusDays(day);
            if (clinic.HoursOn(date.DayOfWeek) is not { } hours)
            {
                continue;
            }
            if (day == 0 && local.TimeOfDay >= hours.Open && local.TimeOfDay < hours.Close)
            {
                return now;
            }
            if (day > 0 || local.TimeOfDay < hours.Open)
            {
                return ClinicTime.ResolveLenient(date.At(hours.Open), clinic.Zone).ToInstant();
            }
        }
        return null;
    }
}
