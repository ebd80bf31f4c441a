using System.Text.Json.Nodes;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Sweep;
using ClinicBackend.Domain.Audit;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Monitoring;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Sessions;
using NodaTime;

namespace ClinicBackend.Benchmarks;

/// <summary>
/// A year of a busy clinic in the app's own row formats, deterministic: 40 sessions every day (10 start hours x 4
/// chairs, two hours each) for 400 patients, their outcomes, reminders, replies, forms, flags and cadence watches.
/// <see cref="Records"/> are the rows a summary reads and their siblings; <see cref="Rest"/> is what else such a year
/// leaves in the partition: a chair claim per 5 minutes of every fulfilled or booked session, day claims, audit records,
/// resolved flags.
/// </summary>
public sealed class YearSeed
{
    public const int PerDay = 40;
    public const int PatientCount = 400;

    public List<Change> Records { get; } = [];
    public List<Change> Rest { get; } = [];
    public int Sessions { get; private set; }
    public int Texts { get; private set; }

    private readonly Clinic _clinic;
    private readonly Instant _now;
    private readonly Random _random = new(20261231);
    private readonly List<Patient> _patients = [];
    private readonly Dictionary<string, LocalDate> _lastFulfilled = [];

    /// <summary>Sessions on every day from <paramref name="first"/> to two weeks after <paramref name="last"/>; those after <paramref name="now"/> are booked.</summary>
    public YearSeed(Clinic clinic, LocalDate first, LocalDate last, Instant now)
    {
        _clinic = clinic;
        _now = now;
        for (var i = 0; i < PatientCount; i++)
        {
            var start = last.PlusDays(-3 * i);
            var patient = Seed.NewPatient(clinic.Id, i) with
            {
                Course = new TreatmentCourse(start, i % 2 == 0 ? 7 : 14),
                Active = i % 33 != 7,
                CreatedAt = start.PlusDays(-7).AtStartOfDayInZone(clinic.Zone).ToInstant(),
            };
            _patients.Add(patient);
            Records.Add(new Change.Upsert(Keys.Patient(patient.Id), patient));
            Records.Add(new Change.Upsert(Keys.PatientPhone(patient.Phone), new PhoneIndex(patient.Id)));
        }
        var n = 0;
        for (var day = first; day <= last.PlusDays(14); day = day.PlusDays(1))
        {
            for (var k = 0; k < PerDay; k++, n++)
            {
                AddSession(day, k, n);
            }
        }
        AddCadence(last);
    }

    private void AddSession(LocalDate day, int k, int n)
    {
        var hour = 8 + k / 4;
        var patient = _patients[n % PatientCount];
        var booked = Seed.NewSession(_clinic, patient.Id, day.At(new LocalTime(hour, 0)), n);
        var roll = _random.NextDouble();
        var status = booked.StartUtc > _now ? SessionStatus.Booked : roll < 0.07 ? SessionStatus.Cancelled : roll < 0.13 ? SessionStatus.Noshow : SessionStatus.Fulfilled;
        var live = status is SessionStatus.Booked or SessionStatus.Fulfilled;
        var claims = live ? Ticks(booked).Select(t => Keys.ChairClaim(t, hour % 2 * 4 + k % 4)).ToList() : [];
        var reminderAt = day.PlusDays(-1).At(new LocalTime(17, 0)).InZoneLeniently(_clinic.Zone).ToInstant() + Duration.FromSeconds(_random.Next(60));
        var confirmed = status != SessionStatus.Cancelled && _random.NextDouble() < 0.55 && reminderAt < _now;
        var history = new List<SessionChange> { new(booked.StartUtc - Duration.FromDays(7), "staff", "booked", null) };
        if (confirmed)
        {
            history.Add(new(reminderAt + Duration.FromMinutes(12), Domain.Access.Actors.PatientSms, "confirmed-by-sms", null));
        }
        var session = booked with { Status = status, Claims = claims, Confirmation = confirmed ? Confirmation.Accepted : Confirmation.NeedsAction };
        var filedRoll = _random.NextDouble();
        switch (status)
        {
            case SessionStatus.Fulfilled:
                var filed = filedRoll < 0.92 ? session.StartUtc + Duration.FromMinutes(140) : filedRoll < 0.97 ? session.StartUtc + Duration.FromDays(8) : (Instant?)null;
                var dosedAt = session.StartUtc + Duration.FromMinutes(5);
                history.AddRange([new(session.StartUtc, "staff", "checked-in", null), new(dosedAt, "staff", "dosed", "56 mg"),
                    new(dosedAt + Duration.FromMinutes(40), "staff", "observed", "40 min after the dose"),
                    new(dosedAt + Duration.FromMinutes(120), "staff", "observed", "120 min after the dose"),
                    new(dosedAt + Duration.FromMinutes(125), "staff", "completed", "125 min of monitoring")]);
                if (filed is { } at)
                {
                    history.Add(new(at, "staff", "rems-form-filed", null));
                }
                else
                {
                    Records.Add(new Change.Upsert(Keys.RemsWatch(session.StartUtc + Watches.RemsDeadline, session.Id), new RemsWatch(session.Id, session.PatientId, 2)));
                    AddFlag(Flag.For(FlagKinds.RemsFormDue, session.Id, FlagSeverity.Urgent, session.PatientId, session.Id, session.StartUtc + Duration.FromDays(5), "form due"));
                }
                session = session with
                {
                    CheckedInAt = session.StartUtc,
                    CompletedAt = dosedAt + Duration.FromMinutes(125),
                    RemsFormSubmittedAt = filed,
                    Dose = new DoseRecord(dosedAt, 56, null, [new DeviceUse("SEED-0001", 2)], new PreDoseVitals(new(128, 82), 98), [],
                        new Clinician("Nurse Kim", "+12125550151", "kim@riverside.example")),
                    Observations =
                    [
                        new Observation(1, dosedAt + Duration.FromMinutes(40), 40, new(134, 86), 97, false, true, false, [SideEffect.Nausea], null, false, "staff"),
                        new Observation(2, dosedAt + Duration.FromMinutes(120), 120, new(128, 84), 98, false, false, false, [], null, false, "staff"),
                    ],
                    Discharge = new Discharge(dosedAt + Duration.FromMinutes(125), new(126, 80), new VitalsAcceptable(true, true), [], null),
                };
                _lastFulfilled[patient.Id] = day;
                break;
            case SessionStatus.Cancelled:
                history.Add(new(booked.StartUtc - Duration.FromDays(2), "staff", "cancelled", null));
                session = session with { CancelReason = "patient called" };
                break;
            case SessionStatus.Noshow:
                history.Add(new(session.EndUtc + Duration.FromMinutes(45), Domain.Access.Actors.Sweep, "noshow", "not checked in"));
                AddText(session, SmsKinds.Missed, SmsStatus.Delivered, session.EndUtc + Duration.FromMinutes(46));
                var missed = Flag.For(FlagKinds.MissedSession, session.Id, FlagSeverity.Normal, session.PatientId, session.Id, session.EndUtc + Duration.FromMinutes(45), "missed");
                AddFlag(session.StartUtc > _now - Duration.FromDays(14) ? missed : missed with { Status = FlagStatus.Resolved, ResolvedAt = missed.CreatedAt + Duration.FromDays(1) });
                break;
        }
        session = session with { History = history, Version = history.Count };
        Sessions++;
        Records.AddRange(Seed.SessionRows(session));
        Rest.AddRange(claims.Select(c => (Change)new Change.Upsert(c, new ChairClaim(session.Id))));
        if (live)
        {
            Rest.Add(new Change.Upsert(Keys.PatientDayClaim(session.PatientId, session.Date), new PatientDayClaim(session.Id)));
        }
        Rest.AddRange(history.Select(h => (Change)new Change.Upsert(Keys.Audit(h.At, $"{session.Id}{h.Action}"),
            new AuditEntry($"{session.Id}{h.Action}", h.At, h.By, $"session.{h.Action}", "session", session.Id,
                new Dictionary<string, AuditChange> { ["status"] = new(JsonValue.Create("booked"), JsonValue.Create(Domain.Common.Names.Kebab(status))) }))));

        // The day-before reminder and the patient's answer.
        if (status == SessionStatus.Cancelled && filedRoll < 0.6)
        {
            AddText(session, SmsKinds.DayBefore, SmsStatus.Skipped, reminderAt);
        }
        else if (reminderAt > _now)
        {
            AddText(session, SmsKinds.DayBefore, SmsStatus.Planned, reminderAt);
        }
        else
        {
            var outcome = _random.NextDouble();
            AddText(session, SmsKinds.DayBefore, outcome < 0.91 ? SmsStatus.Delivered : outcome < 0.94 ? SmsStatus.Undelivered : outcome < 0.95 ? SmsStatus.Failed : SmsStatus.Sent, reminderAt);
            if (confirmed)
            {
                AddReply(session, "1", "confirmed", reminderAt + Duration.FromMinutes(12));
            }
            else if (_random.NextDouble() < 0.006)
            {
                AddReply(session, "STOP", "opted-out", reminderAt + Duration.FromMinutes(20));
            }
        }
    }

    private void AddText(Session session, string kind, string status, Instant at)
    {
        var id = SmsMessage.ReminderId(session.Id, 1, kind);
        var handedOver = status is SmsStatus.Delivered or SmsStatus.Undelivered or SmsStatus.Sent;
        Texts++;
        Records.Add(new Change.Upsert(Keys.Message(session.PatientId, id), new SmsMessage
        {
            Id = id,
            PatientId = session.PatientId,
            Direction = "outbound",
            Kind = kind,
            SessionId = session.Id,
            SessionVersion = 1,
            Status = status,
            At = at,
            SentAt = handedOver ? at + Duration.FromSeconds(2) : null,
            UpdatedAt = at + Duration.FromMinutes(1),
            Body = status == SmsStatus.Skipped ? null : new string('x', 150),
            Segments = 1,
            TwilioSid = handedOver ? $"SM{Texts:D32}" : null,
            ErrorCode = status == SmsStatus.Undelivered ? "30003" : status == SmsStatus.Failed ? TwilioErrors.OptedOut : null,
            ExpiresAt = session.StartUtc - SmsSchedule.MinimumLead,
        }));
    }

    private void AddReply(Session session, string body, string handling, Instant at)
    {
        var id = SmsMessage.InboundId($"SM{session.Id}{body.Length}");
        Texts++;
        Records.Add(new Change.Upsert(Keys.Message(session.PatientId, id), new SmsMessage
        {
            Id = id,
            PatientId = session.PatientId,
            Direction = "inbound",
            Kind = SmsKinds.Inbound,
            SessionId = session.Id,
            Body = body,
            Segments = 1,
            Status = SmsStatus.Received,
            Reason = handling,
            At = at,
            UpdatedAt = at,
        }));
    }

    private void AddFlag(Flag flag)
    {
        var open = flag.Status == FlagStatus.Open;
        (open ? Records : Rest).Add(new Change.Upsert(Keys.Flag(flag.Id), flag));
        (open ? Records : Rest).Add(new Change.Upsert(Keys.FlagIndex(Domain.Common.Names.Kebab(flag.Status), flag.CreatedAt, flag.Id), flag));
    }

    /// <summary>A cadence watch per active patient after their last fulfilled session; an open flag for a few who lapsed.</summary>
    private void AddCadence(LocalDate last)
    {
        foreach (var (patient, i) in _patients.Select((p, i) => (p, i)).Where(x => x.p.Active && _lastFulfilled.ContainsKey(x.p.Id)))
        {
            var lastDate = _lastFulfilled[patient.Id];
            if (i % 29 == 3)
            {
                AddFlag(Flag.For(FlagKinds.OverdueCadence, $"{patient.Id}|lapsed", FlagSeverity.Normal, patient.Id, null, last.AtStartOfDayInZone(_clinic.Zone).ToInstant(), "overdue"));
                continue;
            }
            var key = Keys.CadenceWatch(Watches.CadenceDue(patient.Course, lastDate), patient.Id);
            Records.Add(new Change.Upsert(key, new CadenceWatch(patient.Id, "s", lastDate.AtStartOfDayInZone(_clinic.Zone).ToInstant(), lastDate)));
            Records.Add(new Change.Upsert(Keys.CadencePointer(patient.Id), new CadencePointer(key)));
        }
    }

    private static IEnumerable<Instant> Ticks(Session session)
    {
        for (var tick = session.StartUtc; tick < session.EndUtc; tick += Duration.FromMinutes(5))
        {
            yield return tick;
        }
    }
}
