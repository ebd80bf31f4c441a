using ClinicBackend.Domain.Messaging;
using ClinicBackend.Functions.Sms;
using ClinicBackend.Infrastructure.Messaging;

namespace ClinicBackend.Functions.Tests;

public sealed class TwilioWireFormatTests
{
    [Fact]
    public void TwiML_escapes_and_holds_at_most_one_message()
    {
        Assert.Equal("<?xml version=\"1.0\" encoding=\"utf-8\"?><Response><Message>Smith &amp; Sons &lt;clinic&gt;</Message></Response>", TwiML.Reply("Smith & Sons <clinic>"));
        Assert.Equal("<?xml version=\"1.0\" encoding=\"utf-8\"?><Response></Response>", TwiML.Reply(null));
    }

    [Fact]
    public void A_status_callback_url_names_its_text_and_reads_back()
    {
        var urls = new StatusCallbackUrls(new TwilioOptions { PublicBaseUrl = "https://clinic.example.org/" });
        var text = new TextRef("riverside", "p2a3b4c5d6e7f8g9", "r-s1-v2-day-before");
        var url = urls.For(text)!;
        Assert.Equal("https://clinic.example.org/api/sms/status?ref=riverside.p2a3b4c5d6e7f8g9.r-s1-v2-day-before", url.ToString());
        Assert.Equal(text, StatusCallbackUrls.Parse(System.Web.HttpUtility.ParseQueryString(url.Query)["ref"]));
        Assert.Null(StatusCallbackUrls.Parse("only.two"));
        Assert.Null(new StatusCallbackUrls(new TwilioOptions()).For(text));
    }
}
