using ClinicBackend.Domain.Messaging;

namespace ClinicBackend.Domain.Tests;

public sealed class ReplyInterpreterTests
{
    [Theory]
    // carrier opt-out words, whole message, any case, surrounding spaces and punctuation ignored
    [InlineData("STOP", ReplyIntent.OptOut)]
    [InlineData("stop", ReplyIntent.OptOut)]
    [InlineData(" Stop. ", ReplyIntent.OptOut)]
    [InlineData("STOP!", ReplyIntent.OptOut)]
    [InlineData("¡Stop!", ReplyIntent.OptOut)]
    [InlineData("\"stop\"", ReplyIntent.OptOut)]
    [InlineData("StopAll", ReplyIntent.OptOut)]
    [InlineData("unsubscribe", ReplyIntent.OptOut)]
    [InlineData("Cancel", ReplyIntent.OptOut)]
    [InlineData("end", ReplyIntent.OptOut)]
    [InlineData("QUIT", ReplyIntent.OptOut)]
    [InlineData("revoke", ReplyIntent.OptOut)]
    [InlineData("optout", ReplyIntent.OptOut)]
    [InlineData("Stop. Thank you", ReplyIntent.FreeText)] // not the whole message: the clinic reads it
    [InlineData("stop sending me the parking info", ReplyIntent.FreeText)]
    [InlineData("STOP 🙏", ReplyIntent.FreeText)] // an emoji is content, not punctuation (Twilio would not opt out either)
    [InlineData("ST OP", ReplyIntent.FreeText)]
    [InlineData("cancel my appointment", ReplyIntent.FreeText)]
    // opt-in and help
    [InlineData("START", ReplyIntent.OptIn)]
    [InlineData("unstop", ReplyIntent.OptIn)]
    [InlineData("help", ReplyIntent.Help)]
    [InlineData("Info?", ReplyIntent.Help)]
    // reply words
    [InlineData("1", ReplyIntent.Confirm)]
    [InlineData(" 1. ", ReplyIntent.Confirm)]
    [InlineData("c", ReplyIntent.Confirm)]
    [InlineData("Confirm", ReplyIntent.Confirm)]
    [InlineData("confirmar", ReplyIntent.Confirm)]
    [InlineData("2", ReplyIntent.Reschedule)]
    [InlineData("r", ReplyIntent.Reschedule)]
    [InlineData("RESCHEDULE!", ReplyIntent.Reschedule)]
    [InlineData("12", ReplyIntent.FreeText)]
    [InlineData("yes", ReplyIntent.FreeText)] // never a confirmation word
    [InlineData("1 and my husband will drive", ReplyIntent.FreeText)]
    // everything else
    [InlineData("", ReplyIntent.FreeText)]
    [InlineData("   ", ReplyIntent.FreeText)]
    [InlineData("Olá, posso chegar às 10h?", ReplyIntent.FreeText)]
    [InlineData("👍", ReplyIntent.FreeText)]
    public void Keywords_match_the_whole_message(string body, ReplyIntent intent) => Assert.Equal(intent, ReplyInterpreter.Interpret(body));

    [Theory]
    [InlineData("I want to die")]
    [InlineData("i want to kill myself tonight")]
    [InlineData("Thinking about suicide")]
    [InlineData("I feel suicidal")]
    [InlineData("I'm going to end my life")]
    [InlineData("I might hurt myself")]
    [InlineData("took an overdose")]
    [InlineData("I don’t want to live anymore")]
    [InlineData("everyone would be better off dead without me")]
    [InlineData("STOP i want to die")]
    [InlineData("1 but honestly I want to die")]
    [InlineData("Quiero morir")]
    [InlineData("me quiero morir")]
    [InlineData("pienso en el suicidio")]
    [InlineData("voy a matarme")]
    [InlineData("no quiero vivir más")]
    [InlineData("quiero quitarme la vida")]
    [InlineData("tomé una SOBREDOSIS")]
    [InlineData("I WANT   TO\nDIE")]
    public void Crisis_language_is_found_first_in_English_and_Spanish(string body) =>
        Assert.Equal(ReplyIntent.Crisis, ReplyInterpreter.Interpret(body));

    [Theory]
    [InlineData("my phone battery died")]
    [InlineData("see you tomorrow, friend it all went well")]
    [InlineData("I could kill for a coffee")]
    [InlineData("the parking meter ended")]
    public void Ordinary_words_near_crisis_phrases_are_not_crisis(string body) =>
        Assert.NotEqual(ReplyIntent.Crisis, ReplyInterpreter.Interpret(body));

    [Fact]
    public void Twilio_advanced_opt_out_classification_is_respected_after_crisis()
    {
        Assert.Equal(ReplyIntent.OptOut, ReplyInterpreter.Interpret("arret", "STOP"));
        Assert.Equal(ReplyIntent.OptIn, ReplyInterpreter.Interpret("resume", "START"));
        Assert.Equal(ReplyIntent.Crisis, ReplyInterpreter.Interpret("stop, I want to die", "STOP"));
    }

    [Fact]
    public void Very_long_bodies_are_read_without_trouble()
    {
        Assert.Equal(ReplyIntent.FreeText, ReplyInterpreter.Interpret(new string('a', 10_000)));
        Assert.Equal(ReplyIntent.Crisis, ReplyInterpreter.Interpret(new string('a', 5_000) + " I want to die " + new string('b', 5_000)));
    }

    [Theory]
    [InlineData("1", ReplyIntent.Confirm, 1)]
    [InlineData(" 2. ", ReplyIntent.Reschedule, 2)]
    [InlineData("3", ReplyIntent.FreeText, 3)]
    [InlineData("0", ReplyIntent.FreeText, 0)]
    [InlineData("4", ReplyIntent.FreeText, null)] // no offer has a fourth start
    [InlineData("11", ReplyIntent.FreeText, null)]
    [InlineData("C", ReplyIntent.Confirm, null)]
    [InlineData("1 I want to die", ReplyIntent.Crisis, null)] // a crisis never answers an offer
    public void A_text_is_read_once_with_the_digit_it_may_answer_an_offer_with(string body, ReplyIntent intent, int? digit)
    {
        var reading = ReplyInterpreter.Read(body);
        Assert.Equal(intent, reading.Intent);
        Assert.Equal(digit, reading.Digit);
        Assert.Equal(intent == ReplyIntent.Crisis, reading.IsCrisis);
    }

    [Fact]
    public void Twilios_own_opt_out_classification_is_no_digit_even_for_a_digit_text()
    {
        var reading = ReplyInterpreter.Read("1", optOutType: "STOP");
        Assert.Equal(ReplyIntent.OptOut, reading.Intent);
        Assert.Null(reading.Digit);
    }
}
