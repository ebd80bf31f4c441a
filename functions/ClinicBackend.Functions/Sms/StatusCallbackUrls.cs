using ClinicBackend.Domain.Messaging;
using ClinicBackend.Infrastructure.Messaging;

namespace ClinicBackend.Functions.Sms;

/// <summary>
/// Status callbacks point at <c>{PublicBaseUrl}/api/sms/status?ref={clinic}.{patient}.{message}</c>: the one
/// place that writes that URL and reads the reference back.
/// </summary>
public sealed class StatusCallbackUrls(TwilioOptions options) : IStatusCallbacks
{
    public const string Path = "/api/sms/status";

    public Uri? For(TextRef text) =>
        options.PublicBaseUrl is null ? null : new Uri($"{options.PublicBaseUrl.TrimEnd('/')}{Path}?ref={text.ClinicId}.{text.PatientId}.{text.MessageId}");

    /// <summary>The text a callback's <c>ref</c> names, or null when it is not of that form.</summary>
    public static TextRef? Parse(string? reference) =>
        reference?.Split('.') is [var clinic, var patient, var message] ? new TextRef(clinic, patient, message) : null;
}
