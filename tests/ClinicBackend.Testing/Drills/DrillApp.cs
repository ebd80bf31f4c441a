using System.Diagnostics;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Functions.Triggers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace ClinicBackend.Testing.Drills;

/// <summary>
/// A drill's world: the app on the local host with a fake clock, its own Twilio stand-in (dating texts by the
/// app's clock), a log capture, clinics with 50 chairs, and the texts the drill expects to go.
/// </summary>
public sealed class DrillApp : IAsyncDisposable
{
    private readonly Stopwatch _watch = Stopwatch.StartNew();

    private DrillApp(TwilioStandIn twilio) => Twilio = twilio;

    public TestApp App { get; private set; } = null!;
    public TwilioStandIn Twilio { get; }
    public FakeLogCollector Logs { get; } = new();
    public List<Scenario> Clinics { get; } = [];
    public List<ExpectedText> Texts { get; } = [];
    public IDocumentStore Store => App.Services.GetRequiredService<IDocumentStore>();

    /// <summary>
    /// Starts a drill's app: <paramref name="storage"/> is an Azurite connection string (null: the shared one);
    /// <paramref name="services"/> may wrap or replace services, with the drill's stand-in and logs at hand.
    /// </summary>
    public static async Task<DrillApp> StartAsync(string? storage, IDictionary<string, string?>? settings = null, Action<IServiceCollection, DrillApp>? services = null)
    {
        var drill = new DrillApp(await TwilioStandIn.StartAsync());
        var config = drill.Twilio.Settings();
        config["Logging:LogLevel:ClinicBackend.Functions.Triggers.TimerFunctions"] = "Information"; // the runs' summaries
        config["Logging:Console:LogLevel:Default"] = "None"; // the capture keeps them; the result carries the warnings
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }
        try
        {
            drill.App = await TestApp.StartAsync(TestApp.Monday, config, s =>
            {
                s.AddSingleton<ILoggerProvider>(new FakeLoggerProvider(drill.Logs));
                services?.Invoke(s, drill);
            }, storage: storage);
        }
        catch
        {
            await drill.Twilio.DisposeAsync();
            throw;
        }
        drill.Twilio.Clock = drill.App.Clock;
        return drill;
    }

    /// <summary>A clinic whose day-before reminders go at <paramref name="dayBeforeAt"/> (New York).</summary>
    public async Task<Scenario> AddClinicAsync(string dayBeforeAt = "17:00")
    {
        var clinic = await Scenario.CreateAsync(App, new ClinicOptions
        {
            Chairs = 50,
            Adjust = body => body["reminders"] = new { dayBeforeAt, quietHours = new[] { "21:00", "08:00" } },
        });
        Clinics.Add(clinic);
        return clinic;
    }

    /// <summary>
    /// Registers <paramref name="count"/> patients and books each one session on Wednesday 2026-12-02 (between 08:00 and
    /// 16:00): each expects one day-before reminder, on Tuesday at the clinic's reminder time.
    /// </summary>
    public async Task BookAsync(Scenario clinic, int count)
    {
        var booked = new List<ExpectedText>();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var phone = Fixtures.UniquePhone();
            var patient = await clinic.RegisterPatientAsync(phone);
            var start = new TimeOnly(8, 0).AddMinutes(15 * (i % 33));
            var session = (await clinic.BookAsync(patient, $"2026-12-02T{start:HH\\:mm}")).EnsureStatus(201)["id"]!;
            lock (booked)
            {
                booked.Add(new ExpectedText(clinic.ClinicId, patient, phone, session));
            }
        });
        Texts.AddRange(booked);
    }

    /// <summary>Sets the clock and runs DispatchSms; throws if the run fails.</summary>
    public async Task DispatchAtAsync(DateTimeOffset at)
    {
        App.Clock.SetUtcNow(at);
        await App.RunFunctionAsync("DispatchSms");
    }

    /// <summary>
    /// Takes every visible wake-up from the app's outbox, as a dispatcher would; the drill then settles each one itself
    /// (dead-letters it, completes it, or releases it as it was with <see cref="ReleaseAsync"/>).
    /// </summary>
    public async Task<IReadOnlyList<IOutboxDelivery>> TakeWakeUpsAsync()
    {
        var outbox = App.Services.GetRequiredService<ISmsOutbox>();
        var taken = new List<IOutboxDelivery>();
        while (await outbox.ReceiveAsync(32, default) is { Count: > 0 } batch)
        {
            taken.AddRange(batch);
        }
        return taken;
    }

    public static Task ReleaseAsync(IOutboxDelivery delivery) => delivery.RetryAsync(delivery.Message.Generation, NodaTime.Duration.Zero, default);

    /// <summary>Every outbound ledger row of the drill's texts.</summary>
    public async Task<IReadOnlyList<SmsMessage>> LedgerAsync()
    {
        var rows = new List<SmsMessage>();
        foreach (var text in Texts)
        {
            rows.AddRange((await Store.QueryPrefixAsync<SmsMessage>(text.ClinicId, Keys.MessagePrefix(text.PatientId), default))
                .Select(r => r.Value).Where(r => r.Direction == "outbound"));
        }
        return rows;
    }

    /// <summary>The runs' summaries as the timer functions logged them (<paramref name="run"/>: an event of <see cref="RunLog"/>).</summary>
    public IReadOnlyList<FakeLogRecord> Summaries(EventId run) => Logs.GetSnapshot().Where(r => r.Id == run).ToList();

    /// <summary>How many times the app logged the event.</summary>
    public int LogCount(EventId id) => Logs.GetSnapshot().Count(r => r.Id.Id == id.Id);

    public async Task<DrillResult> ResultAsync(string drill, string title, params DrillCheck[] checks)
    {
        var counts = await DrillTally.CountAsync(Store, Texts, Twilio.Accepted.ToList(), Clinics.Select(c => c.ClinicId));
        return new DrillResult(drill, title, counts.Due, counts.SentOnce, counts.SentTwice, counts.Lost, counts.Flags, [.. checks, .. counts.Checks], _watch.Elapsed)
        {
            Log = Logs.GetSnapshot().Where(e => e.Level >= LogLevel.Warning)
                .Select(e => $"{e.Level} {e.Category?.Split('.')[^1]}[{e.Id.Id}]: {e.Message.Split('\n')[0]}").ToList(),
        };
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Twilio.DisposeAsync();
    }
}
