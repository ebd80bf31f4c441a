using System.Xml.Linq;
using Twilio.TwiML;

namespace ClinicBackend.Functions.Sms;

/// <summary>TwiML for the inbound webhook's answer, written by the Twilio SDK: at most one message.</summary>
public static class TwiML
{
    public const string ContentType = "text/xml; charset=utf-8";

    public static string Reply(string? message)
    {
        var response = new MessagingResponse();
        if (message is not null)
        {
            response.Message(message);
        }
        return response.ToString(SaveOptions.DisableFormatting);
    }
}
