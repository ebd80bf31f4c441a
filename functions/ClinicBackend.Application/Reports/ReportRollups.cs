using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Reports;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace ClinicBackend.Application.Reports;


/// <summary>
/// The report's stored figures, so that a year's summary reads a few hundred rows rather than every session and text
/// of the year. All of a day's rows sit under <c>rday|{date}|</c>, so one range query reads a whole range's:
/// <list type="bullet">
/// <item>sessions: the figures of each past clinic-local day, computed from the day index when missing or when a
/// session change marked the day (written in the change's own commit); days from today on come from the day index;</item>
/// <item>texts: each text's tally under the day it counts on, brought up to date from the texts storage wrote since
/// the last update (found by the rows' write time, so the texts' own writes are untouched);</item>
/// <item>not ready: the visits the sweep found not ready the day before, with the causes (read only here).</item>
/// </list>
/// Storing is conditional and best effort: a day stored from rows that changed meanwhile stays marked, and texts
/// not stored stay after the mark, for the next report.
/// </summary>
public sealed class ReportRollups(ClinicData data, ILogger<ReportRollups> logger)
{
    /// <summary>How far before storage's clock at the last read the next update starts: covers commits in flight meanwhile and clock skew.</summary>
    public static readonly TimeSpan WriteTimeMargin = TimeSpan.FromMinutes(1);

    /// <summary>The session figures of every day of the range, its texts' counts, and its visits that were not ready the day before.</summary>
    public async Task<(IReadOnlyList<SessionDay> Days, SmsCounts Texts, ReadinessCounts Readiness)> ReadAsync(Clinic clinic, ReportRange range, LocalDate today, Instant now, CancellationToken ct)
    {
        var liveFrom = range.From > today ? range.From : today;
        var live = range.To >= liveFrom ? DaysAsync(clinic.Id, liveFrom, range.To, now, ct) : null;
        // The texts' mark before the stored days: an update that moves it has stored its days first, or its texts are read here again.
        var mark = await data.ReportTextsMarkAsync(clinic.Id, ct);
        var storedTask = data.ReportDayRowsAsync(clinic.Id, range.From, range.To.PlusDays(1), ct);
        var writtenTask = data.TextsWrittenSinceAsync(clinic.Id, mark?.Value.WrittenUpTo, ct);
        var stored = new StoredDays(await storedTask);

        var pastTo = range.To < today ? range.To : today.PlusDays(-1);
        var past = range.From <= pastTo ? PastDaysAsync(clinic, range.From, pastTo, stored, now, ct) : Task.FromResult<IReadOnlyList<SessionDay>>([]);
        var texts = TextsAsync(clinic, range, stored, mark, await writtenTask, ct);
        var days = (await past).ToList();
        if (live is not null)
        {
            days.AddRange(await live);
        }
        var readiness = ReadinessCounts.Of(stored.NotReady.Where(m => range.Contains(m.Date)).Select(m => m.Causes));
        return (days, await texts, readiness);
    }

    /// <summary>The figures of the days [from, to] computed from the day index and the chair-time released on them (two range queries).</summary>
    private async Task<IReadOnlyList<SessionDay>> DaysAsync(string clinicId, LocalDate from, LocalDate to, Instant now, CancellationToken ct)
    {
        var sessions = data.SessionsOnDaysAsync(clinicId, from, to.PlusDays(1), ct);
        var releases = data.ChairReleasesOnDaysAsync(clinicId, from, to.PlusDays(1), ct);
        var (dayRows, released) = (await sessions, await releases);
        return Dates(from, to).Select(date => SessionDay.Of(date, dayRows, released, now)).ToList();
    }

    /// <summary>The rows read under <c>rday|</c>, by day and kind.</summary>
    private sealed class StoredDays
    {
        public StoredDays(IEnumerable<Stored<JsonElement>> rows)
        {
            foreach (var row in rows)
            {
                switch (row.Key.Split('|')[2])
                {
                    case "sessions":
                        var day = Read<SessionDay>(row.Value);
                        Sessions[day.Date] = new Stored<SessionDay>(row.Key, day, row.ETag);
                        break;
                    case "changed":
                        var changed = Read<ReportDayChanged>(row.Value);
                        Changed[changed.Date] = new Stored<ReportDayChanged>(row.Key, changed, row.ETag);
                        break;
                    case "texts":
                        var texts = Read<ReportTexts>(row.Value);
                        Texts[texts.Date] = new Stored<ReportTexts>(row.Key, texts, row.ETag);
                        break;
                    case "notready":
                        NotReady.Add(Read<NotReadyMark>(row.Value));
                        break;
                }
            }
        }

        public Dictionary<LocalDate, Stored<SessionDay>> Sessions { get; } = [];

        /// <summary>Whether the day's figures must be computed: not stored, marked as changed, or stored before the chair figures.</summary>
        public bool IsStale(LocalDate date) => !Sessions.TryGetValue(date, out var day) || day.Value.Chairs is null || Changed.ContainsKey(date);

        public Dictionary<LocalDate, Stored<ReportDayChanged>> Changed { get; } = [];

        public Dictionary<LocalDate, Stored<ReportTexts>> Texts { get; } = [];

        /// <summary>The sweep's day-before marks of visits that were not ready (written by <see cref="Sweep.CoverageSweep"/>).</summary>
        public List<NotReadyMark> NotReady { get; } = [];

        private static T Read<T>(JsonElement json) => json.Deserialize<T>(DocumentJson.Options) ?? throw new InvalidDataException("An empty report row.");
    }

    private async Task<IReadOnlyList<SessionDay>> PastDaysAsync(Clinic clinic, LocalDate from, LocalDate to, StoredDays stored, Instant now, CancellationToken ct)
    {
        var stale = Dates(from, to).Where(stored.IsStale).ToList();
        var computed = (await Task.WhenAll(Runs(stale).Select(run => DaysAsync(clinic.Id, run.From, run.To, now, ct)))).SelectMany(d => d).ToList();
        // Days before the clinic existed are computed (nothing to read) but not stored.
        var opened = clinic.CreatedAt.InZone(clinic.Zone).Date;
        await SaveDaysAsync(clinic.Id, computed.Where(d => d.Date >= opened).ToList(), stored, ct);
        var byDate = computed.ToDictionary(d => d.Date);
        return Dates(from, to).Select(d => byDate.TryGetValue(d, out var day) ? day : stored.Sessions[d].Value).ToList();
    }

    /// <summary>
    /// Stores recomputed days. A marked day is stored with the removal of its mark under the mark's ETag, a day not
    /// stored yet as an insert, a day stored without its chair figures under that row's ETag: each fails when another
    /// report or a change came first, and the day is computed again next time. A chunk that fails is tried again day by day.
    /// </summary>
    private async Task SaveDaysAsync(string clinicId, IReadOnlyList<SessionDay> days, StoredDays stored, CancellationToken ct)
    {
        IReadOnlyList<Change> ChangesOf(SessionDay day)
        {
            var key = Keys.ReportSessions(day.Date);
            var row = stored.Sessions.GetValueOrDefault(day.Date);
            return stored.Changed.TryGetValue(day.Date, out var mark)
                ? [row is not null ? new Change.Upsert(key, day) : new Change.Insert(key, day), new Change.Delete(mark.Key, mark.ETag)]
                : [row is not null ? new Change.Replace(key, day, row.ETag) : new Change.Insert(key, day)];
        }

        // At most two rows a day, so a day and its mark always share a commit.
        foreach (var chunk in days.Chunk(IDocumentStore.MaxChangesPerCommit / 2))
        {
            if (await TryCommitAsync(clinicId, chunk.SelectMany(ChangesOf).ToList(), ct) || chunk.Length == 1)
            {
                continue;
            }
            foreach (var day in chunk)
            {
                await TryCommitAsync(clinicId, ChangesOf(day), ct);
            }
        }
    }

    /// <summary>The texts dated in the range, after bringing the stored texts up to date with those written since the mark.</summary>
    private async Task<SmsCounts> TextsAsync(Clinic clinic, ReportRange range, StoredDays storedDays, Stored<ReportTextsMark>? mark, WrittenRows<SmsMessage> written, CancellationToken ct)
    {
        var stored = storedDays.Texts;
        var updates = new Dictionary<LocalDate, Dictionary<string, int>>();
        foreach (var text in written.Rows)
        {
            if (SummaryFigures.Tally(text.Row.Value, clinic.Zone) is { } tally)
            {
                (updates.TryGetValue(tally.Date, out var day) ? day : updates[tally.Date] = [])[ShortKey(text.Row.Key)] = (int)tally.Tally;
            }
        }
        var outside = updates.Keys.Where(d => !range.Contains(d)).Select(d => data.ReportTextsAsync(clinic.Id, d, ct)).ToList();
        foreach (var row in await Task.WhenAll(outside))
        {
            if (row is not null)
            {
                stored[row.Value.Date] = row;
            }
        }

        var changes = new List<Change>();
        var current = stored.ToDictionary(p => p.Key, p => p.Value.Value);
        foreach (var (date, tallies) in updates)
        {
            var before = stored.TryGetValue(date, out var row) ? row.Value.Tallies : [];
            var after = new Dictionary<string, int>(before, StringComparer.Ordinal);
            foreach (var (key, tally) in tallies)
            {
                if (tally == (int)SmsTally.None)
                {
                    after.Remove(key);
                }
                else
                {
                    after[key] = tally;
                }
            }
            if (after.Count == before.Count && after.All(p => before.TryGetValue(p.Key, out var t) && t == p.Value))
            {
                continue;
            }
            current[date] = new ReportTexts(date, after);
            changes.Add(row is null ? new Change.Insert(Keys.ReportTexts(date), current[date]) : new Change.Replace(row.Key, current[date], row.ETag));
        }
        await SaveTextsAsync(clinic.Id, changes, mark, written, ct);
        return SummaryFigures.CountTexts(current.Values.Where(t => range.Contains(t.Date)).SelectMany(t => t.Tallies.Values).Select(t => (SmsTally)t));
    }

    /// <summary>Stores the changed days, and only when all of them went in, moves the mark up to when storage answered.</summary>
    private async Task SaveTextsAsync(string clinicId, IReadOnlyList<Change> changes, Stored<ReportTextsMark>? mark, WrittenRows<SmsMessage> written, CancellationToken ct)
    {
        foreach (var chunk in changes.Chunk(IDocumentStore.MaxChangesPerCommit))
        {
            if (!await TryCommitAsync(clinicId, chunk, ct))
            {
                return;
            }
        }
        // Up to storage's clock when it answered, less the margin; without that clock, up to the newest write read.
        var upTo = (written.ReadAt ?? (written.Rows.Count == 0 ? null : written.Rows.Max(w => w.WrittenAt))) - WriteTimeMargin;
        if (upTo is { } next && (mark is null || next > mark.Value.WrittenUpTo))
        {
            var moved = new ReportTextsMark(next);
            await TryCommitAsync(clinicId, [mark is null ? new Change.Insert(Keys.ReportTextsMark, moved) : new Change.Replace(mark.Key, moved, mark.ETag)], ct);
        }
    }

    /// <summary>
    /// False when another report or a change got there first, or storage refused the write: what was not stored is
    /// computed again next time, and this report is answered from what it computed.
    /// </summary>
    private async Task<bool> TryCommitAsync(string clinicId, IReadOnlyList<Change> changes, CancellationToken ct)
    {
        try
        {
            return await data.TryStoreReportRowsAsync(clinicId, changes, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Storing the report's figures of clinic {ClinicId} failed; the next report computes them again.", clinicId);
            return false;
        }
    }

    /// <summary>A text's key in the stored texts: 8 characters (48 bits) of a hash of its row key.</summary>
    public static string ShortKey(string rowKey) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(rowKey)), 0, 6).Replace('+', '-').Replace('/', '_');

    private static IEnumerable<LocalDate> Dates(LocalDate from, LocalDate to)
    {
        for (var date = from; date <= to; date = date.PlusDays(1))
        {
            yield return date;
        }
    }

    private static IEnumerable<(LocalDate From, LocalDate To)> Runs(IReadOnlyList<LocalDate> dates)
    {
        for (var i = 0; i < dates.Count;)
        {
            var j = i;
            while (j + 1 < dates.Count && dates[j + 1] == dates[j].PlusDays(1))
            {
                j++;
            }
            yield return (dates[i], dates[j]);
            i = j + 1;
        }
    }
}
