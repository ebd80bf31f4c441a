using System.Globalization;

namespace ClinicBackend.Functions.Reports;

public enum ReportFormat
{
    Json,
    Csv,
    Svg,
}

/// <summary>
/// Content negotiation of the report routes (RFC 9110): the most specific media range of <c>Accept</c> gives each
/// format its weight, the heaviest wins, ties go to JSON, then CSV. No or an unreadable header means JSON; a header
/// whose ranges all exclude the three formats (<c>application/pdf</c>, or <c>application/json;q=0</c> alone) gets 406.
/// </summary>
public static class ReportMediaTypes
{
    public const string Json = "application/json";
    public const string Csv = "text/csv";
    public const string Svg = "image/svg+xml";

    public const string CsvContentType = "text/csv; charset=utf-8; header=present";
    public const string SvgContentType = "image/svg+xml; charset=utf-8";

    private static readonly (ReportFormat Format, string Type, string Subtype)[] Offered =
    [
        (ReportFormat.Json, "application", "json"),
        (ReportFormat.Csv, "text", "csv"),
        (ReportFormat.Svg, "image", "svg+xml"),
    ];

    /// <summary>The format to answer in, or null when the caller accepts none of them.</summary>
    public static ReportFormat? Negotiate(string? accept)
    {
        var ranges = Parse(accept);
        if (ranges.Count == 0)
        {
            return ReportFormat.Json;
        }
        ReportFormat? best = null;
        var bestWeight = 0.0;
        foreach (var (format, type, subtype) in Offered)
        {
            var weight = ranges
                .Where(r => (r.Type == "*" || r.Type == type) && (r.Subtype == "*" || r.Subtype == subtype) && !(r.Type == "*" && r.Subtype != "*"))
                .OrderByDescending(r => (r.Type == "*" ? 0 : 1) + (r.Subtype == "*" ? 0 : 1))
                .Select(r => (double?)r.Weight)
                .FirstOrDefault() ?? 0;
            if (weight > bestWeight)
            {
                (best, bestWeight) = (format, weight);
            }
        }
        return best;
    }

    private sealed record MediaRange(string Type, string Subtype, double Weight);

    private static List<MediaRange> Parse(string? accept)
    {
        var ranges = new List<MediaRange>();
        foreach (var part in (accept ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pieces = part.Split(';', StringSplitOptions.TrimEntries);
            var slash = pieces[0].Split('/', StringSplitOptions.TrimEntries);
            if (slash.Length != 2 || slash[0].Length == 0 || slash[1].Length == 0)
            {
                continue; // not a media range: ignored
            }
            var weight = 1.0;
            foreach (var parameter in pieces.Skip(1))
            {
                var pair = parameter.Split('=', 2, StringSplitOptions.TrimEntries);
                if (pair.Length == 2 && pair[0].Equals("q", StringComparison.OrdinalIgnoreCase)
                    && double.TryParse(pair[1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var q))
                {
                    weight = Math.Clamp(q, 0, 1);
                }
            }
            ranges.Add(new MediaRange(slash[0].ToLowerInvariant(), slash[1].ToLowerInvariant(), weight));
        }
        return ranges;
    }
}
