using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Time;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace ClinicBackend.Application.Outbound;

public sealed record PlanSummary(int Clinics, int Sessions, int Planned, int AlreadyPlanned, int TooLate)
{
    public static PlanSummary operator +(PlanSummary a, PlanSummary b) =>
        new(a.Clinics + b.Clinics, a.Sessions + b.Sessions, a.Planned + b.Planned, a.AlreadyPlanned + b.AlreadyPlanned, a.TooLate + b.TooLate);

    public static readonly PlanSummary Zero = new(0, 0, 0, 0, 0);
}

/// <summary>
/// Plans texts into the ledger: one row per (session, schedule version, kind), inserted only if absent,
/// together with its pending-text index row; then the outbox message that wakes the dispatcher at the send
/// time. The row comes first, so a message never arrives for a row that does not exist; a message that is
/// lost (enqueue failed, dropped, dead-lettered) is re-enqueued by the <see cref="OutboxReconciler"/>.
/// </summary>
public sealed class ReminderPlanner(ClinicData data, ISmsOutbox outbox, TimeProvider time, ILogger<ReminderPlanner> logger)
{
    /// <summary>How many clinic-local days ahead the nightly run looks: tomorrow, plus slack to recover from outages.</summary>
    public const int WindowDays = 3;
    private const int Parallelism = 8;
    /// <summary>A "we missed you" text makes sense until a day after the session; later it is skipped, never sent stale.</summary>
    public static readonly Duration MissedTextLifetime = Duration.FromHours(24);

    public async Task<ClinicRunReport<PlanSummary>> PlanAllAsync(CancellationToken ct) =>
        await data.ForEachClinicAsync("NightlyReminders", PlanClinicAsync, ct);

    /// <summary>The sessions of today and the next <see cref="WindowDays"/> days: one key-range query, whatever the history.</summary>
    public async Task<PlanSummary> PlanClinicAsync(Clinic clinic, CancellationToken ct)
    {
        var now = time.Now();
        var today = now.InZone(clinic.Zone).Date;
        var sessions = await data.SessionsOnDaysAsync(clinic.Id, today, today.PlusDays(WindowDays + 1), ct);
        var outcomes = new List<string>();
        await Parallel.ForEachAsync(sessions.Where(s => s.IsUpcoming), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct },
            async (session, token) =>
            {
                var outcome = await PlanDayBeforeAsync(clinic, session, now, token);
                lock (outcomes)
                {
                    outcomes.Add(outcome);
                }
            });
        return new PlanSummary(1, sessions.Count, outcomes.Count(o => o == "planned"), outcomes.Count(o => o == "exists"), outcomes.Count(o => o == "too-late"));
    }

    /// <summary>Plans the day-before reminder of one session (after booking or rescheduling, and nightly).</summary>
    public async Task<string> PlanDayBeforeAsync(Clinic clinic, Session session, Instant now, CancellationToken ct)
    {
        if (!session.IsUpcoming || session.StartUtc <= now)
        {
            return "not-upcoming";
        }
        var id = SmsMessage.ReminderId(session.Id, session.ScheduleVersion, SmsKinds.DayBefore);
        if (await data.Store.GetAsync<SmsMessage>(clinic.Id, Keys.Message(session.PatientId, id), ct) is not null)
        {
            return "exists";
        }
        var sendAt = SmsSchedule.DayBefore(clinic, session.StartUtc, now);
        var row = new SmsMessage
        {
            Id = id,
            PatientId = session.PatientId,
            Direction = "outbound",
            Kind = SmsKinds.DayBefore,
            SessionId = session.Id,
            SessionVersion = session.ScheduleVersion,
            Status = sendAt is null ? SmsStatus.Skipped : SmsStatus.Planned,
            Reason = sendAt is null ? "too-late: no time outside quiet hours is at least an hour before the session" : null,
            At = sendAt ?? now,
            ExpiresAt = session.StartUtc - SmsSchedule.MinimumLead,
            UpdatedAt = now,
        };
        if (!await PlanAsync(clinic.Id, row, ct))
        {
            return "exists";
        }
        return sendAt is null ? "too-late" : "planned";
    }

    /// <summary>Plans the one "we missed you" text after a missed session, at the next allowed time.</summary>
    public Task<bool> PlanMissedAsync(Clinic clinic, Session missed, Instant now, CancellationToken ct) =>
        PlanAsync(clinic.Id, new SmsMessage
        {
            Id = SmsMessage.ReminderId(missed.Id, missed.ScheduleVersion, SmsKinds.Missed),
            PatientId = missed.PatientId,
            Direction = "outbound",
            Kind = SmsKinds.Missed,
            SessionId = missed.Id,
            SessionVersion = missed.ScheduleVersion,
            Status = SmsStatus.Planned,
            At = SmsSchedule.NextAllowed(clinic, now),
            ExpiresAt = missed.EndUtc + MissedTextLifetime,
            UpdatedAt = now,
        }, ct);

    /// <summary>
    /// Inserts the ledger row (unless it exists) with its pending-text index row, then enqueues its wake-up.
    /// Returns false when the row existed. A failed enqueue is only logged: the reconciler re-enqueues the row.
    /// </summary>
    public async Task<bool> PlanAsync(string clinicId, SmsMessage row, CancellationToken ct)
    {
        var planned = row.Status == SmsStatus.Planned;
        var ledger = row with { WakeAt = planned ? row.At : null };
        var commit = new ClinicCommit(clinicId, Domain.Access.Actors.System, row.UpdatedAt).Insert(Keys.Message(row.PatientId, row.Id), ledger);
        if (planned)
        {
            commit.Upsert(Keys.PendingText(row.At, row.PatientId, row.Id), new PendingText(row.PatientId, row.Id));
        }
        if (!await data.TryCommitAsync(commit, ct))
        {
            return false;
        }
        if (planned)
        {
            try
            {
                await outbox.EnqueueAsync(new OutboxMessage(clinicId, row.PatientId, row.Id, DueAt: row.At), row.At, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Enqueueing text {MessageId} of clinic {ClinicId} failed; the reconciler will enqueue it.", row.Id, clinicId);
            }
        }
        return true;
    }
}

/// <summary>Points at an outbound ledger row that is not final yet.</summary>
public sealed record PendingText(string PatientId, string MessageId);
