using ClinicBackend.Application.Access;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Events;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Time;

namespace ClinicBackend.Application.Escalation;

public sealed record EscalationSummary(int Due, int Paged, int Exhausted)
{
    public static EscalationSummary operator +(EscalationSummary a, EscalationSummary b) => new(a.Due + b.Due, a.Paged + b.Paged, a.Exhausted + b.Exhausted);

    public static readonly EscalationSummary Zero = new(0, 0, 0);
}

/// <summary>What an on-call contact's text did.</summary>
public sealed record StaffReply(string Reply, string Handling);

/// <summary>
/// Urgent flags reach a person: raising one starts its paging in the same transaction, the EscalateFlags run
/// takes each due flag its next step, and a contact (ACK by text) or a member (the API) takes the flag, which
/// stops the paging. Every page, acknowledgement and step is in the flag's history and in the audit.
/// </summary>
public sealed class EscalationService(ClinicData data, ClinicUpdates updates, OnCallPager pager, TimeProvider time)
{
    /// <summary>Raises a new flag in <paramref name="commit"/>, paging at once when it is urgent; false when it existed.</summary>
    public async Task<bool> RaiseAsync(ClinicCommit commit, Clinic clinic, Flag flag, CancellationToken ct)
    {
        if (await data.FlagAsync(clinic.Id, flag.Id, ct) is not null)
        {
            return false;
        }
        var escalated = flag.IsUrgent ? await pager.StepAsync(commit, clinic, flag, ct) : flag;
        FlagWrites.Add(commit, escalated with { Version = flag.Version });
        if (escalated.Escalation.State != EscalationState.None)
        {
            commit.Audit(ActionOf(escalated), "flag", flag.Id, flag, escalated with { Version = flag.Version });
        }
        return true;
    }

    /// <summary>Makes an open flag urgent and starts its paging, in <paramref name="commit"/>.</summary>
    public async Task<Flag> MakeUrgentAsync(ClinicCommit commit, Clinic clinic, Stored<Flag> stored, Flag urgent, CancellationToken ct)
    {
        var escalated = await pager.StepAsync(commit, clinic, urgent, ct);
        FlagWrites.Update(commit, stored.Value, escalated with { Version = urgent.Version }, stored.ETag, "flag.escalated", EventTypes.FlagEscalated, $"flag-{urgent.Id}-escalated");
        return escalated;
    }

    public Task<ClinicRunReport<EscalationSummary>> RunAllAsync(CancellationToken ct) =>
        data.ForEachClinicAsync("EscalateFlags", RunClinicAsync, ct);

    /// <summary>The clinic's flags whose next step is due: one key-range query, then one unit of work per flag.</summary>
    public async Task<EscalationSummary> RunClinicAsync(Clinic clinic, CancellationToken ct)
    {
        var now = time.Now();
        var due = await data.EscalationsDueAsync(clinic.Id, now, ct);
        var (paged, exhausted) = (0, 0);
        foreach (var watch in due)
        {
            var after = await Concurrency.RetryAsync<Flag?>(async () =>
            {
                var flag = await data.FlagAsync(clinic.Id, watch.Value.FlagId, ct);
                var commit = new ClinicCommit(clinic.Id, Actors.Escalation, now);
                if (flag is null || flag.Value.Escalation.NextAt is not { } next || Keys.EscalationWatch(next, flag.Value.Id) != watch.Key)
                {
                    commit.Delete(watch.Key, watch.ETag); // a watch its flag no longer points at
                    await data.TryCommitAsync(commit, ct);
                    return null;
                }
                var stepped = await pager.StepAsync(commit, clinic, flag.Value, ct);
                if (stepped == flag.Value)
                {
                    return null;
                }
                FlagWrites.Update(commit, flag.Value, stepped, flag.ETag, ActionOf(stepped), EventTypes.FlagEscalated, $"flag-{stepped.Id}-v{stepped.Version}");
                await data.CommitAsync(commit, ct);
                return stepped;
            }, () => null);
            paged += after?.Escalation.State == EscalationState.Paging ? 1 : 0;
            exhausted += after?.Escalation.State == EscalationState.Exhausted ? 1 : 0;
        }
        return new EscalationSummary(due.Count, paged, exhausted);
    }

    /// <summary>A member takes an urgent flag through the API. Taking it again answers the flag unchanged.</summary>
    public Task<Result<Flag>> AcknowledgeAsync(Caller caller, string clinicId, string flagId, int? ifMatch, CancellationToken ct) =>
        updates.ChangeAsync<Flag, Flag>(caller, clinicId, Need.Staff, Entities.Flag, flagId, ifMatch,
            change => Task.FromResult(Acknowledge(change.Commit, change.Current, caller.ObjectId)), ct);

    /// <summary>
    /// A text from an on-call contact: <c>ACK 4821</c> takes the flag with that code; a bare <c>ACK</c> the one flag open
    /// for that contact. The reply and the MessageSid record go into the same unit of work.
    /// </summary>
    public async Task<StaffReply> AcknowledgeBySmsAsync(ClinicCommit commit, Clinic clinic, OnCallContact contact, string? code, CancellationToken ct)
    {
        string? flagId;
        if (code is not null)
        {
            flagId = (await data.PageCodeAsync(clinic.Id, code, ct))?.Value.FlagId;
        }
        else
        {
            var open = await data.ContactPagesAsync(clinic.Id, contact.Phone, ct);
            if (open.Count > 1)
            {
                return new StaffReply(SmsTexts.PagesAmbiguous(clinic), "ack-ambiguous");
            }
            flagId = open.SingleOrDefault()?.Value.FlagId;
        }
        var flag = flagId is null ? null : await data.FlagAsync(clinic.Id, flagId, ct);
        if (flag is null || flag.Value.Escalation.State != EscalationState.Paging)
        {
            return new StaffReply(SmsTexts.PageCodeUnknown(clinic), "ack-unknown-code");
        }
        var taken = Acknowledge(commit, flag, contact.Name);
        return taken.IsSuccess ? new StaffReply(SmsTexts.PageAcknowledged(clinic, contact.Name), "acknowledged") : new StaffReply(SmsTexts.PageCodeUnknown(clinic), "ack-refused");
    }

    /// <summary>An on-call contact texted STOP (or START): pages pass them over (or reach them again).</summary>
    public void SetContactOptOut(ClinicCommit commit, OnCallContact contact, bool optedOut)
    {
        if (optedOut)
        {
            commit.Upsert(Keys.ContactOptOut(contact.Phone), new ContactOptOut(commit.Now));
        }
        else
        {
            commit.Delete(Keys.ContactOptOut(contact.Phone));
        }
    }

    /// <summary>Adds the acknowledgement to <paramref name="commit"/> (nothing when the flag was taken already).</summary>
    private static Result<Flag> Acknowledge(ClinicCommit commit, Stored<Flag> flag, string by)
    {
        var taken = flag.Value.Acknowledge(by, commit.Now);
        if (taken.IsSuccess && taken.Value != flag.Value)
        {
            OnCallPager.End(commit, flag.Value);
            FlagWrites.Update(commit, flag.Value, taken.Value, flag.ETag, "flag.acknowledged", EventTypes.FlagAcknowledged, $"flag-{flag.Value.Id}-acknowledged");
        }
        return taken;
    }

    private static string ActionOf(Flag flag) => flag.Escalation.State switch
    {
        EscalationState.Paging => "flag.paged",
        EscalationState.Exhausted => "flag.escalation-exhausted",
        _ => "flag.paging-waits",
    };
}
