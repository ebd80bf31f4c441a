using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

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
    public static ReportFormat? Negotiate(string? accept) => NegotiateAmong(accept, Offered);

    /// <summary>
    /// The offered format <paramref name="accept"/> weighs heaviest (ties go to the one offered first; no or an
    /// unreadable header means the first), or null when it excludes them all. Any route with more than one representation uses it.
    /// </summary>
    public static TFormat? NegotiateAmong<TFormat>(string? accept, IReadOnlyList<(TFormat Format, string Type, string Subtype)> offered) where TFormat : struct
    {
        // The lenient list parser skips what is not a media range; a header with none left counts as absent.
        if (!MediaTypeHeaderValue.TryParseList([accept ?? ""], out var parsed) || parsed.Count == 0)
        {
            return offered[0].Format;
        }
        var ranges = parsed.Where(r => !(r.MatchesAllTypes && !r.MatchesAllSubTypes)).ToList(); // */csv matches nothing
        TFormat? best = null;
        var bestWeight = 0.0;
        foreach (var (format, type, subtype) in offered)
        {
            var weight = ranges
                .Where(r => (r.MatchesAllTypes || Same(r.Type, type)) && (r.MatchesAllSubTypes || Same(r.SubType, subtype)))
                .OrderByDescending(r => (r.MatchesAllTypes ? 0 : 1) + (r.MatchesAllSubTypes ? 0 : 1))
                .Select(r => (double?)(r.Quality ?? 1.0))
                .FirstOrDefault() ?? 0;
            if (weight > bestWeight)
            {
                (best, bestWeight) = (format, weight);
            }
        }
        return best;
    }

    private static bool Same(StringSegment a, string b) => a.Equals(b, StringComparison.OrdinalIgnoreCase);
}
