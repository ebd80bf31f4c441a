using System.Diagnostics.Metrics;
using NodaTime;

namespace ClinicBackend.Application.Operations;

/// <summary>
/// The figures operators watch, as instruments of the meter <see cref="MeterName"/>; the hosts export them with
/// OpenTelemetry (docs/telemetry.md). Tags stay few and bounded: a text's kind, Twilio's error code, a run's name.
/// </summary>
public sealed class ClinicMetrics
{
    public const string MeterName = "ClinicBackend";

    private readonly Counter<long> _sent;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _unsettled;
    private readonly Histogram<double> _lag;
    private readonly Counter<long> _pages;
    private readonly Counter<long> _exhausted;
    private readonly Histogram<double> _runDuration;
    private readonly Counter<long> _clinicFailures;

    public ClinicMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _sent = meter.CreateCounter<long>("clinic.sms.sent", "{text}", "Texts Twilio accepted (on-call pages included, kind=page).");
        _failed = meter.CreateCounter<long>("clinic.sms.failed", "{text}", "Texts that failed for good: refused by Twilio, or no answer after every attempt.");
        _unsettled = meter.CreateCounter<long>("clinic.sms.unsettled", "{text}", "Sends that ended without an answer from Twilio; the text is looked up before any resend.");
        _lag = meter.CreateHistogram<double>("clinic.outbox.lag", "s", "From a text's due time to Twilio accepting it.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600] });
        _pages = meter.CreateCounter<long>("clinic.pages.sent", "{page}", "Pages to on-call contacts that Twilio accepted.");
        _exhausted = meter.CreateCounter<long>("clinic.escalation.exhausted", "{flag}", "Urgent flags paged round every contact twice without an acknowledgement.");
        _runDuration = meter.CreateHistogram<double>("clinic.run.duration", "s", "How long a scheduled run took, across every clinic.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] });
        _clinicFailures = meter.CreateCounter<long>("clinic.run.clinic_failures", "{clinic}", "Clinics a scheduled run failed for (each logged as ClinicRunFailed).");
    }

    /// <summary>Twilio accepted a text; <paramref name="lag"/> is from its due time, when known.</summary>
    public void TextSent(string kind, Duration? lag)
    {
        var tag = Kind(kind);
        _sent.Add(1, tag);
        if (lag is { } late)
        {
            _lag.Record(Math.Max(0, late.TotalSeconds), tag);
        }
        if (kind == Domain.Messaging.SmsKinds.Page)
        {
            _pages.Add(1);
        }
    }

    public void TextFailed(string kind, string? errorCode) => _failed.Add(1, Kind(kind), new("error.code", errorCode ?? "none"));

    public void TextUnsettled(string kind) => _unsettled.Add(1, Kind(kind));

    public void EscalationExhausted() => _exhausted.Add(1);

    /// <summary>A run ended: how long it took, whether it finished, and how many clinics it failed for.</summary>
    public void RunEnded(string run, TimeSpan duration, bool finished, int clinicsFailed)
    {
        var name = new KeyValuePair<string, object?>("run", run);
        _runDuration.Record(duration.TotalSeconds, name, new("outcome", finished ? "finished" : "failed"));
        if (clinicsFailed > 0)
        {
            _clinicFailures.Add(clinicsFailed, name);
        }
    }

    private static KeyValuePair<string, object?> Kind(string kind) => new("kind", kind);
}
