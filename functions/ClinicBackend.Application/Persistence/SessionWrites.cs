using System.Text.Json;
using System.Text.Json.Nodes;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Events;
using ClinicBackend.Domain.Reports;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Time;
using NodaTime;

namespace ClinicBackend.Application.Persistence;

/// <summary>A day whose sessions changed since the report last stored its figures.</summary>
public sealed record ReportDayChanged(LocalDate Date, Instant At);

/// <summary>
/// How a session change is written: the session row under its ETag, its index copies, its audit record, its event, and
/// the chair-time it releases before the session's start (kept for the report).
/// </summary>
public static class SessionWrites
{
    /// <summary>
    /// The most characters a session's document may have: a table property holds 64 KiB (32,768 UTF-16 characters),
    /// and the session's index copies are the same document. The caps on notes and observations keep real sessions far
    /// below; this refuses what would not fit (text that JSON escapes six characters a letter).
    /// </summary>
    public const int MaxDocumentChars = 30_000;

    /// <summary>A problem when <paramref name="session"/> would not fit its row.</summary>
    public static Problem? TooLarge(Session session) =>
        JsonSerializer.Serialize(session, DocumentJson.Options).Length <= MaxDocumentChars ? null
            : Problem.Rule("record-too-large", "The session's record would be too large to store.",
                "Shorten the notes or descriptions of this request (the session keeps up to 30,000 characters of record).");

    public static void Apply(ClinicCommit commit, Stored<Session> before, Session after, string action)
    {
        var old = before.Value;
        commit.Replace(Keys.Session(after.Id), after, before.ETag);
        WriteCopies(commit, old, after);
        commit.Audit(action, "session", after.Id, old, after);
        if (ChairRelease.Of(old, after, commit.Now) is { } release)
        {
            commit.Insert(Keys.ChairRelease(release.Start, release.SessionId, after.Version), release);
        }
        if (old.Status != after.Status)
        {
            commit.Event($"{after.Id}-v{after.Version}", EventTypes.SessionStatusChanged, $"sessions/{after.Id}", Data(after, old));
        }
        else if (old.StartUtc != after.StartUtc)
        {
            commit.Event($"{after.Id}-v{after.Version}", EventTypes.SessionRescheduled, $"sessions/{after.Id}", Data(after, old));
        }
    }

    /// <summary>A new session with its capacity claims and the patient's claim on its day.</summary>
    public static void Insert(ClinicCommit commit, Session session)
    {
        InsertClaims(commit, session);
        InsertRecords(commit, session);
    }

    /// <summary>A new session's chair claims and the patient's claim on its day: what reserves its place.</summary>
    public static void InsertClaims(ClinicCommit commit, Session session)
    {
        foreach (var claim in session.Claims)
        {
            commit.Insert(claim, new ChairClaim(session.Id));
        }
        commit.Insert(Keys.PatientDayClaim(session.PatientId, session.Date), new PatientDayClaim(session.Id));
    }

    /// <summary>A new session whose claims are in place: the session, its copies, its audit record and its event.</summary>
    public static void InsertRecords(ClinicCommit commit, Session session)
    {
        commit.Insert(Keys.Session(session.Id), session);
        commit.Upsert(Keys.DaySession(session.Start, session.Id), session);
        MarkDayChanged(commit, session.Date);
        commit.Upsert(Keys.PatientSession(session.PatientId, session.Start, session.Id), session);
        commit.Audit("session.booked", "session", session.Id, null, session);
        commit.Event($"{session.Id}-v{session.Version}", EventTypes.SessionBooked, $"sessions/{session.Id}", Data(session, null));
    }

    /// <summary>Frees the chairs and the patient's day of a session that will not take place.</summary>
    public static void ReleaseClaims(ClinicCommit commit, Session session)
    {
        foreach (var claim in session.Claims)
        {
            commit.Delete(claim);
        }
        commit.Delete(Keys.PatientDayClaim(session.PatientId, session.Date));
    }

    private static void WriteCopies(ClinicCommit commit, Session old, Session after)
    {
        var oldDay = Keys.DaySession(old.Start, old.Id);
        var newDay = Keys.DaySession(after.Start, after.Id);
        if (oldDay != newDay)
        {
            commit.Delete(oldDay);
        }
        commit.Upsert(newDay, after);
        MarkDayChanged(commit, old.Date);
        MarkDayChanged(commit, after.Date);
        var oldPatient = Keys.PatientSession(old.PatientId, old.Start, old.Id);
        var newPatient = Keys.PatientSession(after.PatientId, after.Start, after.Id);
        if (oldPatient != newPatient)
        {
            commit.Delete(oldPatient);
        }
        commit.Upsert(newPatient, after);
    }

    /// <summary>
    /// Tells the report that the day's stored figures are out of date, in the commit that changes them: an
    /// unconditional write, so concurrent changes of one day never conflict over it.
    /// </summary>
    private static void MarkDayChanged(ClinicCommit commit, LocalDate date)
    {
        var key = Keys.ReportDayChanged(date);
        if (!commit.Writes(key))
        {
            commit.Upsert(key, new ReportDayChanged(date, commit.Now));
        }
    }

    private static JsonObject Data(Session s, Session? previous)
    {
        var data = new JsonObject
        {
            ["sessionId"] = s.Id,
            ["patientId"] = s.PatientId,
            ["status"] = Names.Kebab(s.Status),
            ["start"] = ClinicTime.FormatMinute(s.Start),
            ["startUtc"] = ClinicTime.FormatUtc(s.StartUtc),
            ["version"] = s.Version,
        };
        if (previous is not null)
        {
            data["previousStatus"] = Names.Kebab(previous.Status);
            data["previousStartUtc"] = ClinicTime.FormatUtc(previous.StartUtc);
        }
        return data;
    }
}
