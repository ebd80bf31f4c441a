using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Time;
using NodaTime;

namespace ClinicBackend.Application.Patients;

/// <summary>A patient's course in a body: all of it for a new patient, the given fields for a change.</summary>
public sealed class CourseInput
{
    private string? _phaseOverride;

    public string? StartDate { get; set; }
    public int? MaintenanceIntervalDays { get; set; }

    /// <summary>induction, optimization or maintenance; an explicit null clears it.</summary>
    public string? PhaseOverride
    {
        get => _phaseOverride;
        set
        {
            _phaseOverride = value;
            PhaseOverrideGiven = true;
        }
    }

    /// <summary>The whole list of pauses (replaces the stored one); absent leaves it as it is.</summary>
    public List<CoursePauseInput>? Pauses { get; set; }

    internal bool PhaseOverrideGiven { get; private set; }
}

public sealed class CoursePauseInput
{
    public string? From { get; set; }
    public string? To { get; set; }
    public string? Reason { get; set; }
}

public static class CourseInputs
{
    private static readonly string[] Phases = Enum.GetValues<TreatmentPhase>().Select(Names.Kebab).ToArray();

    /// <summary>The course after applying <paramref name="input"/> to <paramref name="existing"/>; errors go to <paramref name="errors"/>.</summary>
    public static TreatmentCourse? Apply(CourseInput input, TreatmentCourse? existing, LocalDate today, FieldErrors errors)
    {
        var startDate = existing?.StartDate ?? default;
        if (input.StartDate is not null)
        {
            if (!ClinicTime.TryParseDate(input.StartDate, out startDate))
            {
                errors.Add("course.startDate", "Give a real calendar date as YYYY-MM-DD, between 1900 and 2199.");
            }
            else if (startDate < today.PlusYears(-10) || startDate > today.PlusYears(1))
            {
                errors.Add("course.startDate", "course.startDate must be within the last 10 years or the coming year.");
            }
        }
        var interval = input.MaintenanceIntervalDays ?? existing?.MaintenanceIntervalDays ?? 7;
        if (!TreatmentCourse.AllowedMaintenanceIntervals.Contains(interval))
        {
            errors.Add("course.maintenanceIntervalDays", "maintenanceIntervalDays must be 7 or 14.");
        }
        var phase = existing?.PhaseOverride;
        if (input.PhaseOverrideGiven)
        {
            phase = null;
            if (input.PhaseOverride is { } name)
            {
                var index = Array.IndexOf(Phases, name);
                if (index < 0)
                {
                    errors.Add("course.phaseOverride", $"phaseOverride must be one of {string.Join(", ", Phases)}, or null for the phase derived from the start date.");
                }
                else
                {
                    phase = (TreatmentPhase)index;
                }
            }
        }
        var pauses = input.Pauses is null ? existing?.Pauses ?? [] : Pauses(input.Pauses, errors);
        return new TreatmentCourse(startDate, interval) { PhaseOverride = phase, Pauses = pauses };
    }

    /// <summary>Pauses in date order, not overlapping, only the last one open-ended.</summary>
    private static IReadOnlyList<CoursePause> Pauses(List<CoursePauseInput> input, FieldErrors errors)
    {
        if (input.Count > TreatmentCourse.MaxPauses)
        {
            errors.Add("course.pauses", $"At most {TreatmentCourse.MaxPauses} pauses.");
            return [];
        }
        var pauses = new List<CoursePause>();
        for (var i = 0; i < input.Count; i++)
        {
            var field = $"course.pauses[{i}]";
            var pause = input[i];
            if (pause is null || !ClinicTime.TryParseDate(pause.From, out var from))
            {
                errors.Add($"{field}.from", "Give the first paused date as YYYY-MM-DD.");
                continue;
            }
            LocalDate? to = null;
            if (pause.To is not null)
            {
                if (!ClinicTime.TryParseDate(pause.To, out var end) || end < from)
                {
                    errors.Add($"{field}.to", "Give the last paused date as YYYY-MM-DD, not before from; or null while the pause lasts.");
                    continue;
                }
                to = end;
            }
            if (!PlainText.IsValid(pause.Reason, 200))
            {
                errors.Add($"{field}.reason", "Give the reason for the pause, 1 to 200 printable characters.");
                continue;
            }
            pauses.Add(new CoursePause(from, to, pause.Reason!.Trim()));
        }
        pauses.Sort((a, b) => a.From.CompareTo(b.From));
        for (var i = 1; i < pauses.Count; i++)
        {
            if (pauses[i - 1].To is not { } end || end >= pauses[i].From)
            {
                errors.Add("course.pauses", "Pauses must not overlap, and only the latest may be open (to: null).");
                break;
            }
        }
        return pauses;
    }
}
