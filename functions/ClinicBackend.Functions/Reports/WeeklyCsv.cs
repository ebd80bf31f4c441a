using System.Globalization;
using System.Text;
using ClinicBackend.Domain.Reports;
using ClinicBackend.Domain.Time;

namespace ClinicBackend.Functions.Reports;

/// <summary>The weekly series as RFC 4180 CSV: a header row, then one row per week, CRLF line ends.</summary>
public static class WeeklyCsv
{
    public const string Header = "weekStart,fulfilled,noshow,cancelled";

    public static string Write(IEnumerable<WeekCounts> weeks)
    {
        var csv = new StringBuilder(Header).Append("\r\n");
        foreach (var week in weeks)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{ClinicTime.FormatDate(week.WeekStart)},{week.Fulfilled},{week.Noshow},{week.Cancelled}\r\n");
        }
        return csv.ToString();
    }
}
