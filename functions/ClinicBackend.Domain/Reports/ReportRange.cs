using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Time;
using NodaTime;

namespace ClinicBackend.Domain.Reports;

/// <summary>The clinic-local days a report covers, both ends included: at most <see cref="MaxDays"/> days.</summary>
public sealed record ReportRange(LocalDate From, LocalDate To)
{
    public const int MaxDays = 366;

    public int Days => Period.Between(From, To, PeriodUnits.Days).Days + 1;

    public bool Contains(LocalDate day) => day >= From && day <= To;

    /// <summary>The Monday of the week holding <paramref name="day"/>.</summary>
    public static LocalDate WeekOf(LocalDate day) => day.With(DateAdjusters.PreviousOrSame(IsoDayOfWeek.Monday));

    /// <summary>The Mondays of the weeks that hold a day of the range, in order (the first and last may be partial).</summary>
    public IReadOnlyList<LocalDate> WeekStarts()
    {
        var weeks = new List<LocalDate>();
        for (var monday = WeekOf(From); monday <= To; monday = monday.PlusWeeks(1))
        {
            weeks.Add(monday);
        }
        return weeks;
    }

    /// <summary>Reads the <c>from</c> and <c>to</c> query parameters; every problem names its field.</summary>
    public static Result<ReportRange> Parse(string? from, string? to)
    {
        var errors = new FieldErrors();
        var fromOk = TryRead(from, "from", "the first day of the report", errors, out var first);
        var toOk = TryRead(to, "to", "the last day of the report", errors, out var last);
        if (fromOk && toOk)
        {
            if (last < first)
            {
                errors.Add("to", $"to ({ClinicTime.FormatDate(last)}) is before from ({ClinicTime.FormatDate(first)}); give a last day on or after the first.");
            }
            else if (new ReportRange(first, last).Days is var days && days > MaxDays)
            {
                errors.Add("to", $"The range covers {days} days; a report covers at most {MaxDays} (from and to included), "
                    + $"so from={ClinicTime.FormatDate(first)} goes up to to={ClinicTime.FormatDate(first.PlusDays(MaxDays - 1))}.");
            }
        }
        return errors.Any ? errors.ToProblem() : new ReportRange(first, last);
    }

    private static bool TryRead(string? text, string field, string meaning, FieldErrors errors, out LocalDate value)
    {
        if (string.IsNullOrEmpty(text))
        {
            value = default;
            errors.Add(field, $"{field} is required: {meaning}, clinic-local, as YYYY-MM-DD.");
            return false;
        }
        if (!ClinicTime.TryParseDate(text, out value))
        {
            errors.Add(field, $"{field} must be a real calendar date as YYYY-MM-DD, between 1900 and 2199.");
            return false;
        }
        return true;
    }
}
