using System.Globalization;
using System.Text.RegularExpressions;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Time;
using NodaTime;
using NodaTime.Text;

namespace ClinicBackend.Functions.Fhir;

/// <summary>A time range [From, To); either end may be open.</summary>
public sealed record TimeRange(Instant? From, Instant? To);

/// <summary>
/// FHIR dates and date-times as search values and operation parameters. A value stands for the span its precision gives:
/// a date is that clinic-local day, a date-time without seconds its minute, with seconds its second. A date-time without an
/// offset is clinic-local time. Only dates from 1900 to 2199 (the API's calendar) are read.
/// </summary>
public static partial class FhirDates
{
    [GeneratedRegex(@"^(?<date>\d{4}-\d{2}-\d{2})(T(?<time>\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)(?<offset>Z|[+-]\d{2}:\d{2})?)?$")]
    private static partial Regex DateTimePattern();

    [GeneratedRegex(@"^(?<prefix>eq|ge|gt|le|lt)?(?<value>.*)$")]
    private static partial Regex PrefixPattern();

    /// <summary>The span a value stands for, or null when it is no FHIR date or date-time this API reads.</summary>
    public static (Instant Start, Instant End)? Span(string text, DateTimeZone zone)
    {
        var match = DateTimePattern().Match(text);
        if (!match.Success || !ClinicTime.TryParseDate(match.Groups["date"].Value, out var date))
        {
            return null;
        }
        if (!match.Groups["time"].Success)
        {
            var dayStart = ClinicTime.ResolveLenient(date.AtMidnight(), zone).ToInstant();
            return (dayStart, ClinicTime.ResolveLenient(date.PlusDays(1).AtMidnight(), zone).ToInstant());
        }
        var time = match.Groups["time"].Value;
        var clock = LocalTimePattern.ExtendedIso.Parse(time.Length == 5 ? time + ":00" : time);
        if (!clock.Success)
        {
            return null;
        }
        var local = date.At(clock.Value);
        var precision = time.Length switch { 5 => Duration.FromMinutes(1), 8 => Duration.FromSeconds(1), _ => Duration.Epsilon };
        Instant start;
        if (match.Groups["offset"].Value is { Length: > 0 } offsetText)
        {
            var offset = offsetText == "Z" ? Offset.Zero
                : Offset.FromHoursAndMinutes(int.Parse(offsetText[..3], CultureInfo.InvariantCulture), int.Parse(offsetText[4..], CultureInfo.InvariantCulture) * (offsetText[0] == '-' ? -1 : 1));
            if (Math.Abs(offset.Seconds) > 14 * 3600)
            {
                return null;
            }
            start = local.WithOffset(offset).ToInstant();
        }
        else
        {
            start = ClinicTime.ResolveLenient(local, zone).ToInstant();
        }
        return (start, start + precision);
    }

    /// <summary>
    /// The range the values of a date search parameter give together: <c>ge</c>/<c>gt</c> bound it below, <c>lt</c>/<c>le</c>
    /// above, no prefix or <c>eq</c> both ways. One bound of each side at most.
    /// </summary>
    public static Result<TimeRange> Range(string name, IReadOnlyList<string> values, DateTimeZone zone)
    {
        Instant? from = null, to = null;
        foreach (var raw in values)
        {
            var parsed = PrefixPattern().Match(raw);
            var prefix = parsed.Groups["prefix"].Value;
            if (raw.Contains(',', StringComparison.Ordinal) || Span(parsed.Groups["value"].Value, zone) is not { } span)
            {
                return Problem.Validation(name, $"{name} takes one date (YYYY-MM-DD) or date-time (YYYY-MM-DDThh:mm[:ss][Z|+hh:mm]), "
                    + "with a prefix ge, gt, lt, le or eq, between 1900 and 2199; repeat the parameter for a range.");
            }
            Instant? lower = prefix switch { "" or "eq" or "ge" => span.Start, "gt" => span.End, _ => null };
            Instant? upper = prefix switch { "" or "eq" or "le" => span.End, "lt" => span.Start, _ => null };
            if ((lower is not null && from is not null) || (upper is not null && to is not null))
            {
                return Problem.Validation(name, $"Give {name} at most once as a lower bound (ge, gt) and once as an upper bound (lt, le).");
            }
            from ??= lower;
            to ??= upper;
        }
        return new TimeRange(from, to);
    }
}
