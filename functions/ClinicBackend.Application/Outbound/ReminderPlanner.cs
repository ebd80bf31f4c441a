using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Time;
using NodaTime;

namespace ClinicBackend.Application.Outbound;

public sealed record PlanSummary(int Clinics, int Sessions, int Planned, int AlreadyPlanned, int TooLate)
{
    public static PlanSummary operator +(PlanSummary a, PlanSummary b) =>
        new(a.Clinics + b.Clinics, a.Sessions + b.Sessions, a.Planned + b.Planned, a.AlreadyPlanned + b.AlreadyPlanned, a.TooLate + b.TooLate);

    public static readonly PlanSummary Zero = new(0, 0, 0, 0, 0);
}

/// <summary>
/// Plans reminders into the ledger: one row per (session, schedule version, kind), inserted only if absent,
/// with its wake-up (<see cref="ClinicCommit.PlanText"/>).
/// </summary>
public sealed class ReminderPlanner(ClinicData data, TimeProvider time)
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

    /// <summary>Plans the day-before reminder of one session (after a change, and nightly) unless its row exists.</summary>
    public async Task<string> PlanDayBeforeAsync(Clinic clinic, Session session, Instant now, CancellationToken ct)
    {
        if (DayBeforeRow(clinic, session, now) is not { } row)
        {
            return "not-upcoming";
        }
        // The insert itself finds a row that exists (a conflict, one request like a read would be).
        var planned = await PlanAsync(clinic.Id, row, ct);
        // A clinic that turned links on after the booking gets them planned by the next nightly run.
        if (AssessmentLinks.OwnTextRow(clinic, session, row, now) is { } link)
        {
            await PlanAsync(clinic.Id, link, ct);
        }
        if (!planned)
        {
            return "exists";
        }
        return row.Status == SmsStatus.Planned ? "planned" : "too-late";
    }

    /// <summary>
    /// Plans the day-before reminder inside the unit of work that gives the session a new schedule version (a
    /// booking or a move), so it commits with the change; a row for a new version cannot exist yet.
    /// </summary>
    public static void PlanDayBefore(ClinicCommit commit, Clinic clinic, Session session)
    {
        if (DayBeforeRow(clinic, session, commit.Now) is { } row)
        {
            commit.PlanText(row);
            if (AssessmentLinks.OwnTextRow(clinic, session, row, commit.Now) is { } link)
            {
                commit.PlanText(link);
            }
        }
    }

    /// <summary>The day-before reminder of a session still ahead: planned at its time, or skipped when no time is left.</summary>
    private static SmsMessage? DayBeforeRow(Clinic clinic, Session session, Instant now)
    {
        if (!session.IsUpcoming || session.StartUtc <= now)
        {
            return null;
        }
        var sendAt = SmsSchedule.DayBefore(clinic, session.StartUtc, now);
        return new SmsMessage
        {
            Id = SmsMessage.ReminderId(session.Id, session.ScheduleVersion, SmsKinds.DayBefore),
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

    /// <summary>Plans the text in a unit of work of its own; false when its row existed already.</summary>
    public Task<bool> PlanAsync(string clinicId, SmsMessage row, CancellationToken ct) =>
        data.TryCommitAsync(new ClinicCommit(clinicId, Domain.Access.Actors.System, row.UpdatedAt).PlanText(row), ct);
}
