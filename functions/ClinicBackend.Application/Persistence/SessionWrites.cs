using System.Text.Json.Nodes;
using ClinicBackend.Application.Access;
using ClinicBackend.Application.Clinics;
using ClinicBackend.Application.Flags;
using ClinicBackend.Application.Patients;
using ClinicBackend.Application.Runs;
using ClinicBackend.Application.Sessions;
using ClinicBackend.Domain.Events;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Time;

namespace ClinicBackend.Application.Persistence;

/// <summary>How a session change is written: the session row under its ETag, its index copies, its audit record and its event.</summary>
public static class SessionWrites
{
    public static void Apply(ClinicCommit commit, Stored<Session> before, Session after, string action)
    {
        var old = before.Value;
        commit.Replace(Keys.Session(after.Id), after, before.ETag);
        WriteCopies(commit, old, after);
        commit.Audit(action, "session", after.Id, old, after);
        if (old.Status != after.Status)
        {
            commit.Event($"{after.Id}-v{after.Version}", EventTypes.SessionStatusChanged, $"sessions/{after.Id}", Data(after, old));
        }
        else if (old.StartUtc != after.StartUtc)
        {
            commit.Event($"{after.Id}-v{after.Version}", EventTypes.SessionRescheduled, $"sessions/{after.Id}", Data(after, old));
        }
    }

    public static void Insert(ClinicCommit commit, Session session)
    {
        commit.Insert(Keys.Session(session.Id), session);
        commit.Upsert(Keys.DaySession(session.Start, session.Id), session);
        commit.Upsert(Keys.PatientSession(session.PatientId, session.Start, session.Id), session);
        commit.Audit("session.booked", "session", session.Id, null, session);
        commit.Event($"{session.Id}-v{session.Version}", EventTypes.SessionBooked, $"sessions/{session.Id}", Data(session, null));
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
        var oldPatient = Keys.PatientSession(old.PatientId, old.Start, old.Id);
        var newPatient = Keys.PatientSession(after.PatientId, after.Start, after.Id);
        if (oldPatient != newPatient)
        {
            commit.Delete(oldPatient);
        }
        commit.Upsert(newPatient, after);
    }

    private static JsonObject Data(Session s, Session? previous)
    {
        var data = new JsonObject
        {
            ["sessionId"] = s.Id,
            ["patientId"] = s.PatientId,
            ["status"] = Views.Kebab(s.Status),
            ["start"] = ClinicTime.FormatMinute(s.Start),
            ["startUtc"] = ClinicTime.FormatUtc(s.StartUtc),
            ["version"] = s.Version,
        };
        if (previous is not null)
        {
            data["previousStatus"] = Views.Kebab(previous.Status);
            data["previousStartUtc"] = ClinicTime.FormatUtc(previous.StartUtc);
        }
        return data;
    }
}
