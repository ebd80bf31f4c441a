using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Messaging;
using NodaTime;

namespace ClinicBackend.Domain.Tests;

/// <summary>Who is paged next for an urgent flag, when, and when the paging gives up.</summary>
public sealed class EscalationRulesTests
{
    private static readonly Instant TuesdayNight = Instant.FromUtc(2026, 12, 2, 3, 0); // 22:00 in New York
    private static readonly Instant TuesdayNoon = Instant.FromUtc(2026, 12, 1, 17, 0);
    private static readonly OnCallContact Lee = new("Dr. Lee", "+12125550150");
    private static readonly OnCallContact Kim = new("Nurse Kim", "+12125550151");

    private static Clinic WithContacts(params OnCallContact[] contacts) =>
        TestClinics.Riverside() with { Escalation = new EscalationSettings(contacts, 10) };

    private static Flag Urgent(string kind = FlagKinds.Crisis) =>
        Flag.For(kind, "cause", FlagSeverity.Urgent, "p1", null, TuesdayNight, "URGENT");

    private static Flag PagedTimes(Flag flag, int pages, Instant at)
    {
        for (var step = 0; step < pages; step++)
        {
            flag = flag.Paged(new FlagPage("x", "+1", at, $"m{step}"), step, "4821", at);
        }
        return flag;
    }

    [Fact]
    public void A_crisis_pages_the_first_contact_at_once_even_at_night()
    {
        var step = EscalationRules.Next(Urgent(), WithContacts(Lee, Kim), new HashSet<string>(), TuesdayNight);
        Assert.Equal(new EscalationStep.Page(0, 0), step);
    }

    [Fact]
    public void Another_urgent_flag_waits_for_the_clinic_to_open()
    {
        var clinic = WithContacts(Lee, Kim);
        var night = EscalationRules.Next(Urgent(FlagKinds.RemsFormDue), clinic, new HashSet<string>(), TuesdayNight);
        Assert.Equal(new EscalationStep.Wait(Instant.FromUtc(2026, 12, 2, 13, 0)), night); // Wednesday 08:00
        Assert.Equal(new EscalationStep.Page(0, 0), EscalationRules.Next(Urgent(FlagKinds.RemsFormDue), clinic, new HashSet<string>(), TuesdayNoon));
    }

    [Fact]
    public void Unacknowledged_pages_go_down_the_list_round_twice_then_give_up()
    {
        var clinic = WithContacts(Lee, Kim);
        var steps = Enumerable.Range(0, 5)
            .Select(pages => EscalationRules.Next(PagedTimes(Urgent(), pages, TuesdayNight - Duration.FromHours(1)), clinic, new HashSet<string>(), TuesdayNight))
            .ToList();
        Assert.Equal<EscalationStep>(
            [new EscalationStep.Page(0, 0), new EscalationStep.Page(1, 1), new EscalationStep.Page(0, 2), new EscalationStep.Page(1, 3), new EscalationStep.Exhaust()],
            steps);
    }

    [Fact]
    public void A_page_waits_for_its_acknowledgement_window()
    {
        var paged = Urgent().Paged(new FlagPage("Dr. Lee", Lee.Phone, TuesdayNight, "m0"), 0, "4821", TuesdayNight + Duration.FromMinutes(10));
        Assert.Equal(new EscalationStep.Wait(TuesdayNight + Duration.FromMinutes(10)),
            EscalationRules.Next(paged, WithContacts(Lee, Kim), new HashSet<string>(), TuesdayNight + Duration.FromMinutes(9)));
    }

    [Fact]
    public void Contacts_who_texted_stop_are_passed_over()
    {
        var step = EscalationRules.Next(Urgent(), WithContacts(Lee, Kim), new HashSet<string> { Lee.Phone }, TuesdayNight);
        Assert.Equal(new EscalationStep.Page(1, 1), step);
        Assert.IsType<EscalationStep.Exhaust>(EscalationRules.Next(Urgent(), WithContacts(Lee), new HashSet<string> { Lee.Phone }, TuesdayNight));
    }

    [Fact]
    public void Nobody_on_the_list_means_the_operators_are_alerted_and_a_taken_flag_is_left_alone()
    {
        Assert.IsType<EscalationStep.Exhaust>(EscalationRules.Next(Urgent(), WithContacts(), new HashSet<string>(), TuesdayNight));
        var taken = Urgent().Acknowledge("Nurse Kim", TuesdayNight).Value;
        Assert.IsType<EscalationStep.Done>(EscalationRules.Next(taken, WithContacts(Lee), new HashSet<string>(), TuesdayNight));
        Assert.Same(taken, taken.Acknowledge("Dr. Lee", TuesdayNight).Value); // taking it again changes nothing
        Assert.IsType<EscalationStep.Done>(EscalationRules.Next(Flag.For(FlagKinds.PatientMessage, "c", FlagSeverity.Normal, null, null, TuesdayNight, "d"),
            WithContacts(Lee), new HashSet<string>(), TuesdayNight));
    }

    [Theory]
    [InlineData("Riverside Behavioral Health")]
    [InlineData("Clínica del Río")]
    public void A_page_names_the_clinic_and_a_code_and_nothing_of_the_patient(string clinicName)
    {
        var text = SmsTexts.Page(TestClinics.Riverside() with { Name = clinicName }, "4821");
        Assert.StartsWith(clinicName, text);
        Assert.Contains("ACK 4821", text);
        Assert.False(SmsTexts.ContainsForbiddenWord(text));
        foreach (var kind in FlagKinds.All)
        {
            Assert.DoesNotContain(kind, text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Theory]
    [InlineData("ACK 4821", true, "4821")]
    [InlineData(" ack 4821. ", true, "4821")]
    [InlineData("ACK", true, null)]
    [InlineData("Ack!", true, null)]
    [InlineData("ACK 48", false, null)]
    [InlineData("ACK it", false, null)]
    [InlineData("BACK 4821", false, null)]
    public void Acknowledgements_are_read_whole(string text, bool isAck, string? code)
    {
        Assert.Equal(isAck, ReplyInterpreter.TryParseAck(text, out var parsed));
        Assert.Equal(code, parsed);
    }
}
