using System.Globalization;

namespace ClinicBackend.Testing.Simulation;

/// <summary>A figure of the behaviour model, with where it comes from (a source, or "assumption").</summary>
public sealed record ModelParameter(string Name, double Value, string Source)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name,-44} {Value,8:0.###}  {Source}");
}

/// <summary>
/// How simulated patients behave: how often they cancel and with how much notice, miss a visit, answer a reminder or
/// an offer, and how long they take to answer. Every figure is printed with its source or marked as an assumption.
/// </summary>
public sealed record PatientModel
{
    private const string Assumption = "assumption";

    /// <summary>Chance that a booked visit is missed without notice, when no reminder is sent.</summary>
    public ModelParameter NoShowWithoutReminders { get; init; } = new("no-show, no reminders", 0.15, Assumption + " (outpatient psychiatry often reports 10-20%)");

    /// <summary>Risk ratio of a no-show when a day-before reminder is sent.</summary>
    public ModelParameter ReminderRiskRatio { get; init; } = new("no-show risk ratio with reminders", 0.77,
        "issue 25, quoting a meta-analysis of SMS reminders (not checked here)");

    public ModelParameter CancelShare { get; init; } = new("share of visits cancelled or moved with notice", 0.12, Assumption);
    public ModelParameter NoticeMinHours { get; init; } = new("notice, hours before the start, at least", 2, Assumption);
    public ModelParameter NoticeMaxHours { get; init; } = new("notice, hours before the start, at most", 96, Assumption + " (uniform in between, 08:00-20:00)");
    public ModelParameter ConfirmShare { get; init; } = new("share of reminders answered 1 (confirm)", 0.7, Assumption);
    public ModelParameter ReplyMedianMinutes { get; init; } = new("reply delay, median minutes", 12, Assumption + " (log-normal, sigma 1)");
    public ModelParameter OfferAcceptShare { get; init; } = new("share of waitlist offers taken", 0.5, Assumption);
    public ModelParameter PickShare { get; init; } = new("share of reschedule offers answered with a start", 0.85, Assumption + " (else 0: staff call)");
    public ModelParameter WaitlistShare { get; init; } = new("share of bookings 3+ days out that join the waitlist", 0.3, Assumption);
    public ModelParameter MaintenanceWeeklyShare { get; init; } = new("maintenance patients weekly (else every 2 weeks)", 0.5,
        "Spravato label: weekly or every 2 weeks in maintenance");
    public ModelParameter PatientsPerChair { get; init; } = new("patients per chair at the start", 16, Assumption + " (about 75% of chair-time asked for)");
    public ModelParameter NewPatientsPerChairWeek { get; init; } = new("new patients per chair a week", 0.5, Assumption);

    /// <summary>Induction twice a week for weeks 1-4, optimisation weekly for weeks 5-8: the label's schedule.</summary>
    public const string CourseSource = "Spravato label: induction twice weekly weeks 1-4, weekly weeks 5-8";

    public IEnumerable<ModelParameter> Parameters =>
    [
        NoShowWithoutReminders, ReminderRiskRatio, CancelShare, NoticeMinHours, NoticeMaxHours, ConfirmShare, ReplyMedianMinutes,
        OfferAcceptShare, PickShare, WaitlistShare, MaintenanceWeeklyShare, PatientsPerChair, NewPatientsPerChairWeek,
    ];

    /// <summary>A reply delay drawn from the log-normal around the median, at least a minute and at most six hours.</summary>
    public TimeSpan ReplyDelay(Random random)
    {
        var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var minutes = ReplyMedianMinutes.Value * Math.Exp(normal);
        return TimeSpan.FromMinutes(Math.Clamp(minutes, 1, 360));
    }
}
