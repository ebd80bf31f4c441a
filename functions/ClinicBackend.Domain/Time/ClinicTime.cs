using ClinicBackend.Domain.Common;
using NodaTime;
using NodaTime.Text;
using NodaTime.TimeZones;

namespace ClinicBackend.Domain.Time;

/// <summary>Parsing and resolving the clinic-local wall-clock times of the API.</summary>
public static class ClinicTime
{
    public static readonly LocalDateTimePattern MinutePattern =
        LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm");

    public static readonly LocalDatePattern DatePattern = LocalDatePattern.Iso;

    public static readonly LocalTimePattern HourMinutePattern = LocalTimePattern.CreateWithInvariantCulture("HH':'mm");

    public static readonly InstantPattern UtcPattern = InstantPattern.General; // 2026-12-02T14:00:00Z

    /// <summary>
    /// The calendar the API works in. Dates and times outside it are refused as input: a clinic books within a
    /// year, and far dates would overflow the date arithmetic behind every range query (9999-12-31 plus a day).
    /// </summary>
    public static readonly LocalDate EarliestDate = new(1900, 1, 1);
    public static readonly LocalDate LatestDate = new(2199, 12, 31);

    public static bool IsWithinCalendar(LocalDate date) => date >= EarliestDate && date <= LatestDate;

    public static DateTimeZone? FindZone(string? id) =>
        string.IsNullOrWhiteSpace(id) ? null : DateTimeZoneProviders.Tzdb.GetZoneOrNull(id);

    public static bool TryParseMinute(string? text, out LocalDateTime value)
    {
        value = default;
        if (text is null)
        {
            return false;
        }
        var result = MinutePattern.Parse(text);
        if (!result.Success || !IsWithinCalendar(result.Value.Date))
        {
            return false;
        }
        value = result.Value;
        return true;
    }

    public static bool TryParseDate(string? text, out LocalDate value)
    {
        value = default;
        if (text is null)
        {
            return false;
        }
        var result = DatePattern.Parse(text);
        if (!result.Success || !IsWithinCalendar(result.Value))
        {
            return false;
        }
        value = result.Value;
        return true;
    }

    public static bool TryParseHourMinute(string? text, out LocalTime value)
    {
        value = default;
        if (text is null)
        {
            return false;
        }
        var result = HourMinutePattern.Parse(text);
        if (!result.Success)
        {
            return false;
        }
        value = result.Value;
        return true;
    }

    /// <summary>
    /// The instant of a clinic-local time: a time in a spring-forward gap does not exist (a rule problem);
    /// an ambiguous one in a fall-back overlap takes the earlier instant.
    /// </summary>
    public static Result<ZonedDateTime> Resolve(LocalDateTime local, DateTimeZone zone, string field)
    {
        var mapping = zone.MapLocal(local);
        return mapping.Count switch
        {
            0 => Problem.Rule("nonexistent-local-time", "That local time does not exist.",
                $"{field} {FormatMinute(local)} falls in the daylight-saving gap of {zone.Id}; choose a time outside the skipped hour."),
            _ => mapping.First(),
        };
    }

    /// <summary>The earliest instant at or after a local time; a time in a gap moves forward to the first valid instant.</summary>
    public static ZonedDateTime ResolveLenient(LocalDateTime local, DateTimeZone zone) =>
        zone.ResolveLocal(local, Resolvers.LenientResolver);

    public static string FormatMinute(LocalDateTime value) => MinutePattern.Format(value);

    public static string FormatDate(LocalDate value) => DatePattern.Format(value);

    public static string FormatHourMinute(LocalTime value) => HourMinutePattern.Format(value);

    public static string FormatUtc(Instant value) => UtcPattern.Format(value);

    public static Instant Now(this TimeProvider time) => Instant.FromDateTimeOffset(time.GetUtcNow());
}
