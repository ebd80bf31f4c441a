using System.Diagnostics;
using ClinicBackend.Application.Operations;
using ClinicBackend.Functions.Triggers;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OpenTelemetry.Trace;

namespace ClinicBackend.Integration.Tests.Foundation;

/// <summary>
/// What operators see of a dispatch run: the Tables calls and the Twilio request as spans, the texts sent and their lag
/// as metrics, the run's summary as named fields. Spans come from the app's own OpenTelemetry registration with an
/// in-memory exporter in place of Azure Monitor.
/// </summary>
public sealed class TelemetryTests : TwilioAppTest
{
    // A session Wednesday 2026-12-02 09:00 in New York: its reminder is due Tuesday 17:00 local (22:00Z).
    private static readonly DateTimeOffset HalfAMinuteLate = new(2026, 12, 1, 22, 0, 30, TimeSpan.Zero);

    private readonly LockedList<Activity> _spans = new();
    private readonly FakeLogCollector _logs = FakeLogCollector.Create(new FakeLogCollectorOptions { FilteredCategories = { typeof(TimerFunctions).FullName! } });

    protected override IDictionary<string, string?>? Settings => new Dictionary<string, string?>(Twilio.Settings())
    {
        [$"Logging:LogLevel:{typeof(TimerFunctions).FullName}"] = "Information",
    };

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddOpenTelemetry().WithTracing(tracing => tracing.AddInMemoryExporter(_spans));
        services.AddSingleton<ILoggerProvider>(new FakeLoggerProvider(_logs));
    }

    private async Task PlanReminderAsync()
    {
        var patient = await Clinic.RegisterPatientAsync(phone: "+12125550147");
        (await Clinic.BookAsync(patient, "2026-12-02T09:00")).Expect(201);
    }

    [Fact]
    public async Task A_dispatch_run_counts_the_text_it_sent_how_late_it_went_and_how_long_the_run_took()
    {
        var meters = App.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var sent = new MetricCollector<long>(meters, ClinicMetrics.MeterName, "clinic.sms.sent");
        using var lag = new MetricCollector<double>(meters, ClinicMetrics.MeterName, "clinic.outbox.lag");
        using var pages = new MetricCollector<long>(meters, ClinicMetrics.MeterName, "clinic.pages.sent");
        using var runs = new MetricCollector<double>(meters, ClinicMetrics.MeterName, "clinic.run.duration");
        await PlanReminderAsync();

        App.Clock.SetUtcNow(HalfAMinuteLate);
        await App.RunFunctionAsync("DispatchSms");

        Assert.Single(Twilio.Accepted);
        var text = Assert.Single(sent.GetMeasurementSnapshot());
        Assert.Equal(1, text.Value);
        Assert.Equal("day-before", text.Tags["kind"]);
        Assert.Equal(30, Assert.Single(lag.GetMeasurementSnapshot()).Value, precision: 3);
        Assert.Empty(pages.GetMeasurementSnapshot());
        var run = Assert.Single(runs.GetMeasurementSnapshot(), r => Equals(r.Tags["run"], "DispatchSms"));
        Assert.Equal("finished", run.Tags["outcome"]);
        Assert.True(run.Value > 0);
    }

    [Fact]
    public async Task A_dispatch_run_logs_its_summary_as_named_fields()
    {
        await PlanReminderAsync();
        App.Clock.SetUtcNow(HalfAMinuteLate);
        await App.RunFunctionAsync("DispatchSms");

        var summary = Assert.Single(_logs.GetSnapshot(), r => r.Id == RunLog.DispatchSmsRan);
        Assert.Equal(LogLevel.Information, summary.Level);
        Assert.Equal(nameof(RunLog.DispatchSmsRan), summary.Id.Name);
        Assert.Equal("1", summary.GetStructuredStateValue("Received"));
        Assert.Equal("1", summary.GetStructuredStateValue("Sent"));
        Assert.Equal("0", summary.GetStructuredStateValue("Failed"));
        Assert.Equal("0", summary.GetStructuredStateValue("ClinicsFailed"));
        Assert.StartsWith("DispatchSms: outbox 0 overdue,", summary.Message);
        Assert.DoesNotContain(", ;", summary.Message);
        Assert.DoesNotContain("{", summary.Message); // every field filled in, no record printed
    }

    [Fact]
    public async Task Tables_calls_and_the_Twilio_request_are_traced_once_each()
    {
        await PlanReminderAsync();
        App.Clock.SetUtcNow(HalfAMinuteLate);
        await App.RunFunctionAsync("DispatchSms");

        // The exporter sees every app's spans in this process: this app's requests name its tables.
        var spans = _spans.Snapshot();
        var tableRequests = spans.Where(s => s.Source.Name == "Azure.Core.Http" && s.GetTagItem("url.full") is string url && url.Contains(App.Prefix, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(tableRequests);
        Assert.All(tableRequests, s => Assert.Equal(ActivityKind.Client, s.Kind));
        var tableCalls = spans.Where(s => s.Source.Name == "Azure.Data.Tables.TableClient" && tableRequests.Any(r => r.ParentSpanId == s.SpanId)).ToList();
        Assert.Contains(tableCalls, s => s.DisplayName == "TableClient.GetEntityIfExists");

        // Point reads name their row's keys, and the directory's keys are phone numbers: no span carries them.
        Assert.Contains(tableRequests, s => ((string)s.GetTagItem("url.full")!).Contains("ClinicData(PartitionKey=REDACTED,RowKey=REDACTED)", StringComparison.Ordinal));
        Assert.DoesNotContain(spans, s => s.Tags.Any(t => t.Value?.Contains("2125550147", StringComparison.Ordinal) == true));

        var twilio = new Uri(Twilio.BaseUrl).Authority;
        var sends = spans.Where(s => s.Source.Name == "System.Net.Http" && s.GetTagItem("url.full") is string url && url.Contains(twilio, StringComparison.Ordinal)).ToList();
        var send = Assert.Single(sends, s => Equals(s.GetTagItem("http.request.method"), "POST"));
        Assert.EndsWith("/Messages.json", (string)send.GetTagItem("url.full")!);
        Assert.Equal(ActivityKind.Client, send.Kind);

        // An Azure SDK request of this app is its SDK's span alone: the HttpClient span under it is left out. Only this
        // app's requests are judged: the listener also sees other tests' apps and clients running in the process.
        var azureRequests = tableRequests.Select(s => s.SpanId).ToHashSet();
        Assert.DoesNotContain(spans, s => s.Source.Name == "System.Net.Http" && azureRequests.Contains(s.ParentSpanId));
    }
}
