using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Reports;
using ClinicBackend.Domain.Sessions;
using NodaTime;
using NodaTime.Text;

namespace ClinicBackend.Domain.Tests;

/// <summary>The summary report's definitions, one figure at a time.</summary>
public sealed class ReportFiguresTests
{
    private static readonly DateTimeZone NewYork = DateTimeZoneProviders.Tzdb["America/New_York"];
    private static readonly ReportRange Fortnight = new(Date("2026-11-30"), Date("2026-12-13"));

    private static LocalDate Date(string text) => LocalDatePattern.Iso.Parse(text).Value;

    private static Instant Utc(string text) => InstantPattern.General.Parse(text).Value;

    private static int _ids;

    /// <summary>A session booked on 2026-11-25 for a clinic-local start in New York.</summary>
    private static Session SessionOn(string start, SessionStatus status = SessionStatus.Booked)
    {
        var local = LocalDateTimePattern.GeneralIso.Parse(start + ":00").Value;
        var zoned = local.InZoneStrictly(NewYork);
        var session = Domain.Sessions.Session.Book($"s{Interlocked.Increment(ref _ids)}", "riverside", "p1", zoned, zoned.PlusHours(2), [], Utc("2026-11-25T15:00:00Z"), "staff");
        return session with { Status = status };
    }

    [Theory]
    [InlineData("2026-12-01", "2026-12-01", 1)]
    [InlineData("2026-01-01", "2027-01-01", 366)]
    [InlineData("2024-01-01", "2024-12-31", 366)] // a leap year
    public void A_range_of_up_to_366_days_is_accepted(string from, string to, int days)
    {
        var range = ReportRange.Parse(from, to);
        Assert.True(range.IsSuccess);
        Assert.Equal(days, range.Value.Days);
    }

    [Theory]
    [InlineData(null, "2026-12-01", "from")]
    [InlineData("2026-12-01", "", "to")]
    [InlineData("2026-02-30", "2026-03-01", "from")]
    [InlineData("2026-12-01", "01/12/2026", "to")]
    [InlineData("2026-12-01", "2300-01-01", "to")]
    [InlineData("2026-12-02", "2026-12-01", "to")] // to before from
    [InlineData("2026-01-01", "2027-01-02", "to")] // 367 days
    public void Bad_dates_name_their_field(string? from, string? to, string field)
    {
        var range = ReportRange.Parse(from, to);
        Assert.False(range.IsSuccess);
        Assert.Equal(ProblemKind.Invalid, range.Problem!.Kind);
        Assert.Equal(new[] { field }, range.Problem.Errors!.Keys);
    }

    [Fact]
    public void Both_dates_missing_names_both_fields() =>
        Assert.Equal(new[] { "from", "to" }, ReportRange.Parse(null, null).Problem!.Errors!.Keys.Order());

    [Theory]
    [InlineData("2026-12-02", "2026-12-14", "2026-11-30,2026-12-07,2026-12-14")] // Wednesday to Monday: three weeks, two partial
    [InlineData("2026-12-06", "2026-12-06", "2026-11-30")] // a Sunday alone
    [InlineData("2026-11-30", "2026-12-13", "2026-11-30,2026-12-07")] // two whole weeks
    public void Weeks_start_on_the_monday_on_or_before_each_day(string from, string to, string mondays) =>
        Assert.Equal(mondays.Split(',').Select(Date), new ReportRange(Date(from), Date(to)).WeekStarts());

    [Fact]
    public void Sessions_are_counted_by_status_and_week_and_days_outside_the_range_do_not_count()
    {
        Session[] sessions =
        [
            SessionOn("2026-11-29T09:00", SessionStatus.Fulfilled), // the Sunday before: outside
            SessionOn("2026-11-30T09:00", SessionStatus.Fulfilled),
            SessionOn("2026-12-06T09:00", SessionStatus.Noshow), // Sunday: still the first week
            SessionOn("2026-12-07T09:00", SessionStatus.Cancelled),
            SessionOn("2026-12-08T09:00", SessionStatus.Fulfilled),
            SessionOn("2026-12-09T09:00", SessionStatus.Arrived),
            SessionOn("2026-12-13T09:00", SessionStatus.Booked),
            SessionOn("2026-12-14T09:00", SessionStatus.Noshow), // the Monday after: outside
        ];
        var now = Utc("2026-12-10T00:00:00Z");
        var days = sessions.Select(s => s.Date).Distinct().Select(d => SessionDay.Of(d, sessions, [], now)).ToList();
        var report = SummaryFigures.Compute(new SummaryInput(Fortnight, NewYork, days, [], new HashSet<string>(), new SmsCounts(0, 0, 0, 0, 0), 0));
        Assert.Equal(new SessionCounts(Booked: 1, Arrived: 1, Fulfilled: 2, Cancelled: 1, Noshow: 1), report.Sessions);
        Assert.Equal(new[] { new WeekCounts(Date("2026-11-30"), 1, 1, 0), new WeekCounts(Date("2026-12-07"), 1, 0, 1) }, report.Weeks);
        Assert.Equal(new Share(1, 3), report.NoShows);
    }

    [Fact]
    public void Without_finished_sessions_the_rates_are_zero()
    {
        var counts = new SessionCounts(3, 0, 0, 2, 0);
        Assert.Equal(0, SummaryFigures.NoShows(counts).Value);
        Assert.Equal(0, SummaryFigures.Confirmations([], Utc("2026-12-10T00:00:00Z")).Value);
    }

    [Fact]
    public void A_confirmation_counts_when_the_patient_confirmed_before_the_start_for_the_sessions_current_time()
    {
        var booked = SessionOn("2026-12-02T09:00");
        var confirmed = booked.Confirm(Utc("2026-12-01T22:05:00Z"), "patient:p1");
        var movedAfter = confirmed.MoveTo(booked.Start.PlusHours(2).InZoneStrictly(NewYork), booked.End.PlusHours(2).InZoneStrictly(NewYork), [],
            Utc("2026-12-01T23:00:00Z"), "staff").Value;
        var confirmedAgain = movedAfter.Confirm(Utc("2026-12-02T13:00:00Z"), "patient:p1");
        Assert.True(SummaryFigures.ConfirmedBeforeStart(confirmed));
        Assert.False(SummaryFigures.ConfirmedBeforeStart(booked));
        Assert.False(SummaryFigures.ConfirmedBeforeStart(movedAfter));
        Assert.True(SummaryFigures.ConfirmedBeforeStart(confirmedAgain));
        // A change dated at or after the start is not a confirmation before it.
        Assert.False(SummaryFigures.ConfirmedBeforeStart(booked with { History = [new SessionChange(booked.StartUtc, "patient:p1", "confirmed-by-sms", null)] }));
    }

    [Fact]
    public void Confirmations_are_due_for_sessions_that_started_and_were_not_cancelled()
    {
        var now = Utc("2026-12-03T12:00:00Z");
        Session[] sessions =
        [
            SessionOn("2026-12-01T09:00", SessionStatus.Fulfilled).Confirm(Utc("2026-11-30T22:00:00Z"), "patient:p1"),
            SessionOn("2026-12-01T11:00", SessionStatus.Noshow),
            SessionOn("2026-12-02T09:00", SessionStatus.Cancelled).Confirm(Utc("2026-12-01T22:00:00Z"), "patient:p1"), // cancelled: not due
            SessionOn("2026-12-04T09:00").Confirm(Utc("2026-12-03T11:00:00Z"), "patient:p1"), // not started yet: not due
        ];
        Assert.Equal(new Share(1, 2), SummaryFigures.Confirmations(sessions, now));
    }

    [Fact]
    public void A_form_filed_by_its_due_time_is_in_time_later_is_late_and_unfiled_is_open()
    {
        var fulfilled = SessionOn("2026-12-01T09:00", SessionStatus.Fulfilled); // due 2026-12-08T14:00Z
        Session[] sessions =
        [
            fulfilled with { RemsFormSubmittedAt = Utc("2026-12-01T16:00:00Z") },
            fulfilled with { RemsFormSubmittedAt = fulfilled.RemsFormDueBy },
            fulfilled with { RemsFormSubmittedAt = fulfilled.RemsFormDueBy + Duration.FromMinutes(1) },
            fulfilled,
            SessionOn("2026-12-01T11:00", SessionStatus.Noshow),
        ];
        Assert.Equal(new RemsFormCounts(Due: 4, FiledInTime: 2, FiledLate: 1, Open: 1), SummaryFigures.RemsForms(sessions));
    }

    private static Patient PatientFrom(string id, string courseStart, bool active = true, string createdAt = "2026-10-01T12:00:00Z") =>
        TestPatients.Ana(active: active) with { Id = id, Course = new TreatmentCourse(Date(courseStart), 14), CreatedAt = Utc(createdAt) };

    [Fact]
    public void Cadence_counts_patients_in_treatment_on_the_last_day_by_phase_and_lapse()
    {
        Patient[] patients =
        [
            PatientFrom("induction", "2026-12-01"), // day 13 on 2026-12-13
            PatientFrom("optimization", "2026-11-02"),
            PatientFrom("lapsed", "2026-11-02"),
            PatientFrom("maintenance", "2026-09-01"),
            PatientFrom("inactive", "2026-09-01", active: false),
            PatientFrom("later-course", "2026-12-14"),
            PatientFrom("registered-later", "2026-09-01", createdAt: "2026-12-14T05:30:00Z"), // 00:30 on the 14th in New York
            PatientFrom("registered-on-the-day", "2026-09-01", createdAt: "2026-12-14T04:30:00Z"), // 23:30 on the 13th
        ];
        var lapsed = new HashSet<string> { "lapsed", "inactive", "unknown" };
        var cadence = SummaryFigures.Cadence(patients, Fortnight, NewYork, lapsed);
        Assert.Equal(new CadenceCounts(Patients: 5, OnTrack: 4, Lapsed: 1, new PhaseCounts(Induction: 1, Optimization: 2, Maintenance: 2)), cadence);
    }

    [Fact]
    public void Cadence_phases_follow_the_prescribers_override_and_leave_paused_weeks_out()
    {
        var overridden = PatientFrom("back-to-induction", "2026-09-01");
        overridden = overridden with { Course = overridden.Course with { PhaseOverride = TreatmentPhase.Induction } };
        var paused = PatientFrom("paused", "2026-11-02"); // day 42 on 12-13: optimisation
        paused = paused with { Course = paused.Course with { Pauses = [new CoursePause(Date("2026-11-09"), Date("2026-11-29"), "hospital stay")] } };
        var cadence = SummaryFigures.Cadence([overridden, paused], Fortnight, NewYork, new HashSet<string>());
        Assert.Equal(new PhaseCounts(Induction: 2, Optimization: 0, Maintenance: 0), cadence.ByPhase);
    }

    private static SmsMessage Text(string id, string direction, string status, string at, string? sentAt = null, string? sid = null,
        string kind = SmsKinds.DayBefore, string? reason = null, string? errorCode = null) => new()
        {
            Id = id,
            PatientId = kind == SmsKinds.Page ? "oncall" : "p1",
            Direction = direction,
            Kind = direction == "inbound" ? SmsKinds.Inbound : kind,
            Status = status,
            At = Utc(at),
            SentAt = sentAt is null ? null : Utc(sentAt),
            TwilioSid = sid,
            Reason = reason,
            ErrorCode = errorCode,
        };

    [Fact]
    public void Texts_are_counted_on_the_clinic_local_day_they_went_or_came()
    {
        const string Sid = "SM00000000000000000000000000000001";
        SmsMessage[] texts =
        [
            Text("delivered", "outbound", SmsStatus.Delivered, "2026-12-01T22:00:00Z", "2026-12-01T22:00:05Z", Sid),
            Text("read", "outbound", SmsStatus.Read, "2026-12-02T22:00:00Z", "2026-12-02T22:00:05Z", Sid),
            Text("queued", "outbound", SmsStatus.Queued, "2026-12-02T22:00:00Z", "2026-12-02T22:00:05Z", Sid),
            Text("undelivered", "outbound", SmsStatus.Undelivered, "2026-12-03T22:00:00Z", "2026-12-03T22:00:05Z", Sid, errorCode: "30003"),
            Text("blocked", "outbound", SmsStatus.Undelivered, "2026-12-04T22:00:00Z", "2026-12-04T22:00:05Z", Sid, errorCode: TwilioErrors.OptedOut),
            Text("refused", "outbound", SmsStatus.Failed, "2026-12-05T22:00:00Z", errorCode: TwilioErrors.InvalidTo), // never accepted
            Text("simulated", "outbound", SmsStatus.Simulated, "2026-12-05T22:00:00Z", "2026-12-05T22:00:00Z"),
            Text("skipped", "outbound", SmsStatus.Skipped, "2026-12-05T22:00:00Z"),
            Text("planned", "outbound", SmsStatus.Planned, "2026-12-12T22:00:00Z"),
            Text("page", "outbound", SmsStatus.Delivered, "2026-12-05T22:00:00Z", "2026-12-05T22:00:05Z", Sid, kind: SmsKinds.Page),
            // 2026-12-14T03:00Z is 22:00 on the 13th in New York: inside; 2026-11-30T04:00Z is 23:00 on the 29th: outside.
            Text("late-evening", "outbound", SmsStatus.Delivered, "2026-12-14T03:00:00Z", "2026-12-14T03:00:00Z", Sid),
            Text("before", "outbound", SmsStatus.Delivered, "2026-11-30T04:00:00Z", "2026-11-30T04:00:00Z", Sid),
            Text("sent-after-the-range", "outbound", SmsStatus.Delivered, "2026-12-13T22:00:00Z", "2026-12-14T13:00:00Z", Sid),
            Text("in-confirm", "inbound", SmsStatus.Received, "2026-12-01T22:10:00Z", reason: "confirmed"),
            Text("in-stop", "inbound", SmsStatus.Received, "2026-12-02T22:10:00Z", reason: SummaryFigures.OptedOutReply),
            Text("in-before", "inbound", SmsStatus.Received, "2026-11-30T04:59:00Z", reason: SummaryFigures.OptedOutReply),
        ];
        var inRange = texts.Select(t => SummaryFigures.Tally(t, NewYork)).Where(t => t is { } tally && Fortnight.Contains(tally.Date)).Select(t => t!.Value.Tally);
        Assert.Equal(new SmsCounts(Sent: 6, Delivered: 3, Undelivered: 3, OptOuts: 2, Replies: 2), SummaryFigures.CountTexts(inRange));
        Assert.Null(SummaryFigures.Tally(texts.Single(t => t.Id == "page"), NewYork));
        Assert.Equal((Date("2026-12-13"), SmsTally.Sent | SmsTally.Delivered), SummaryFigures.Tally(texts.Single(t => t.Id == "late-evening"), NewYork));
        Assert.Equal((Date("2026-12-04"), SmsTally.Sent | SmsTally.Undelivered | SmsTally.OptOut), SummaryFigures.Tally(texts.Single(t => t.Id == "blocked"), NewYork));
        Assert.Equal((Date("2026-12-12"), SmsTally.None), SummaryFigures.Tally(texts.Single(t => t.Id == "planned"), NewYork));
    }
}
