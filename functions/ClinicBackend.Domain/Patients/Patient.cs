using System.Text.Json.Serialization;
using NodaTime;

namespace ClinicBackend.Domain.Patients;

public enum TreatmentPhase
{
    Induction,
    Optimization,
    Maintenance,
}

/// <summary>What the patient is treated for: the course's cadence depends on it.</summary>
public enum Indication
{
    /// <summary>Treatment-resistant depression: induction, optimisation, maintenance.</summary>
    Trd,
    /// <summary>Depressive symptoms with acute suicidal ideation or behaviour: 84 mg twice a week for 4 weeks, no more studied.</summary>
    Mdsi,
}

/// <summary>The patient's sex as the REMS monitoring form asks it.</summary>
public enum Sex
{
    Female,
    Male,
    Other,
    Unknown,
}

/// <summary>A stretch in which the prescriber paused the course; open-ended while <see cref="To"/> is null.</summary>
public sealed record CoursePause(LocalDate From, LocalDate? To, string Reason)
{
    public bool Covers(LocalDate date) => From <= date && (To is null || date <= To);
}

/// <summary>
/// The prescribed course. For TRD: induction weeks 1-4 (twice a week), optimisation weeks 5-8 (weekly),
/// maintenance from week 9 (every 7 or 14 days, as the prescriber decides). For MDSI: induction only, 4 weeks,
/// after which the course has ended (the prescriber reviews it; no lapse is flagged). Paused days don't count
/// towards the weeks; a phase the prescriber set explicitly wins over the derived one (and, for MDSI, continues
/// the course past its end).
/// </summary>
public sealed record TreatmentCourse(LocalDate StartDate, int MaintenanceIntervalDays)
{
    public static readonly int[] AllowedMaintenanceIntervals = [7, 14];
    public const int MaxPauses = 20;
    /// <summary>Weeks 1-4.</summary>
    public const int InductionDays = 28;

    public TreatmentPhase? PhaseOverride { get; init; }
    public IReadOnlyList<CoursePause> Pauses { get; init; } = [];
    public Indication Indication { get; init; } = Indication.Trd;

    /// <summary>Days of the course before <paramref name="date"/>, paused days left out (0 on the start date).</summary>
    public int CourseDays(LocalDate date) => Period.Between(StartDate, date, PeriodUnits.Days).Days - PausedDays(StartDate, date);

    public TreatmentPhase PhaseOn(LocalDate date)
    {
        if (PhaseOverride is { } set)
        {
            return set;
        }
        if (Indication == Indication.Mdsi)
        {
            return TreatmentPhase.Induction;
        }
        return CourseDays(date) switch
        {
            < InductionDays => TreatmentPhase.Induction,
            < 2 * InductionDays => TreatmentPhase.Optimization,
            _ => TreatmentPhase.Maintenance,
        };
    }

    /// <summary>An MDSI course without an explicit phase is induction only: it ends after its 4 weeks.</summary>
    [JsonIgnore]
    public bool EndsAfterInduction => Indication == Indication.Mdsi && PhaseOverride is null;

    /// <summary>True from the first day after the 4 weeks of a course that ends after induction.</summary>
    public bool HasEndedOn(LocalDate date) => EndsAfterInduction && CourseDays(date) >= InductionDays;

    public bool IsPausedOn(LocalDate date) => Pauses.Any(p => p.Covers(date));

    /// <summary>How many days of [from, toExclusive) fall in a pause.</summary>
    public int PausedDays(LocalDate from, LocalDate toExclusive)
    {
        var days = 0;
        foreach (var pause in Pauses)
        {
            var start = pause.From > from ? pause.From : from;
            var end = pause.To is { } to && to.PlusDays(1) < toExclusive ? to.PlusDays(1) : toExclusive;
            days += start < end ? Period.Between(start, end, PeriodUnits.Days).Days : 0;
        }
        return days;
    }

    /// <summary>Days from the last fulfilled session to <paramref name="day"/>, paused days left out.</summary>
    public int CadenceGapDays(LocalDate lastFulfilled, LocalDate day) =>
        Period.Between(lastFulfilled, day, PeriodUnits.Days).Days - PausedDays(lastFulfilled.PlusDays(1), day.PlusDays(1));

    /// <summary>
    /// The cadence has lapsed on <paramref name="day"/>: the course is not paused or ended that day, and the gap since the last
    /// fulfilled session is longer than the phase after it allows plus the clinic's grace.
    /// </summary>
    public bool HasLapsed(LocalDate lastFulfilled, LocalDate day, int graceDays) =>
        !IsPausedOn(day) && !HasEndedOn(day) && CadenceGapDays(lastFulfilled, day) > AllowedGapDays(PhaseOn(lastFulfilled.PlusDays(1))) + graceDays;

    /// <summary>The longest gap between sessions that the phase allows, in days.</summary>
    public int AllowedGapDays(TreatmentPhase phase) => phase switch
    {
        TreatmentPhase.Induction => 4, // twice a week: no gap longer than 4 days
        TreatmentPhase.Optimization => 7,
        _ => MaintenanceIntervalDays,
    };
}

/// <summary>A patient of one clinic. The same person at two clinics is two patients.</summary>
public sealed record Patient
{
    public required string Id { get; init; }
    public required string ClinicId { get; init; }
    public required string GivenName { get; init; }
    public required string FamilyName { get; init; }
    /// <summary>E.164.</summary>
    public required string Phone { get; init; }
    public required bool SmsConsent { get; init; }
    /// <summary>A new patient of the clinic from the details staff gave: version 1, texts neither opted out nor paused.</summary>
    public static Patient Enrol(Patient details, Instant now) =>
        details with { SmsOptedOut = false, PausedByFlagId = null, Version = 1, CreatedAt = now };

    /// <summary>
    /// The details staff changed, one version on. What only the patient or the safety rules decide (the opt-out, a
    /// crisis pause) and when the patient was enrolled stay as they are.
    /// </summary>
    public Patient Revise(Patient details) =>
        details with { Id = Id, ClinicId = ClinicId, SmsOptedOut = SmsOptedOut, PausedByFlagId = PausedByFlagId, Version = Version + 1, CreatedAt = CreatedAt };

    /// <summary>The patient texted STOP (or Twilio reported 21610) for this clinic's number.</summary>
    public bool SmsOptedOut { get; init; }
    public required bool RemsEnrolled { get; init; }
    public LocalDate? DateOfBirth { get; init; }
    /// <summary>Null until someone records it.</summary>
    public Sex? Sex { get; init; }
    public string Language { get; init; } = "en";
    public string? ExternalId { get; init; }
    public required TreatmentCourse Course { get; init; }
    [JsonIgnore]
    public Indication Indication => Course.Indication;
    /// <summary>The patient's own IANA time zone when it differs from the clinic's: quiet hours and the daily limit follow it.</summary>
    public string? TimeZone { get; init; }
    public bool Active { get; init; } = true;
    /// <summary>Set while a crisis flag is open: automated texts stop until staff resolve it.</summary>
    public string? PausedByFlagId { get; init; }
    public int Version { get; init; } = 1;
    public Instant CreatedAt { get; init; }

    /// <summary>True when automated texts may go to this patient at all.</summary>
    public bool MayReceiveAutomatedTexts => Active && SmsConsent && !SmsOptedOut && PausedByFlagId is null;

    public static readonly string[] Languages = ["en", "es"];

    /// <summary>Where the patient is: their own zone, or the clinic's.</summary>
    public DateTimeZone ZoneOr(DateTimeZone clinicZone) =>
        TimeZone is { } id && DateTimeZoneProviders.Tzdb.GetZoneOrNull(id) is { } zone ? zone : clinicZone;

    /// <summary>The patient texted STOP (or the carrier reported it): no automated text until START.</summary>
    public Patient OptOut() => SmsOptedOut ? this : this with { SmsOptedOut = true, Version = Version + 1 };

    /// <summary>The patient texted START: automated texts may go to them again.</summary>
    public Patient OptIn() => SmsOptedOut ? this with { SmsOptedOut = false, Version = Version + 1 } : this;

    /// <summary>A crisis flag pauses automated texts; a pause already on stays with the flag that started it.</summary>
    public Patient PauseForCrisis(string flagId) => PausedByFlagId is null ? this with { PausedByFlagId = flagId, Version = Version + 1 } : this;

    /// <summary>
    /// The crisis flag <paramref name="resolvedFlagId"/> was resolved: texts resume, or stay paused by
    /// <paramref name="otherOpenCrisis"/> when another crisis flag of the patient is still open. A pause by another flag is untouched.
    /// </summary>
    public Patient Resume(string resolvedFlagId, string? otherOpenCrisis) =>
        PausedByFlagId == resolvedFlagId && otherOpenCrisis != resolvedFlagId ? this with { PausedByFlagId = otherOpenCrisis, Version = Version + 1 } : this;
}
