using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace ClinicBackend.Testing;

/// <summary>
/// GET Messages.json: the accepted texts, newest first, filtered by To, From and the day sent, in Twilio's paged format.
/// A listed text counts as sent at the moment it was accepted, with <see cref="ListedStatus"/>.
/// </summary>
public sealed partial class TwilioStandIn
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 1000;

    private static readonly string[] PagingKeys = ["Page", "PageSize", "PageToken"];

    /// <summary>Accepted texts, oldest first; lock it to read or write.</summary>
    private readonly List<SentText> _listed = [];

    /// <summary>The status listed texts have ("sent" unless a test wants one still in Twilio's queue).</summary>
    public string ListedStatus { get; set; } = "sent";

    /// <summary>When set, asked about every authenticated list request: an error to answer, or null to list.</summary>
    public Func<Answer.Error?>? ListRule { get; set; }

    private async Task ListAsync(HttpContext http, string account)
    {
        Interlocked.Increment(ref _listRequests);
        if (!Authenticated(http, account))
        {
            await WriteErrorAsync(http, Unauthenticated);
            return;
        }
        if (ListRule?.Invoke() is { } error)
        {
            await WriteErrorAsync(http, error);
            return;
        }
        var query = http.Request.Query;
        if (!SentDayFilter.TryRead(query, out var days, out var invalid)
            || !TryReadInt(query, "PageSize", DefaultPageSize, 1, MaxPageSize, out var pageSize, ref invalid)
            || !TryReadInt(query, "Page", 0, 0, 1_000_000, out var page, ref invalid))
        {
            await WriteErrorAsync(http, new Answer.Error(400, 20001, $"Invalid parameter {invalid}"));
            return;
        }
        string? to = query["To"], from = query["From"];
        SentText[] newestFirst;
        lock (_listed)
        {
            newestFirst = _listed.Where(t => (to is null || t.To == to) && (from is null || t.From == from) && days.Matches(t.At)).Reverse().ToArray();
        }

        var first = StartOf(newestFirst, query["PageToken"], page, pageSize);
        var onPage = newestFirst.Skip(first).Take(pageSize).ToArray();
        var filters = query.Where(q => !PagingKeys.Contains(q.Key)).ToArray();
        await http.Response.WriteAsJsonAsync(new Dictionary<string, object?>
        {
            ["messages"] = onPage.Select(t => MessageJson(t, ListedStatus, dateSent: t.At)).ToArray(),
            ["uri"] = PageUri(filters, pageSize, page, query["PageToken"]),
            ["first_page_uri"] = PageUri(filters, pageSize, 0, null),
            ["next_page_uri"] = first + onPage.Length < newestFirst.Length ? PageUri(filters, pageSize, page + 1, "PA" + onPage[^1].Sid) : null,
            ["previous_page_uri"] = page > 0 && onPage.Length > 0 ? PageUri(filters, pageSize, page - 1, "PB" + onPage[0].Sid) : null,
            ["page"] = page,
            ["page_size"] = pageSize,
            ["start"] = page * pageSize,
            ["end"] = page * pageSize + Math.Max(0, onPage.Length - 1),
        });
    }

    /// <summary>
    /// Where a page starts: after the text a "PA" token names (the last of the page before), at the page before the text a
    /// "PB" token names, else at <paramref name="page"/> times the page size.
    /// </summary>
    private static int StartOf(SentText[] newestFirst, string? token, int page, int pageSize)
    {
        var named = token is { Length: > 2 } ? Array.FindIndex(newestFirst, t => t.Sid == token[2..]) : -1;
        return named < 0 ? page * pageSize
            : token!.StartsWith("PA", StringComparison.Ordinal) ? named + 1
            : token.StartsWith("PB", StringComparison.Ordinal) ? Math.Max(0, named - pageSize)
            : page * pageSize;
    }

    private static string PageUri(KeyValuePair<string, StringValues>[] filters, int pageSize, int page, string? token)
    {
        var parameters = filters.SelectMany(f => f.Value.Select(v => (f.Key, Value: v ?? ""))).ToList();
        parameters.Add(("PageSize", pageSize.ToString(CultureInfo.InvariantCulture)));
        parameters.Add(("Page", page.ToString(CultureInfo.InvariantCulture)));
        if (token is not null)
        {
            parameters.Add(("PageToken", token));
        }
        return MessagesPath + "?" + string.Join("&", parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
    }

    private static bool TryReadInt(IQueryCollection query, string key, int fallback, int min, int max, out int value, ref string? invalid)
    {
        value = fallback;
        if (query.TryGetValue(key, out var text) && !(int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max))
        {
            invalid = key;
            return false;
        }
        return true;
    }

    /// <summary>
    /// Twilio's DateSent filters, by day in UTC: DateSent (that day), DateSent&gt; or DateSent&gt;= (on or after),
    /// DateSent&lt; or DateSent&lt;= (on or before). A value is a date or a date and time (the SDK sends the latter).
    /// </summary>
    private readonly record struct SentDayFilter(DateOnly? On, DateOnly? From, DateOnly? Until)
    {
        public bool Matches(DateTimeOffset sent)
        {
            var day = DateOnly.FromDateTime(sent.UtcDateTime);
            return (On is null || day == On) && (From is null || day >= From) && (Until is null || day <= Until);
        }

        public static bool TryRead(IQueryCollection query, out SentDayFilter filter, out string? invalid)
        {
            filter = default;
            invalid = null;
            foreach (var (key, values) in query.Where(q => q.Key.StartsWith("DateSent", StringComparison.Ordinal)))
            {
                if (!TryParseDay(values.ToString(), out var day))
                {
                    invalid = key;
                    return false;
                }
                switch (key)
                {
                    case "DateSent":
                        filter = filter with { On = day };
                        break;
                    case "DateSent>" or "DateSent>=":
                        filter = filter with { From = day };
                        break;
                    case "DateSent<" or "DateSent<=":
                        filter = filter with { Until = day };
                        break;
                    default:
                        invalid = key;
                        return false;
                }
            }
            return true;
        }

        private static bool TryParseDay(string text, out DateOnly day)
        {
            if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day))
            {
                return true;
            }
            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
            {
                day = DateOnly.FromDateTime(at.UtcDateTime);
                return true;
            }
            return false;
        }
    }
}
