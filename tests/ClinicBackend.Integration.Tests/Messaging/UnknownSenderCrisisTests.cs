namespace ClinicBackend.Integration.Tests.Messaging;

/// <summary>
/// Crisis language from numbers the clinic does not know (issue 27): every sender gets the 988 reply, a first crisis
/// from a number pages at once, repeats from that number join its open flag, and pages for unknown senders are capped
/// per clinic and hour so a burst of texts cannot page the on-call contacts without end.
/// Tuesday 2026-12-01 22:00 in New York.
/// </summary>
public sealed class UnknownSenderCrisisTests : TwilioAppTest
{
    private const string Lee = "+12125550150";
    private static readonly DateTimeOffset TuesdayNight = new(2026, 12, 2, 3, 0, 0, TimeSpan.Zero);

    protected override ClinicOptions ClinicOptions => new()
    {
        Adjust = body => body["escalation"] = new { contacts = new[] { new { name = "Dr. Lee", phone = Lee } }, ackMinutes = 10 },
    };

    protected override Task SetUpAsync()
    {
        App.Clock.SetUtcNow(TuesdayNight);
        return Task.CompletedTask;
    }

    private int PagesToLee => Twilio.Accepted.Count(t => t.To == Lee);

    [Fact]
    public async Task Repeats_from_one_unknown_number_join_its_open_flag_and_page_once()
    {
        const string stranger = "+12125557301";
        foreach (var text in new[] { "I want to kill myself", "please I want to die", "kill myself tonight" })
        {
            Assert.Contains("988", await TextAsync(stranger, text));
            App.Clock.Advance(TimeSpan.FromMinutes(1));
        }
        await App.RunFunctionAsync("DispatchSms");
        Assert.Equal(1, PagesToLee);
        var flag = Assert.Single(await Clinic.FlagsAsync("crisis"))!;
        Assert.Contains("3 texts", flag["detail"]!.ToString());
        Assert.DoesNotContain("2125557301", flag["detail"]!.ToString(), StringComparison.Ordinal);

        // Once staff resolved it, a new crisis text from that number is a new flag that pages again.
        (await Clinic.PostAsync($"/flags/{flag["id"]}/resolve", new { note = "Called back; safe with family." })).Expect(200);
        await TextAsync(stranger, "I want to end my life");
        await App.RunFunctionAsync("DispatchSms");
        Assert.Equal(2, PagesToLee);
        Assert.Single(await Clinic.FlagsAsync("crisis"));
    }

    [Fact]
    public async Task Pages_for_unknown_senders_stop_at_six_an_hour_while_every_sender_still_gets_988_and_a_flag()
    {
        for (var i = 0; i < 9; i++)
        {
            Assert.Contains("988", await TextAsync($"+1212555{7310 + i}", "I want to kill myself"));
        }
        await App.RunFunctionAsync("DispatchSms");
        Assert.Equal(6, PagesToLee);
        var flags = await Clinic.FlagsAsync("crisis");
        Assert.Equal(9, flags.Count);
        Assert.Equal(3, flags.Count(f => f!["escalation"]!["state"]!.ToString() == "none"));
        Assert.All(flags.Where(f => f!["escalation"]!["state"]!.ToString() == "none"), f => Assert.Contains("Not paged", f!["detail"]!.ToString()));

        // The next hour pages again.
        App.Clock.Advance(TimeSpan.FromMinutes(61));
        await TextAsync("+12125557399", "I want to kill myself");
        await App.RunFunctionAsync("DispatchSms");
        Assert.Equal(7, PagesToLee);
    }
}
