using System.Globalization;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Messaging;

namespace ClinicBackend.Testing.Drills;

/// <summary>One thing a drill checks beyond the counts, with what it saw.</summary>
public sealed record DrillCheck(string Name, bool Passed, string Detail)
{
    public override string ToString() => Passed ? Detail : $"FAILED {Name}: {Detail}";
}

/// <summary>
/// What a drill measured. Texts are counted per ledger text from the Twilio stand-in's accepted texts (matched by
/// the patient's number and the ledger's body): sent once, sent twice or more, lost (never reached the stand-in and
/// not legitimately skipped). Flags are the sms-undeliverable flags raised in the drill's clinics.
/// </summary>
public sealed record DrillResult(string Drill, string Title, int Due, int SentOnce, int SentTwice, int Lost, int Flags, IReadOnlyList<DrillCheck> Checks, TimeSpan Elapsed)
{
    /// <summary>The app's warnings and errors during the drill, one line each (to read when it fails).</summary>
    public IReadOnlyList<string> Log { get; init; } = [];

    /// <summary>Texts were due, every one went exactly once, nothing was flagged, and every check held.</summary>
    public bool Passed => Due > 0 && SentOnce == Due && SentTwice == 0 && Lost == 0 && Flags == 0 && Checks.All(c => c.Passed);

    public static string Header =>
        $"{"drill",-50} {"due",4} {"once",5} {"twice",6} {"lost",5} {"flags",6} {"time",7}  result and checks";

    public override string ToString() =>
        $"{Drill + "  " + Title,-50} {Due,4} {SentOnce,5} {SentTwice,6} {Lost,5} {Flags,6} {Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture),5} s  "
        + $"{(Passed ? "ok" : "FAILED")}: {string.Join("; ", Checks)}";
}

/// <summary>A text a drill expects to go: the day-before reminder of the patient's one session.</summary>
public sealed record ExpectedText(string ClinicId, string PatientId, string Phone, string SessionId);

/// <summary>Counts what became of a drill's texts: its ledger rows against the stand-in's accepted texts.</summary>
public static class DrillTally
{
    public sealed record Counts(int Due, int SentOnce, int SentTwice, int Lost, int Flags, IReadOnlyList<DrillCheck> Checks);

    public static async Task<Counts> CountAsync(IDocumentStore store, IReadOnlyCollection<ExpectedText> expected, IReadOnlyCollection<TwilioStandIn.SentText> accepted,
        IEnumerable<string> clinicIds)
    {
        var (due, once, twice, lost) = (0, 0, 0, 0);
        var matched = new HashSet<string>();
        var unrecorded = new List<string>();
        foreach (var text in expected)
        {
            var rows = (await store.QueryPrefixAsync<SmsMessage>(text.ClinicId, Keys.MessagePrefix(text.PatientId), default))
                .Select(r => r.Value).Where(r => r.Direction == "outbound").ToList();
            var bodies = rows.Select(r => r.Body).OfType<string>().ToHashSet();
            // A row that was never claimed has no body yet: any text to the number counts, so nothing sent hides.
            var sent = accepted.Where(a => a.To == text.Phone && (bodies.Count == 0 || bodies.Contains(a.Body))).ToList();
            matched.UnionWith(sent.Select(a => a.Sid));
            var legitimatelySkipped = sent.Count == 0 && rows.Count > 0 && rows.All(r => r.Status == SmsStatus.Skipped && IsNoLongerWanted(r.Reason));
            if (legitimatelySkipped)
            {
                continue;
            }
            due++;
            switch (sent.Count)
            {
                case 0:
                    lost++;
                    break;
                case 1:
                    once++;
                    // Recorded: the ledger holds the accepted text's SID and a status Twilio gave it.
                    if (!rows.Any(r => r.TwilioSid == sent[0].Sid && SmsStatus.IsHandedOver(r.Status)))
                    {
                        unrecorded.Add($"{text.PatientId} ({string.Join(",", rows.Select(r => r.Status))})");
                    }
                    break;
                default:
                    twice++;
                    break;
            }
        }
        var flags = 0;
        foreach (var clinicId in clinicIds)
        {
            flags += (await store.QueryPrefixAsync<Flag>(clinicId, Keys.Flag(""), default)).Count(f => f.Value.Kind == FlagKinds.SmsUndeliverable);
        }
        var stray = accepted.Count(a => !matched.Contains(a.Sid));
        return new Counts(due, once, twice, lost, flags,
        [
            new DrillCheck("recorded", unrecorded.Count == 0, unrecorded.Count == 0
                ? "every text sent is recorded with its SID"
                : $"{unrecorded.Count} sent but not recorded with their SID: {string.Join(", ", unrecorded.Take(5))}"),
            new DrillCheck("no stray texts", stray == 0, stray == 0 ? "no text outside the ledger" : $"{stray} accepted texts match no ledger text"),
        ]);
    }

    /// <summary>
    /// Skipped because the text no longer made sense (session cancelled or moved, consent withdrawn, opted out, ...).
    /// Skipped for lack of time (expired, too late, dropped by quiet hours or the daily and weekly limits) is lost:
    /// a drill's texts are all wanted and have time, and each patient has only this one.
    /// </summary>
    public static bool IsNoLongerWanted(string? reason) =>
        reason is not null && !reason.StartsWith("expired", StringComparison.Ordinal) && !reason.StartsWith("too-late", StringComparison.Ordinal)
        && !reason.StartsWith("dropped", StringComparison.Ordinal);
}
