using System.Text.Json.Nodes;
using ClinicBackend.Application.Access;
using ClinicBackend.Application.Clinics;
using ClinicBackend.Application.Events;
using ClinicBackend.Application.Flags;
using ClinicBackend.Application.Patients;
using ClinicBackend.Application.Runs;
using ClinicBackend.Application.Sessions;
using ClinicBackend.Domain.Events;
using ClinicBackend.Domain.Flags;

namespace ClinicBackend.Application.Persistence;

/// <summary>How a flag is written: its row, its status index row, an audit record and an event, in the caller's commit.</summary>
public static class FlagWrites
{
    public static void Raise(ClinicCommit commit, Flag flag)
    {
        commit.Insert(Keys.Flag(flag.Id), flag);
        commit.Insert(Keys.FlagIndex(Status(flag), flag.CreatedAt, flag.Id), flag);
        commit.Audit("flag.raised", "flag", flag.Id, null, flag);
        commit.Event($"flag-{flag.Id}-raised", EventTypes.FlagRaised, $"flags/{flag.Id}", Data(flag));
    }

    /// <summary>Writes a changed flag (resolution or escalation) over the one read under <paramref name="etag"/>.</summary>
    public static void Update(ClinicCommit commit, Flag before, Flag after, string etag, string action, string eventType, string eventId)
    {
        commit.Replace(Keys.Flag(after.Id), after, etag);
        var oldIndex = Keys.FlagIndex(Status(before), before.CreatedAt, before.Id);
        var newIndex = Keys.FlagIndex(Status(after), after.CreatedAt, after.Id);
        if (oldIndex != newIndex)
        {
            commit.Delete(oldIndex);
        }
        commit.Upsert(newIndex, after);
        commit.Audit(action, "flag", after.Id, before, after);
        commit.Event(eventId, eventType, $"flags/{after.Id}", Data(after));
    }

    public static string Status(Flag flag) => Views.Kebab(flag.Status);

    private static JsonObject Data(Flag flag) => new()
    {
        ["flagId"] = flag.Id,
        ["kind"] = flag.Kind,
        ["severity"] = Views.Kebab(flag.Severity),
        ["status"] = Views.Kebab(flag.Status),
        ["patientId"] = flag.PatientId,
        ["sessionId"] = flag.SessionId,
    };
}
