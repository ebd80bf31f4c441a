using Microsoft.Extensions.Logging;

namespace ClinicBackend.Application.Operations;

/// <summary>
/// Events the operators' alert rules match (infra/modules/alerts.bicep) by their stable event id, which reaches
/// Application Insights as customDimensions.EventId; the message starts with the event name for people reading it.
/// </summary>
public static class OperationalEvents
{
    /// <summary>Twilio answered 401 / 20003: no text can go until Twilio__AuthToken is fixed.</summary>
    public static readonly EventId TwilioAuthenticationFailed = new(9001, nameof(TwilioAuthenticationFailed));

    /// <summary>An urgent flag was paged round every on-call contact twice and nobody acknowledged it.</summary>
    public static readonly EventId EscalationExhausted = new(9002, nameof(EscalationExhausted));

    /// <summary>A scheduled run failed for one clinic; the other clinics went on and the next run tries again.</summary>
    public static readonly EventId ClinicRunFailed = new(9003, nameof(ClinicRunFailed));

    /// <summary>Crisis texts from numbers that are no patients came faster than the hourly page cap: the flags are on the urgent list, not paged.</summary>
    public static readonly EventId UnknownSenderPagesCapped = new(9005, nameof(UnknownSenderPagesCapped));

    /// <summary>
    /// A clinic's records of the day are in the records container (logged as information, once a clinic and run): the
    /// alert on overdue exports fires for a clinic without one for 26 hours.
    /// </summary>
    public static readonly EventId RecordsExported = new(9004, nameof(RecordsExported));

    /// <summary>
    /// Logs an alert as an error carrying an exception, so Application Insights records it as exception
    /// telemetry; the worker's exporter samples nothing (see Telemetry in the Functions project).
    /// </summary>
    public static void Alert(this ILogger logger, EventId alert, string message, params object?[] args) =>
        logger.LogError(alert, new OperationalAlert(alert.Name ?? alert.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), message, args);
}

/// <summary>The exception an operational alert is logged with (nothing was thrown).</summary>
public sealed class OperationalAlert(string name) : Exception(name);
