using ClinicBackend.Application.Access;
using ClinicBackend.Application.Escalation;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Events;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Time;

namespace ClinicBackend.Application.Flags;

public sealed class ResolveInput
{
    public string? Note { get; set; }
}

/// <summary>The clinic's follow-up list.</summary>
public sealed class FlagService(ClinicData data, ClinicAccess access, ClinicUpdates updates, PatientReads reads, TimeProvider time)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;

    public async Task<Result<IReadOnlyList<Flag>>> ListAsync(Caller caller, string clinicId, string? status, string? kind, int? limit, CancellationToken ct)
    {
        var stored = await access.RequireAsync(caller, clinicId, Need.Staff, ct);
        if (!stored.IsSuccess)
        {
            return stored.Problem!;
        }
        var errors = new FieldErrors();
        if (status is not null && status is not ("open" or "resolved"))
        {
            errors.Add("status", "status must be open or resolved.");
        }
        if (kind is not null && !FlagKinds.All.Contains(kind))
        {
            errors.Add("kind", $"kind must be one of {string.Join(", ", FlagKinds.All)}.");
        }
        if (limit is < 1 or > MaxLimit)
        {
            errors.Add("limit", $"limit must be between 1 and {MaxLimit}.");
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        var take = limit ?? DefaultLimit;
        var statuses = status is null ? new[] { "open", "resolved" } : [status];
        var flags = new List<Flag>();
        foreach (var s in statuses)
        {
            flags.AddRange(await NewestAsync(clinicId, s, kind, take, ct));
        }
        var listed = flags.OrderByDescending(f => f.CreatedAt).ThenBy(f => f.Id, StringComparer.Ordinal).Take(take).ToList();
        reads.Record(clinicId, caller.ObjectId, listed.Select(f => f.PatientId), "flags", time.Now());
        return listed;
    }

    /// <summary>
    /// The newest <paramref name="take"/> flags of a status, by key order; with a kind filter it reads page by
    /// page until it has enough, so it never reads the whole (growing) resolved history at once.
    /// </summary>
    private async Task<List<Flag>> NewestAsync(string clinicId, string status, string? kind, int take, CancellationToken ct)
    {
        const int page = 200;
        var found = new List<Flag>();
        string? from = null;
        while (found.Count < take)
        {
            var rows = await data.FlagIndexAsync(clinicId, status, from, kind is null ? take : page, ct);
            found.AddRange(rows.Select(r => r.Value).Where(f => kind is null || f.Kind == kind));
            if (kind is null || rows.Count < page)
            {
                break;
            }
            from = rows[^1].Key + "!"; // just after the last key read
        }
        return found.Take(take).ToList();
    }

    public Task<Result<Flag>> ResolveAsync(Caller caller, string clinicId, string flagId, ResolveInput input, int? ifMatch, CancellationToken ct) =>
        updates.ChangeAsync<Flag, Flag>(caller, clinicId, Need.Staff, Entities.Flag, flagId, ifMatch, async change =>
        {
            var (flag, commit) = (change.Current, change.Commit);
            if (!PlainText.IsValid(input.Note, 2000, multiline: true))
            {
                return Problem.Validation("note", "Say what was done, in 1 to 2000 printable characters (line breaks allowed).");
            }
            var decided = flag.Value.Resolve(input.Note!.Trim(), caller.ObjectId, commit.Now);
            if (!decided.IsSuccess)
            {
                return decided;
            }
            var resolved = decided.Value;
            OnCallPager.End(commit, flag.Value); // resolving stops the paging
            FlagWrites.Update(commit, flag.Value, resolved, flag.ETag, "flag.resolved", EventTypes.FlagResolved, $"flag-{flagId}-resolved");
            if (FlagKinds.PausesTexts(resolved.Kind) && resolved.PatientId is { } patientId)
            {
                await ResumeTextsAsync(commit, clinicId, patientId, flagId, ct);
            }
            return resolved;
        }, ct);

    /// <summary>Automated texts resume when the crisis flag that paused them is resolved and no other crisis flag of the patient is open.</summary>
    private async Task ResumeTextsAsync(ClinicCommit commit, string clinicId, string patientId, string flagId, CancellationToken ct)
    {
        var patient = await data.PatientAsync(clinicId, patientId, ct);
        if (patient is not null && patient.Value.PausedByFlagId == flagId)
        {
            var otherCrisis = (await data.OpenFlagsAsync(clinicId, ct))
                .FirstOrDefault(f => FlagKinds.PausesTexts(f.Kind) && f.PatientId == patientId && f.Id != flagId);
            var resumed = patient.Value.Resume(flagId, otherCrisis?.Id);
            commit.Replace(Keys.Patient(patientId), resumed, patient.ETag);
            commit.Audit(otherCrisis is null ? "patient.texts-resumed" : "patient.still-paused", "patient", patientId, patient.Value, resumed);
        }
    }
}
