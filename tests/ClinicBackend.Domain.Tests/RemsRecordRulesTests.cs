using System.Text.Json;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Sessions;
using ClinicBackend.Domain.Forms;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Monitoring;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Sessions;
using NodaTime;

namespace ClinicBackend.Domain.Tests;

/// <summary>Issue #22: the monitoring form's content, the MDSI course, the before-visit instruction in texts, and a session's row size.</summary>
public sealed class RemsRecordRulesTests
{
    private static readonly Instant Start = Instant.FromUtc(2026, 12, 2, 15, 0);

    private static Session Booked() => new()
    {
        Id = "s1",
        ClinicId = "riverside",
        PatientId = "patient0001",
        Start = new LocalDateTime(2026, 12, 2, 10, 0),
        StartUtc = Start,
        End = new LocalDateTime(2026, 12, 2, 12, 0),
        EndUtc = Start + Duration.FromHours(2),
    };

    private static Observation Reading(int minutes, string? bloodPressure = null, bool sedation = false) =>
        new(minutes, Start + Duration.FromMinutes(minutes), minutes, bloodPressure is null ? null : Parse(bloodPressure), null, sedation, false, false, [], null, false, "nurse");

    private static BloodPressure Parse(string text) => BloodPressure.TryParse(text, out var reading) ? reading : throw new ArgumentException(text);

    [Fact]
    public void A_booked_session_of_a_patient_without_birth_date_or_sex_misses_nearly_everything()
    {
        var form = MonitoringForm.Of(TestClinics.Riverside(), TestPatients.Ana(), Booked(), firstTreatment: true);
        Assert.Equal(
            ["patient.dateOfBirth", "patient.sex", "dose", "otherMedicines", "monitoringClinician.name", "monitoringClinician.phone", "monitoringClinician.email", "observations", "discharge"],
            form.Missing.Select(m => m.Field));
        Assert.All(form.Missing, m => Assert.False(string.IsNullOrWhiteSpace(m.Label)));
        Assert.Equal(new FormEffects(null, null, null), form.Effects);
        Assert.False(form.IsComplete);
    }

    [Fact]
    public void The_after_dose_reading_is_the_one_nearest_forty_minutes_and_effects_are_any_seen()
    {
        var session = Booked() with
        {
            Dose = new DoseRecord(Start, 84, null, [new DeviceUse("A1", 2), new DeviceUse("B2", 1)], new PreDoseVitals(Parse("128/82"), 98), [], new Clinician("Kim", "+12125550151", "k@x.org")),
            Observations = [Reading(15, "140/90"), Reading(37, "134/86", sedation: true), Reading(55, "130/84"), Reading(120)],
        };
        var patient = TestPatients.Ana() with { DateOfBirth = new LocalDate(1980, 4, 2), Sex = Sex.Female };
        var form = MonitoringForm.Of(TestClinics.Riverside(), patient, session, firstTreatment: false);
        Assert.Equal((Parse("134/86"), 37), (form.BloodPressure.AfterDose, form.BloodPressure.AfterDoseMinutes));
        Assert.Equal(new FormEffects(true, false, false), form.Effects);
        Assert.Equal("84", form.DoseCategory);
        Assert.Equal(["discharge"], form.Missing.Select(m => m.Field));
    }

    [Fact]
    public void A_session_completed_before_doses_were_kept_still_gives_its_form_from_the_old_record()
    {
        var session = Booked() with
        {
            Status = SessionStatus.Fulfilled,
            Legacy = new LegacyMonitoring(56, Parse("128/82"), Parse("134/86"), Parse("126/80"), 125, null),
        };
        var form = MonitoringForm.Of(TestClinics.Riverside(), TestPatients.Ana() with { DateOfBirth = new LocalDate(1980, 4, 2), Sex = Sex.Female }, session, true);
        Assert.Equal((56, 125), (form.DoseMg, form.MonitoringMinutes));
        Assert.Equal(Parse("134/86"), form.BloodPressure.AfterDose);
        Assert.Contains("dose.lot", form.Missing.Select(m => m.Field));
        Assert.DoesNotContain("discharge", form.Missing.Select(m => m.Field));
    }

    [Fact]
    public void A_stored_session_of_the_earlier_layout_reads_with_its_record()
    {
        const string json = """
            {"id":"s1","clinicId":"c","patientId":"p","start":"2026-11-30T09:00:00","startUtc":"2026-11-30T14:00:00Z","end":"2026-11-30T11:00:00",
             "endUtc":"2026-11-30T16:00:00Z","status":"fulfilled","checkedInAt":"2026-11-30T13:55:00Z",
             "monitoring":{"doseMg":84,"preDose":{"systolic":128,"diastolic":82},"postDose40Min":{"systolic":134,"diastolic":86},
                           "discharge":{"systolic":126,"diastolic":80},"monitoringMinutes":125,"notes":null},"version":4}
            """;
        var session = JsonSerializer.Deserialize<Session>(json, DocumentJson.Options)!;
        Assert.Equal((84, 125), (session.Legacy!.DoseMg, session.MonitoringMinutes));
        Assert.Null(session.Dose);
        Assert.Contains("\"monitoring\":{\"doseMg\":84", JsonSerializer.Serialize(session, DocumentJson.Options));
    }

    [Fact]
    public void An_mdsi_course_is_four_weeks_of_induction_with_no_lapse_after_them()
    {
        var course = new TreatmentCourse(new LocalDate(2026, 11, 2), 14) { Indication = Indication.Mdsi };
        Assert.Equal(TreatmentPhase.Induction, course.PhaseOn(new LocalDate(2027, 3, 1)));
        Assert.True(course.HasLapsed(new LocalDate(2026, 11, 5), new LocalDate(2026, 11, 15), graceDays: 2)); // within the 4 weeks
        Assert.False(course.HasLapsed(new LocalDate(2026, 11, 27), new LocalDate(2026, 12, 8), graceDays: 2)); // after them
        Assert.True(course.HasEndedOn(new LocalDate(2026, 11, 30)));
        Assert.False(course.HasEndedOn(new LocalDate(2026, 11, 29)));
        Assert.True(InductionReview.IsDue(course, 8, new LocalDate(2026, 11, 20)));
        Assert.False(InductionReview.IsDue(course, 7, new LocalDate(2026, 11, 29)));

        var continued = course with { PhaseOverride = TreatmentPhase.Optimization }; // the prescriber went on past the 4 weeks
        Assert.Equal(TreatmentPhase.Optimization, continued.PhaseOn(new LocalDate(2027, 3, 1)));
        Assert.False(continued.HasEndedOn(new LocalDate(2027, 3, 1)));
        Assert.True(continued.HasLapsed(new LocalDate(2026, 12, 1), new LocalDate(2026, 12, 12), graceDays: 2));
        Assert.Equal(TreatmentPhase.Maintenance, (course with { Indication = Indication.Trd }).PhaseOn(new LocalDate(2027, 3, 1)));
    }

    [Theory]
    [InlineData("en", "No food 2h/drinks 30m before.")]
    [InlineData("es", "Ayuno 2h, no beba 30m antes.")]
    public void The_reminder_carries_the_before_visit_instruction_only_where_it_fits_one_segment(string language, string instruction)
    {
        var start = new LocalDateTime(2026, 12, 2, 9, 0);
        var shortName = SmsTexts.DayBeforeReminder(TestClinics.Riverside() with { Name = "Oak" }, language, start);
        Assert.Contains(instruction, shortName);
        Assert.Equal(1, SmsSegments.Count(shortName));

        foreach (var name in new[] { "Riverside Behavioral Health", "The Riverside Center for Behavioral Health and Wellbeing of Manhattan" })
        {
            var text = SmsTexts.DayBeforeReminder(TestClinics.Riverside() with { Name = name }, language, start);
            Assert.DoesNotContain(instruction, text);
            Assert.EndsWith(language == "es" ? "STOP para baja" : "STOP to opt out", text); // never the opt-out
        }

        // The answer to a confirmation (no daily limit applies to it) carries the instruction in full.
        var confirmed = SmsTexts.Confirmed(TestClinics.Riverside(), language, start);
        Assert.Contains(SmsTexts.BeforeVisit(language), confirmed);
        Assert.Equal(1, SmsSegments.Count(confirmed));
        Assert.True(SmsSegments.IsGsm7(confirmed));
    }

    [Fact]
    public void A_session_at_every_cap_fits_its_row_and_the_guard_refuses_one_that_would_not()
    {
        var note = new string('n', MonitoringInputs.MaxNoteLength);
        var session = Booked() with
        {
            Status = SessionStatus.Fulfilled,
            Dose = new DoseRecord(Start, 168, new string('r', MonitoringInputs.MaxReasonLength),
                Enumerable.Range(0, DoseRecord.MaxLots).Select(i => new DeviceUse($"LOT-{i:D26}", 1)).ToList(), new PreDoseVitals(Parse("128/82"), 98),
                Enum.GetValues<Concomitant>(), new Clinician(new string('c', 100), "+12125550151", new string('e', 240) + "@clinic.org")),
            Observations = Enumerable.Range(1, Session.MaxObservations).Select(i => new Observation(i, Start + Duration.FromMinutes(i * 5), i * 5, Parse("188/112"), 91,
                true, true, true, Enum.GetValues<SideEffect>(), note, true, "0b6c2a7e-9f11-4c51-9bde-4d1b8a3c1f20")).ToList(),
            Discharge = new Discharge(Start + Duration.FromHours(3), Parse("126/80"), new VitalsAcceptable(true, true),
                Enumerable.Range(0, Discharge.MaxAdverseEvents).Select(_ => new AdverseEvent(new string('a', MonitoringInputs.MaxReasonLength), true)).ToList(), new string('x', MonitoringInputs.MaxNotesLength)),
            History = Enumerable.Range(0, Session.MaxHistory).Select(i => new SessionChange(Start, "0b6c2a7e-9f11-4c51-9bde-4d1b8a3c1f20", "rescheduled",
                "2026-12-02T10:00 -> 2026-12-03T10:00")).ToList(),
            Claims = Enumerable.Range(0, 48).Select(i => $"chair|202612021{i:D3}|00").ToList(),
        };
        Assert.True(SessionWrites.TooLarge(session) is null, $"{JsonSerializer.Serialize(session, DocumentJson.Options).Length} characters");
        var before = session with { Status = SessionStatus.Arrived, Discharge = null };
        Assert.True(JsonSerializer.Serialize(ClinicCommit.Diff(before, session), DocumentJson.Options).Length < SessionWrites.MaxDocumentChars, "the audit row of completing it fits too");

        // Letters JSON writes as \uXXXX take six characters each: such notes at every cap would not fit, and are refused.
        var escaped = session with { Discharge = session.Discharge! with { Notes = new string('é', 2000) } };
        Assert.Equal("record-too-large", SessionWrites.TooLarge(escaped with { Observations = [.. escaped.Observations.Select(o => o with { Note = new string('ü', 300) })] })?.Code);
    }
}
