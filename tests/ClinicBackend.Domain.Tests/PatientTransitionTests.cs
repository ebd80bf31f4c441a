using ClinicBackend.Domain.Patients;
using NodaTime;

namespace ClinicBackend.Domain.Tests;

/// <summary>The patient's own transitions: each one changes the patient one version on, or returns it as it is when there is nothing to change.</summary>
public sealed class PatientTransitionTests
{
    private static readonly Instant Now = Instant.FromUtc(2026, 12, 2, 14, 0);

    [Fact]
    public void Opting_out_stops_automated_texts_once()
    {
        var ana = TestPatients.Ana() with { Version = 3 };
        var out1 = ana.OptOut();
        Assert.True(out1.SmsOptedOut);
        Assert.False(out1.MayReceiveAutomatedTexts);
        Assert.Equal(4, out1.Version);
        Assert.Same(out1, out1.OptOut());
    }

    [Fact]
    public void Opting_in_lets_texts_through_again_and_changes_nothing_for_a_patient_who_never_opted_out()
    {
        var back = TestPatients.Ana(optedOut: true).OptIn();
        Assert.False(back.SmsOptedOut);
        Assert.True(back.MayReceiveAutomatedTexts);
        Assert.Equal(2, back.Version);
        var ana = TestPatients.Ana();
        Assert.Same(ana, ana.OptIn());
    }

    [Fact]
    public void A_crisis_pauses_texts_and_a_second_crisis_keeps_the_first_flag_as_the_pause()
    {
        var paused = TestPatients.Ana().PauseForCrisis("flag-a");
        Assert.Equal("flag-a", paused.PausedByFlagId);
        Assert.False(paused.MayReceiveAutomatedTexts);
        Assert.Equal(2, paused.Version);
        Assert.Same(paused, paused.PauseForCrisis("flag-b"));
    }

    [Fact]
    public void Resolving_the_pausing_flag_resumes_texts_unless_another_crisis_is_open()
    {
        var paused = TestPatients.Ana(paused: "flag-a");
        var resumed = paused.Resume("flag-a", otherOpenCrisis: null);
        Assert.Null(resumed.PausedByFlagId);
        Assert.True(resumed.MayReceiveAutomatedTexts);
        Assert.Equal(2, resumed.Version);

        var still = paused.Resume("flag-a", otherOpenCrisis: "flag-b");
        Assert.Equal("flag-b", still.PausedByFlagId);
        Assert.Equal(2, still.Version);
    }

    [Fact]
    public void Resolving_a_flag_that_did_not_pause_the_patient_changes_nothing()
    {
        var paused = TestPatients.Ana(paused: "flag-a");
        Assert.Same(paused, paused.Resume("flag-b", otherOpenCrisis: null));
        var ana = TestPatients.Ana();
        Assert.Same(ana, ana.Resume("flag-a", otherOpenCrisis: null));
    }

    [Fact]
    public void Enrolling_starts_a_patient_at_version_one_neither_opted_out_nor_paused()
    {
        var enrolled = Patient.Enrol(TestPatients.Ana(optedOut: true, paused: "flag-a") with { Version = 7 }, Now);
        Assert.Equal(1, enrolled.Version);
        Assert.Equal(Now, enrolled.CreatedAt);
        Assert.False(enrolled.SmsOptedOut);
        Assert.Null(enrolled.PausedByFlagId);
    }

    [Fact]
    public void Staff_edits_go_one_version_on_and_keep_the_opt_out_the_pause_and_the_enrolment_time()
    {
        var ana = TestPatients.Ana(optedOut: true, paused: "flag-a") with { Version = 5, CreatedAt = Now - Duration.FromDays(30) };
        var edited = ana.Revise(TestPatients.Ana() with { Language = "es", Version = 1, CreatedAt = Now });
        Assert.Equal("es", edited.Language);
        Assert.Equal(6, edited.Version);
        Assert.True(edited.SmsOptedOut);
        Assert.Equal("flag-a", edited.PausedByFlagId);
        Assert.Equal(ana.CreatedAt, edited.CreatedAt);
    }
}
