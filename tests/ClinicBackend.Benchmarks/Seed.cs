using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Sessions;
using NodaTime;

namespace ClinicBackend.Benchmarks;

/// <summary>Writes clinics, patients, sessions and history straight into the store, in the app's own row formats.</summary>
public static class Seed
{
    /// <summary>Tuesday 2026-12-01 17:00:30 in New York: the day-before reminders of Wednesday's sessions are due.</summary>
    public static readonly DateTimeOffset RemindersDue = new(2026, 12, 1, 22, 0, 30, TimeSpan.Zero);
    public static readonly LocalDate Wednesday = new(2026, 12, 2);

    public static Clinic NewClinic(string id, int chairs = 50) => new()
    {
        Id = id,
        Name = "Benchmark Clinic",
        TimeZone = "America/New_York",
        Country = "US",
        Phone = "+12125550100",
        SmsFrom = "+1212" + (5550000 + Math.Abs(id.GetHashCode() % 9999)).ToString(System.Globalization.CultureInfo.InvariantCulture),
        Chairs = chairs,
        SessionMinutes = 120,
        SlotMinutes = 15,
        OpeningHours = Enum.GetValues<IsoDayOfWeek>().Where(d => d != IsoDayOfWeek.None)
            .ToDictionary(d => d, _ => new DayHours(new LocalTime(6, 0), new LocalTime(22, 0))),
        Reminders = ReminderSettings.Default,
    };

    public static async Task ClinicAsync(IDocumentStore store, Clinic clinic)
    {
        await store.CommitAsync(clinic.Id, [new Change.Upsert(Keys.Clinic, clinic)], default);
        await store.CommitAsync(Keys.Directory, [new Change.Upsert(Keys.DirectoryClinic(clinic.Id), new DirectoryEntry(clinic.Id))], default);
    }

    public static Patient NewPatient(string clinicId, int n) => new()
    {
        Id = $"bp{clinicId.GetHashCode() & 0xffff:x4}{n:D6}",
        ClinicId = clinicId,
        GivenName = "Pat",
        FamilyName = "Bench",
        Phone = $"+1212{2000000 + n:D7}",
        SmsConsent = true,
        RemsEnrolled = true,
        Course = new TreatmentCourse(new LocalDate(2026, 1, 5), 7),
    };

    public static Session NewSession(Clinic clinic, string patientId, LocalDateTime start, int n, SessionStatus status = SessionStatus.Booked)
    {
        var zoned = start.InZoneLeniently(clinic.Zone);
        var end = zoned.Plus(Duration.FromMinutes(clinic.SessionMinutes));
        return new Session
        {
            Id = $"bs{clinic.Id.GetHashCode() & 0xffff:x4}{n:D8}",
            ClinicId = clinic.Id,
            PatientId = patientId,
            Start = start,
            StartUtc = zoned.ToInstant(),
            End = end.LocalDateTime,
            EndUtc = end.ToInstant(),
            Status = status,
        };
    }

    /// <summary>Writes rows of one partition in transactions of up to 100.</summary>
    public static async Task RowsAsync(IDocumentStore store, string partition, IEnumerable<Change> changes)
    {
        foreach (var chunk in changes.Chunk(IDocumentStore.MaxChangesPerCommit))
        {
            await store.CommitAsync(partition, chunk, default);
        }
    }

    public static IEnumerable<Change> SessionRows(Session s) =>
    [
        new Change.Upsert(Keys.Session(s.Id), s),
        new Change.Upsert(Keys.DaySession(s.Start, s.Id), s),
        new Change.Upsert(Keys.PatientSession(s.PatientId, s.Start, s.Id), s),
    ];

    /// <summary>A booked session with the patient's claim on its day (it claims no chairs: <see cref="Session.Claims"/> is empty).</summary>
    public static IEnumerable<Change> BookedRows(Session s) =>
        SessionRows(s).Append(new Change.Upsert(Keys.PatientDayClaim(s.PatientId, s.Date), new PatientDayClaim(s.Id)));

    /// <summary>A past session that was reminded and fulfilled: what history looks like.</summary>
    public static IEnumerable<Change> HistoryRows(Session s) =>
        SessionRows(s with { Status = SessionStatus.Fulfilled }).Append(new Change.Upsert(
            Keys.Message(s.PatientId, SmsMessage.ReminderId(s.Id, 1, SmsKinds.DayBefore)),
            new SmsMessage
            {
                Id = SmsMessage.ReminderId(s.Id, 1, SmsKinds.DayBefore),
                PatientId = s.PatientId,
                Direction = "outbound",
                Kind = SmsKinds.DayBefore,
                SessionId = s.Id,
                SessionVersion = 1,
                Status = SmsStatus.Delivered,
                At = s.StartUtc - Duration.FromHours(16),
                Body = new string('x', 150),
                Segments = 1,
                TwilioSid = "SM" + new string('0', 32),
            }));
}
