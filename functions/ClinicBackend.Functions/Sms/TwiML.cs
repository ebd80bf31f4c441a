namespace ClinicBackend.Functions.Sms;

/// <summary>TwiML for the inbound webhook's answer: at most one message, XML-escaped.</summary>
public static class TwiML
{
    public const string ContentType = "text/xml; charset=utf-8";

    public static string Reply(string? message) =>
        message is null
            ? "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>"
            : $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>{System.Security.SecurityElement.Escape(message)}</Message></Response>";
}
