using System.Security.Cryptography;
using ClinicBackend.Application.Operations;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Messaging;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace ClinicBackend.Application.Escalation;

/// <summary>
/// Takes an urgent flag one step of its escalation inside a unit of work: pages the next contact (the page is a
/// planned text in the same transaction, sent through the ledger and outbox like every text), waits for the
/// clinic to open, or gives up and alerts the operators. The flag's own row is written by the caller.
/// </summary>
public sealed class OnCallPager(ClinicData data, ClinicMetrics metrics, ILogger<OnCallPager> logger)
{
    /// <summary>Who owns page texts in the ledger (they belong to no patient).</summary>
    public const string PageOwner = "oncall";

    /// <summary>The contacts who texted STOP to the clinic's number.</summary>
    public async Task<IReadOnlySet<string>> OptedOutContactsAsync(string clinicId, CancellationToken ct) =>
        await data.OptedOutContactsAsync(clinicId, ct);

    /// <summary>The flag after the next step (unchanged when there is none); the step's rows are added to <paramref name="commit"/>.</summary>
    public async Task<Flag> StepAsync(ClinicCommit commit, Clinic clinic, Flag flag, CancellationToken ct)
    {
        var now = commit.Now;
        var step = EscalationRules.Next(flag, clinic, await OptedOutContactsAsync(clinic.Id, ct), now);
        switch (step)
        {
            case EscalationStep.Page page:
                var contact = clinic.Escalation.Contacts[page.ContactIndex];
                var code = flag.Escalation.Code ?? await NewCodeAsync(commit, flag.Id, ct);
                var messageId = $"p-{flag.Id}-{page.Step}";
                var next = now + Duration.FromMinutes(clinic.Escalation.AckMinutes);
                commit.PlanText(new SmsMessage
                {
                    Id = messageId,
                    PatientId = PageOwner,
                    Direction = "outbound",
                    Kind = SmsKinds.Page,
                    FlagId = flag.Id,
                    To = contact.Phone,
                    Status = SmsStatus.Planned,
                    At = now,
                    ExpiresAt = next,
                    UpdatedAt = now,
                });
                commit.Upsert(Keys.ContactPage(contact.Phone, flag.Id), new ContactPage(flag.Id, code));
                MoveWatch(commit, flag, next);
                return flag.Paged(new FlagPage(contact.Name, contact.Phone, now, messageId), page.Step, code, next);
            case EscalationStep.Wait wait when wait.At != flag.Escalation.NextAt:
                MoveWatch(commit, flag, wait.At);
                return flag.PagingWaits(now, wait.At);
            case EscalationStep.Exhaust:
                End(commit, flag);
                logger.Alert(OperationalEvents.EscalationExhausted,
                    "EscalationExhausted: urgent flag {FlagId} of clinic {ClinicId} was paged to {Pages} contact(s) and nobody acknowledged it ({Contacts} on the list). Call the clinic.",
                    flag.Id, clinic.Id, flag.Escalation.Pages.Count, clinic.Escalation.Contacts.Count);
                metrics.EscalationExhausted();
                return flag.Exhausted(now);
            default:
                return flag;
        }
    }

    /// <summary>Paging stops (acknowledged, resolved, exhausted): the watch, the code and the contacts' open pages go.</summary>
    public static void End(ClinicCommit commit, Flag flag)
    {
        if (flag.Escalation.State is not (EscalationState.Paging or EscalationState.None))
        {
            return; // ended before: its rows are gone
        }
        if (flag.Escalation.NextAt is { } due)
        {
            commit.Delete(Keys.EscalationWatch(due, flag.Id));
        }
        if (flag.Escalation.Code is { } code)
        {
            commit.Delete(Keys.PageCode(code));
        }
        foreach (var phone in flag.Escalation.Pages.Select(p => p.Phone).Distinct())
        {
            commit.Delete(Keys.ContactPage(phone, flag.Id));
        }
    }

    private static void MoveWatch(ClinicCommit commit, Flag flag, Instant next)
    {
        if (flag.Escalation.NextAt is { } old)
        {
            commit.Delete(Keys.EscalationWatch(old, flag.Id));
        }
        commit.Insert(Keys.EscalationWatch(next, flag.Id), new EscalationWatch(flag.Id));
    }

    /// <summary>
    /// A four-digit code no open page of the clinic uses: a code in use would fail the commit's insert, so it counts
    /// as a lost race and another is drawn, at most 20 times; the insert conflict in the commit decides a race.
    /// </summary>
    private async Task<string> NewCodeAsync(ClinicCommit commit, string flagId, CancellationToken ct)
    {
        var code = "";
        await Concurrency.RetryAsync(async () =>
        {
            code = RandomNumberGenerator.GetInt32(1000, 10000).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return await data.PageCodeAsync(commit.ClinicId, code, ct) is null
                ? true
                : throw new CommitConflictException(0, Keys.PageCode(code), CommitFailure.AlreadyExists);
        }, exhausted: () => false, attempts: 20);
        commit.Insert(Keys.PageCode(code), new PageCode(flagId));
        return code;
    }
}
