using System.Text.Json.Nodes;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Events;
using ClinicBackend.Domain.Flags;

namespace ClinicBackend.Application.Persistence;

/// <summary>
/// How flags are written: the flag row, its status index row, an audit record and an event, in the caller's
/// unit of work. A flag's id derives from its kind and cause, so it is raised at most once.
/// </summary>
public static class FlagWrites
{
    /// <summary>
    /// Adds the flag to <paramref name="commit"/> unless it exists (open or resolved); returns whether it did.
    /// A concurrent raise of the same flag makes the commit fail on the flag's key.
    /// </summary>
    public static async Task<bool> RaiseAsync(ClinicData data, ClinicCommit commit, Flag flag, CancellationToken ct)
    {
        if (await data.FlagAsync(commit.ClinicId, flag.Id, ct) is not null)
        {
            return false;
        }
        Add(commit, flag);
        return true;
    }

    /// <summary>
    /// Adds a flag that does not exist (looked up just before, or new by construction, as a flag named after an inbound
    /// text is: that text's MessageSid record in the same unit of work refuses a second handling). If it did exist,
    /// the commit fails on the flag's key.
    /// </summary>
    public static void Add(ClinicCommit commit, Flag flag)
    {
        commit.Insert(Keys.Flag(flag.Id), flag);
        commit.Insert(Keys.FlagIndex(Status(flag), flag.CreatedAt, flag.Id), flag);
        commit.Audit("flag.raised", "flag", flag.Id, null, flag);
        commit.Event($"flag-{flag.Id}-raised", EventTypes.FlagRaised, $"flags/{flag.Id}", Data(flag));
    }

    /// <summary>Raises a flag in a unit of work of its own; false when it existed already.</summary>
    public static async Task<bool> RaiseAloneAsync(ClinicData data, string clinicId, Flag flag, string actor, NodaTime.Instant now, CancellationToken ct)
    {
        var commit = new ClinicCommit(clinicId, actor, now);
        return await RaiseAsync(data, commit, flag, ct) && await data.TryCommitAsync(commit, ct);
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

    public static string Status(Flag flag) => Names.Kebab(flag.Status);

    private static JsonObject Data(Flag flag) => new()
    {
        ["flagId"] = flag.Id,
        ["kind"] = flag.Kind,
        ["severity"] = Names.Kebab(flag.Severity),
        ["status"] = Names.Kebab(flag.Status),
        ["patientId"] = flag.PatientId,
        ["sessionId"] = flag.SessionId,
    };
}
