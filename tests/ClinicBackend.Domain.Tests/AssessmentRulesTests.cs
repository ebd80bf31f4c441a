using ClinicBackend.Domain.Assessments;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Patients;
using NodaTime;

namespace ClinicBackend.Domain.Tests;

/// <summary>The scales' totals and bands, the course's baseline and response, the codes, and the link in texts.</summary>
public sealed class AssessmentRulesTests
{
    private static readonly Instant Now = Instant.FromUtc(2026, 12, 1, 22, 0);

    [Theory]
    [InlineData(0, "minimal")]
    [InlineData(4, "minimal")]
    [InlineData(5, "mild")]
    [InlineData(9, "mild")]
    [InlineData(10, "moderate")]
    [InlineData(14, "moderate")]
    [InlineData(15, "moderately-severe")]
    [InlineData(19, "moderately-severe")]
    [InlineData(20, "severe")]
    [InlineData(27, "severe")]
    public void PHQ9_totals_fall_in_the_published_severity_bands(int total, string band) =>
        Assert.Equal(band, Scales.Severity(Instrument.Phq9, total));

    [Theory]
    [InlineData(6, "normal")]
    [InlineData(7, "mild")]
    [InlineData(19, "mild")]
    [InlineData(20, "moderate")]
    [InlineData(34, "moderate")]
    [InlineData(35, "severe")]
    [InlineData(60, "severe")]
    public void MADRS_totals_fall_in_their_bands(int total, string band) =>
        Assert.Equal(band, Scales.Severity(Instrument.Madrs, total));

    [Fact]
    public void A_rating_needs_every_item_within_the_scale()
    {
        Assert.Null(Scales.Problem(Instrument.Phq9, [0, 1, 2, 3, 0, 1, 2, 3, 0]));
        Assert.Contains("9 item", Scales.Problem(Instrument.Phq9, [0, 1, 2, 3, 0, 1, 2, 3]));
        Assert.Contains("Item 4", Scales.Problem(Instrument.Phq9, [0, 1, 2, 4, 0, 1, 2, 3, 0]));
        Assert.Null(Scales.Problem(Instrument.Madrs, [6, 6, 6, 6, 6, 6, 6, 6, 6, 6]));
        Assert.Contains("Item 10", Scales.Problem(Instrument.Madrs, [6, 6, 6, 6, 6, 6, 6, 6, 6, 7]));
        Assert.Contains("Item 1 ", Scales.Problem(Instrument.Madrs, [-1, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    }

    [Fact]
    public void Only_PHQ9_item_nine_above_zero_is_a_self_harm_answer()
    {
        Assert.False(Scales.AnswersSelfHarm(Instrument.Phq9, [3, 3, 3, 3, 3, 3, 3, 3, 0]));
        Assert.True(Scales.AnswersSelfHarm(Instrument.Phq9, [0, 0, 0, 0, 0, 0, 0, 0, 1]));
        Assert.False(Scales.AnswersSelfHarm(Instrument.Madrs, [0, 0, 0, 0, 0, 0, 0, 0, 6, 6]));
    }

    private static Assessment Phq9(string id, Instant at, int total) =>
        Assessment.Rate(id, "p", Instrument.Phq9, at, [0, 0, 0, 0, 0, 0, 0, 0, 0], AssessmentSource.Staff, false, at) with { Total = total };

    [Theory]
    [InlineData(20, 10, true, false)] // exactly half: response
    [InlineData(20, 11, false, false)]
    [InlineData(20, 4, true, true)]
    [InlineData(4, 2, true, true)]
    [InlineData(0, 0, false, true)] // nothing to fall from
    public void Response_is_a_fall_of_half_the_baseline_and_remission_a_latest_under_five(int baseline, int latest, bool response, bool remission)
    {
        var zone = DateTimeZoneProviders.Tzdb["America/New_York"];
        var course = new TreatmentCourse(new LocalDate(2026, 11, 2), 14);
        var before = Phq9("before", Instant.FromUtc(2026, 10, 20, 15, 0), 27); // before the course: not its baseline
        var first = Phq9("first", Instant.FromUtc(2026, 11, 2, 15, 0), baseline);
        var last = Phq9("last", Instant.FromUtc(2026, 11, 30, 15, 0), latest);
        var madrs = Assessment.Rate("m", "p", Instrument.Madrs, Instant.FromUtc(2026, 12, 1, 15, 0), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0], AssessmentSource.Staff, false, Now);
        var ofCourse = Phq9Course.Of(course, zone, [last, madrs, before, first]);
        Assert.Equal("first", ofCourse.Baseline!.Id);
        Assert.Equal("last", ofCourse.Latest!.Id);
        Assert.Equal(latest - baseline, ofCourse.Change);
        Assert.Equal(response, ofCourse.Response);
        Assert.Equal(remission, ofCourse.Remission);
        Assert.Contains(response ? ": response" : ": no response yet", ofCourse.Summary());
    }

    [Fact]
    public void A_course_without_a_PHQ9_says_so_and_a_lone_baseline_is_no_response()
    {
        var zone = DateTimeZoneProviders.Tzdb["America/New_York"];
        var course = new TreatmentCourse(new LocalDate(2026, 11, 2), 14);
        Assert.Equal("No PHQ-9 was recorded in this course.", Phq9Course.Of(course, zone, []).Summary());
        var alone = Phq9Course.Of(course, zone, [Phq9("only", Instant.FromUtc(2026, 11, 3, 15, 0), 3)]);
        Assert.False(alone.Response);
        Assert.Contains("no later PHQ-9 yet", alone.Summary());
    }

    [Fact]
    public void A_PHQ9_is_due_when_links_are_on_and_the_last_is_older_than_every_days()
    {
        var settings = new AssessmentSettings(true, 7);
        Assert.True(settings.Phq9Due(null, Now));
        Assert.False(settings.Phq9Due(Now - Duration.FromDays(7), Now));
        Assert.True(settings.Phq9Due(Now - Duration.FromDays(7) - Duration.FromMinutes(1), Now));
        Assert.False((settings with { Phq9 = false }).Phq9Due(null, Now));
    }

    [Fact]
    public void Codes_are_128_random_bits_in_22_url_safe_GSM7_characters_and_only_their_hash_is_kept()
    {
        var codes = Enumerable.Range(0, 200).Select(_ => AssessmentCode.New()).ToList();
        Assert.Equal(codes.Count, codes.Distinct().Count());
        Assert.All(codes, c =>
        {
            Assert.True(AssessmentCode.IsWellFormed(c), c);
            Assert.True(SmsSegments.IsGsm7(c), c);
            Assert.Equal(16, Convert.FromBase64String(c.Replace('-', '+').Replace('_', '/') + "==").Length);
        });
        Assert.Equal(64, AssessmentCode.Hash(codes[0]).Length);
        Assert.DoesNotContain(codes[0], AssessmentCode.Hash(codes[0]));
        Assert.False(AssessmentCode.IsWellFormed("short"));
        Assert.False(AssessmentCode.IsWellFormed("AAAAAAAAAAAAAAAAAAAA/A"));
    }

    [Fact]
    public void The_ledger_masks_a_links_code_and_nothing_else()
    {
        var code = AssessmentCode.New();
        var body = $"Riverside: before your visit, please answer a short check-in: https://x.org/api/a/{code}";
        var masked = AssessmentCode.Masked(body);
        Assert.Equal($"Riverside: before your visit, please answer a short check-in: https://x.org/api/a/{new string('*', 22)}", masked);
        Assert.Equal(masked, AssessmentCode.Masked(masked));
        Assert.Equal("No link here: /api/a/short", AssessmentCode.Masked("No link here: /api/a/short"));
    }

    [Fact]
    public void A_link_goes_inside_the_reminder_only_when_the_whole_text_fits_one_segment()
    {
        var start = new LocalDateTime(2026, 12, 3, 10, 0);
        var link = "https://x.io/api/a/" + new string('A', 22);
        var usual = SmsTexts.DayBeforeReminderWithLink(TestClinics.Riverside(), "en", start, null, link);
        Assert.False(usual.Carried);
        Assert.DoesNotContain(link, usual.Text);
        Assert.Equal(SmsTexts.DayBeforeReminder(TestClinics.Riverside(), "en", start), usual.Text);

        // The rule itself: a link short enough is carried (the before-visit instruction gives way), within one segment.
        var shortNamed = TestClinics.Riverside() with { Name = "RB" };
        var carried = SmsTexts.DayBeforeReminderWithLink(shortNamed, "en", start, null, "https://x.io/a/AB");
        Assert.True(carried.Carried, carried.Text);
        Assert.Equal(1, SmsSegments.Count(carried.Text));
        Assert.Equal("RB: visit Thu Dec 3, 10:00 AM. Someone must drive you home. Check-in: https://x.io/a/AB Reply 1 to confirm, 2 to reschedule. (212) 555-0100. STOP to opt out", carried.Text);

        // A real link (https, a host, /api/a/ and 22 characters of code) leaves no reminder room, even for a one-letter clinic name.
        foreach (var language in new[] { "en", "es" })
        {
            Assert.False(SmsTexts.DayBeforeReminderWithLink(TestClinics.Riverside() with { Name = "A" }, language, start, null, "https://x.io/api/a/" + new string('A', 22)).Carried);
        }
    }

    [Theory]
    [InlineData("en")]
    [InlineData("es")]
    public void The_link_text_names_the_clinic_and_no_drug_or_diagnosis(string language)
    {
        var text = SmsTexts.AssessmentLink(TestClinics.Riverside(), language, "https://clinic.example.org/api/a/" + new string('A', 22));
        Assert.StartsWith("Riverside Behavioral Health: ", text);
        Assert.False(SmsTexts.ContainsForbiddenWord(text), text);
        Assert.DoesNotContain("depress", text, StringComparison.OrdinalIgnoreCase);
        Assert.True(SmsSegments.IsGsm7(text), text);
    }

    [Fact]
    public void One_answer_ends_every_code_of_the_visit_and_codes_end_at_the_visit()
    {
        var link = new AssessmentLink { PatientId = "p", SessionId = "s", ExpiresAt = Now + Duration.FromHours(12) }
            .Issued(new IssuedCode("h1", "m1", Now)).Issued(new IssuedCode("h2", "m1", Now));
        Assert.True(link.Opens("h1", Now));
        Assert.True(link.Opens("h2", Now));
        Assert.False(link.Opens("h3", Now));
        Assert.False(link.Opens("h1", Now + Duration.FromHours(12)));
        Assert.False(link.SentBy("m1"));
        Assert.True(link.SentBy("m2"));
        var answered = link.Answered("a1", Now);
        Assert.False(answered.Opens("h1", Now));
        Assert.False(answered.Opens("h2", Now));
    }

    [Fact]
    public void A_TRD_induction_review_comes_at_the_eighth_session_or_the_first_past_week_four()
    {
        var course = new TreatmentCourse(new LocalDate(2026, 11, 2), 14);
        Assert.True(InductionReview.IsDueAfterSession(course, 8, new LocalDate(2026, 11, 25), new LocalDate(2026, 11, 23)));
        Assert.False(InductionReview.IsDueAfterSession(course, 7, new LocalDate(2026, 11, 27), new LocalDate(2026, 11, 25)));
        Assert.True(InductionReview.IsDueAfterSession(course, 6, new LocalDate(2026, 12, 1), new LocalDate(2026, 11, 27)));
        // A course long past induction (no session in weeks 1-4 before this one) raises nothing.
        Assert.False(InductionReview.IsDueAfterSession(course, 3, new LocalDate(2027, 2, 1), new LocalDate(2027, 1, 18)));
        Assert.False(InductionReview.IsDueAfterSession(course, 1, new LocalDate(2026, 12, 1), null));
    }

    [Fact]
    public void The_sweep_looks_from_day_28_and_a_paused_course_waits_for_its_four_weeks()
    {
        var course = new TreatmentCourse(new LocalDate(2026, 11, 2), 14);
        Assert.Equal(new LocalDate(2026, 11, 30), InductionReview.EarliestEnd(course));
        Assert.False(InductionReview.IsOverOn(course, new LocalDate(2026, 11, 29)));
        Assert.True(InductionReview.IsOverOn(course, new LocalDate(2026, 11, 30)));
        var paused = course with { Pauses = [new CoursePause(new LocalDate(2026, 11, 16), new LocalDate(2026, 11, 18), "hospital stay")] };
        Assert.False(InductionReview.IsOverOn(paused, new LocalDate(2026, 12, 2)));
        Assert.True(InductionReview.IsOverOn(paused, new LocalDate(2026, 12, 3)));
    }
}
