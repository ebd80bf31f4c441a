using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Time;
using ClinicBackend.Testing.Drills;
using ClinicBackend.Testing.Storage;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace ClinicBackend.Testing.Simulation;

/// <summary>Where the simulated app keeps its rows: <see cref="InMemoryDocumentStore"/> in the process, or the table store on Azurite.</summary>
public enum SimulationStore
{
    Memory,
    Azurite,
}

/// <summary>
/// What to simulate: weeks from Monday 2026-12-07, chairs, the seed, whether reminders, self-service and the waitlist
/// are on, and the store the app runs on.
/// </summary>
public sealed record SimulationOptions(int Weeks, int Chairs, int Seed, bool Features, SimulationStore Store = SimulationStore.Memory)
{
    public static readonly LocalDate FirstDay = new(2026, 12, 7);

    public LocalDate LastDay => FirstDay.PlusWeeks(Weeks).PlusDays(-1);
}

/// <summary>The figures of one simulated run: the app's own summary report of the period, and what the run cost.</summary>
public sealed record SimulationResult(
    SimulationOptions Options,
    JsonNode Report,
    int SessionsBooked,
    int SessionsInPeriod,
    int TextsSent,
    long StorageRequests,
    TimeSpan Elapsed,
    IReadOnlyList<string> Profile)
{
    public JsonNode Chairs => Report["chairs"]!;

    public int Fulfilled => Report["sessions"]!["fulfilled"]!.GetValue<int>();

    public double TextsPerVisit => Fulfilled == 0 ? 0 : (double)TextsSent / Fulfilled;
}

/// <summary>
/// A clinic's quarter driven through the real app (the local host over HTTP, on Azurite) with a fake clock: patients
/// with courses in every phase book, come, miss, cancel and move, answer texts as <see cref="PatientModel"/> says,
/// and the timers run at their schedules. Events run one at a time in time order, each at its own second, so a seed
/// gives the same run. With <see cref="SimulationOptions.Features"/> off, patients have no SMS consent (no reminders),
/// self-service moves and the waitlist are off, and staff cancel and rebook by phone.
/// </summary>
public sealed class ClinicSimulation
{
    private static readonly DateTimeZone Zone = DateTimeZoneProviders.Tzdb["America/New_York"];
    private static readonly int[] PreferredHours = [8, 10, 12, 14, 16];

    private readonly SimulationOptions _options;
    private readonly PatientModel _model;
    private readonly TestApp _app;
    private readonly TwilioStandIn _twilio;
    private readonly Scenario _clinic;
    private readonly CountedStore _store;
    private readonly PriorityQueue<Func<Task>, (Instant At, long Order)> _events = new();
    private readonly List<SimPatient> _patients = [];
    private readonly Dictionary<string, SimPatient> _byPhone = [];
    private readonly Random _random;
    private long _order;
    private int _textsSeen;
    private int _twimlTexts;
    private readonly List<SimSession> _all = [];
    private Instant? _dispatchPending;
    private readonly SortedDictionary<string, (int Count, double Seconds, long Requests)> _profile = new(StringComparer.Ordinal);

    private ClinicSimulation(SimulationOptions options, PatientModel model, TestApp app, TwilioStandIn twilio, Scenario clinic)
    {
        (_options, _model, _app, _twilio, _clinic) = (options, model, app, twilio, clinic);
        _store = (CountedStore)app.Services.GetRequiredService<IDocumentStore>();
        _random = new Random(options.Seed);
    }

    private Instant Now => Instant.FromDateTimeOffset(_app.Clock.GetUtcNow());

    private static Instant At(LocalDate date, int hour, int minute = 0, int second = 0) =>
        date.At(new LocalTime(hour, minute, second)).InZoneLeniently(Zone).ToInstant();

    /// <summary>
    /// Runs the period and reads the app's report of it. <paramref name="storage"/> is the Azurite (null: the shared one)
    /// of the table store, and of the event queue whichever the store.
    /// </summary>
    public static async Task<SimulationResult> RunAsync(SimulationOptions options, PatientModel? model = null, string? storage = null)
    {
        var watch = Stopwatch.StartNew();
        await using var twilio = await TwilioStandIn.StartAsync();
        var settings = twilio.Settings();
        settings["Logging:LogLevel:Default"] = "None"; // the model leaves urgent flags unanswered: their alerts are no news here
        await using var app = await TestApp.StartAsync(At(SimulationOptions.FirstDay.PlusDays(-1), 12).ToDateTimeOffset(), settings,
            s =>
            {
                if (options.Store == SimulationStore.Memory)
                {
                    // The app's clock stamps the rows' write times, as storage's own clock does in Azure.
                    s.AddSingleton<IDocumentStore>(sp => new InMemoryDocumentStore(sp.GetRequiredService<TimeProvider>()));
                }
                s.Decorate<IDocumentStore>((inner, _) => new CountedStore(inner));
                s.AddSingleton<ISmsOutbox>(sp => new ScheduledOutbox(sp.GetRequiredService<TimeProvider>()));
                s.AddLogging(logging => logging.AddFilter("Azure", LogLevel.None)); // ETag and insert conflicts the app expects
            }, storage: storage);
        twilio.Clock = app.Clock;
        var clinic = await Scenario.CreateAsync(app, new ClinicOptions
        {
            Chairs = options.Chairs,
            Adjust = body => body["selfService"] = new { reschedule = options.Features, offerDays = 7, offerMinutes = 120, waitlist = options.Features, waitlistOfferMinutes = 30 },
        });
        // About 25 two-device doses a chair a week, and to spare, received a thousand at a time (the most one receipt takes).
        for (var received = 0; received < 200 * options.Weeks * options.Chairs; received += 1000)
        {
            await clinic.StockAsync(devices: 1000, again: true);
        }
        var simulation = new ClinicSimulation(options, model ?? new PatientModel(), app, twilio, clinic);
        var requests = await simulation.RunAsync();
        var report = (await clinic.GetAsync($"/reports/summary?from={SimulationOptions.FirstDay:yyyy-MM-dd}&to={options.LastDay:yyyy-MM-dd}", clinic.Admin))
            .EnsureStatus(200).Json!;
        var profile = simulation._profile.Select(p => string.Create(CultureInfo.InvariantCulture,
            $"{p.Key,-24} {p.Value.Count,6} runs {p.Value.Seconds,8:0.0} s {p.Value.Requests,8} storage requests")).ToList();
        profile.AddRange(simulation._store.ByKind.OrderByDescending(k => k.Value).Take(12).Select(k => $"  {k.Key,-30} {k.Value,8}"));
        var inPeriod = simulation._all.Count(s => s.Start.Date >= SimulationOptions.FirstDay && s.Start.Date <= options.LastDay);
        return new SimulationResult(options, report, simulation._all.Count, inPeriod, twilio.Accepted.Count + simulation._twimlTexts, requests, watch.Elapsed, profile);
    }

    private async Task<long> RunAsync()
    {
        var count = (int)Math.Round(_model.PatientsPerChair.Value * _options.Chairs);
        for (var i = 0; i < count; i++)
        {
            var courseStart = SimulationOptions.FirstDay.PlusDays(-_random.Next(0, 40 * 7));
            var patient = await RegisterAsync(courseStart);
            // The first visit somewhere in the patient's first interval.
            Schedule(At(SimulationOptions.FirstDay.PlusDays(-1), 13), "book", () => BookAsync(patient, SimulationOptions.FirstDay.PlusDays(_random.Next(0, patient.IntervalAfter(SimulationOptions.FirstDay)))));
        }
        var newPerWeek = _model.NewPatientsPerChairWeek.Value * _options.Chairs;
        var newPatients = 0.0;
        for (var day = SimulationOptions.FirstDay.PlusDays(-1); day <= _options.LastDay.PlusDays(1); day = day.PlusDays(1))
        {
            var date = day;
            Schedule(At(date, 0, 30), "NightlyReminders", () => _app.RunFunctionAsync("NightlyReminders"));
            Schedule(At(date, 8, 0, 30), "DispatchSms", DispatchAsync); // texts held over the quiet hours
            Schedule(At(date, 17, 0, 30), "DispatchSms", DispatchAsync); // the day-before reminders
            Schedule(At(date, 20, 15), "SweepMissedSessions", SweepAsync); // the ride check and the day's cadence; no-shows have their own runs
            if (date.DayOfWeek == IsoDayOfWeek.Monday && date >= SimulationOptions.FirstDay && date <= _options.LastDay)
            {
                newPatients += newPerWeek;
                for (; newPatients >= 1; newPatients--)
                {
                    Schedule(At(date, 9), "register and book", async () => await BookAsync(await RegisterAsync(date), date.PlusDays(1)));
                }
            }
        }

        var end = At(_options.LastDay.PlusDays(1), 23, 59);
        _store.Reset();
        while (_events.TryDequeue(out var action, out var key) && key.At <= end)
        {
            var at = Instant.Max(key.At, Now + Duration.FromSeconds(1));
            _app.Clock.SetUtcNow(at.ToDateTimeOffset());
            await action();
        }
        return _store.Requests;
    }

    private void Schedule(Instant at, string label, Func<Task> action) => _events.Enqueue(() => Profiled(label, action), (at, _order++));

    /// <summary>The wall time and storage requests of each kind of event, for the run's profile.</summary>
    private async Task Profiled(string label, Func<Task> action)
    {
        var (started, requests) = (Stopwatch.GetTimestamp(), _store.Requests);
        await action();
        var (count, seconds, storage) = _profile.GetValueOrDefault(label);
        _profile[label] = (count + 1, seconds + Stopwatch.GetElapsedTime(started).TotalSeconds, storage + _store.Requests - requests);
    }

    private Task SweepAsync() => _app.RunFunctionAsync("SweepMissedSessions");

    /// <summary>Lapsed offers end and their time goes to the next patient waiting, by text.</summary>
    private async Task ExpireOffersAsync()
    {
        await _app.RunFunctionAsync("ExpireOffers");
        await DispatchSoonAsync();
    }

    private async Task<SimPatient> RegisterAsync(LocalDate courseStart)
    {
        var index = _patients.Count;
        var random = new Random(StableSeed(_options.Seed, index));
        var patient = new SimPatient(index, Fixtures.UniquePhone(), courseStart,
            random.NextDouble() < _model.MaintenanceWeeklyShare.Value ? 7 : 14, PreferredHours[random.Next(PreferredHours.Length)], random);
        var reply = (await _clinic.App.PostAsync($"{_clinic.Base}/patients", _clinic.Staff, Fixtures.PatientBody(patient.Phone, smsConsent: _options.Features,
            startDate: courseStart.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), interval: patient.MaintenanceDays))).EnsureStatus(201);
        patient.Id = reply["id"]!;
        _patients.Add(patient);
        _byPhone[patient.Phone] = patient;
        return patient;
    }

    /// <summary>Books the patient's next visit on <paramref name="from"/> or the first day after with a free start, nearest the hour they like.</summary>
    private async Task BookAsync(SimPatient patient, LocalDate from)
    {
        var today = Now.InZone(Zone).Date;
        for (var date = from > today ? from : today.PlusDays(1); date <= from.PlusDays(14); date = date.PlusDays(1))
        {
            if (date.DayOfWeek is IsoDayOfWeek.Saturday or IsoDayOfWeek.Sunday)
            {
                continue;
            }
            var slots = (await _clinic.GetAsync($"/availability?date={date:yyyy-MM-dd}")).EnsureStatus(200).Json!["slots"]!.AsArray()
                .Where(s => s!["freeChairs"]!.GetValue<int>() > 0)
                .Select(s => LocalDateTime.FromDateTime(DateTime.ParseExact(s!["start"]!.ToString(), "yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture)))
                .Where(s => s.InZoneLeniently(Zone).ToInstant() > Now + Duration.FromHours(1))
                .OrderBy(s => Math.Abs((s.TimeOfDay - new LocalTime(patient.PreferredHour, 0)).ToDuration().TotalMinutes)).ThenBy(s => s)
                .ToList();
            if (slots.Count == 0)
            {
                continue;
            }
            var booked = await _clinic.BookAsync(patient.Id, slots[0].ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture));
            if (booked.Status != 201)
            {
                continue; // the patient has a visit that day already
            }
            var session = patient.NewSession(booked["id"]!, slots[0], Now, _model, _options);
            _all.Add(session);
            Plan(patient, session);
            if (slots[0].InZoneLeniently(Zone).ToInstant() - Now < Duration.FromHours(28))
            {
                await DispatchSoonAsync(); // its day-before reminder may be due already
            }
            if (_options.Features && (date - today).Days >= 3 && patient.Random.NextDouble() < _model.WaitlistShare.Value)
            {
                patient.WaitlistEntry = (await _clinic.PostAsync("/waitlist", new
                {
                    patientId = patient.Id,
                    from = today.PlusDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    to = date.PlusDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    earliest = "08:00",
                    latest = "16:00",
                    sessionId = session.Id,
                })).EnsureStatus(201)["id"];
            }
            return;
        }
        Schedule(Now + Duration.FromDays(1), "book", () => BookAsync(patient, from.PlusDays(1))); // nothing free for two weeks: the clinic calls back tomorrow
    }

    /// <summary>What happens to a session at its present start: a notice before it, or the visit (or its absence).</summary>
    private void Plan(SimPatient patient, SimSession session)
    {
        var stamp = ++session.Stamp;
        var start = session.Start.InZoneLeniently(Zone).ToInstant();
        if (session.NoticeAt is { } notice && notice < start)
        {
            Schedule(notice, "notice", () => NoticeAsync(patient, session, stamp));
        }
        if (session.NoShow)
        {
            // Not checked in: the sweep marks the no-show; the clinic books the next visit when it calls.
            // The hourly sweep (at :15) that first finds it past its end and the grace; idle runs in between change nothing.
            var swept = start + Duration.FromMinutes(150);
            var local = swept.InZone(Zone).LocalDateTime;
            Schedule(swept + Duration.FromMinutes((75 - local.Minute) % 60), "SweepMissedSessions", SweepAsync);
            Schedule(start + Duration.FromHours(4), "book", () => Current(session, stamp) ? NextAsync(patient, session, missed: true) : Task.CompletedTask);
        }
        else
        {
            Schedule(start, "check-in and dose", () => Current(session, stamp) ? CheckInAsync(session) : Task.CompletedTask);
            Schedule(start + Duration.FromMinutes(125), "observe, complete and book", () => Current(session, stamp) ? CompleteAsync(patient, session) : Task.CompletedTask);
        }
    }

    /// <summary>A seed from the run's seed and a patient's or visit's numbers, the same in every process (HashCode.Combine is not).</summary>
    private static int StableSeed(params int[] parts)
    {
        unchecked
        {
            var seed = 17;
            foreach (var part in parts)
            {
                seed = (seed * 486_187_739) + part;
            }

            return seed;
        }
    }

    private static bool Current(SimSession session, int stamp) => session.Stamp == stamp && !session.Cancelled;

    private async Task CheckInAsync(SimSession session)
    {
        var reply = await _clinic.PostAsync($"/sessions/{session.Id}/check-in");
        if (reply.Status != 200)
        {
            var now = await _clinic.GetAsync($"/sessions/{session.Id}");
            throw new InvalidOperationException($"check-in at {Now} of a session the simulation has at {session.Start}: {reply.Body}; the app has {now.Body}");
        }
        session.DosedAt = Now;
        (await _clinic.PostAsync($"/sessions/{session.Id}/dose", Scenario.Dose())).EnsureStatus(200);
    }

    private async Task CompleteAsync(SimPatient patient, SimSession session)
    {
        // One clear observation half an hour after the dose, recorded with the discharge 125 minutes after it.
        var observed = ClinicTime.FormatUtc(session.DosedAt!.Value + Duration.FromMinutes(30));
        (await _clinic.PostAsync($"/sessions/{session.Id}/observations", Scenario.ClearObservation(observed))).EnsureStatus(201);
        (await _clinic.PostAsync($"/sessions/{session.Id}/complete", Scenario.Discharge)).EnsureStatus(200);
        await NextAsync(patient, session, missed: false);
    }

    private Task NextAsync(SimPatient patient, SimSession session, bool missed)
    {
        session.Cancelled = true; // over: nothing more happens to it
        var date = session.Start.Date;
        return BookAsync(patient, missed ? Now.InZone(Zone).Date.PlusDays(1) : date.PlusDays(patient.IntervalAfter(date)));
    }

    /// <summary>The patient must change the visit: by text when self-service is on, else by calling the clinic.</summary>
    private async Task NoticeAsync(SimPatient patient, SimSession session, int stamp)
    {
        if (!Current(session, stamp))
        {
            return;
        }
        if (_options.Features)
        {
            patient.Rescheduling = true;
            await TextAsync(patient, "2");
            return;
        }
        await CancelAndRebookAsync(patient, session);
    }

    private async Task CancelAndRebookAsync(SimPatient patient, SimSession session)
    {
        if (session.Cancelled || Now >= session.Start.InZoneLeniently(Zone).ToInstant())
        {
            return; // over, or under way: the visit goes ahead
        }
        (await _clinic.PostAsync($"/sessions/{session.Id}/cancel", new { reason = "The patient called." })).EnsureStatus(200);
        session.Cancelled = true;
        if (patient.WaitlistEntry is { } entry)
        {
            // The entry would move a cancelled visit: staff take the patient off the list (if an offer took it, it is gone already).
            await _app.SendAsync(HttpMethod.Delete, $"{_clinic.Base}/waitlist/{entry}", _clinic.Staff);
            patient.WaitlistEntry = null;
        }
        await BookAsync(patient, session.Start.Date.PlusDays(1));
        await DispatchSoonAsync();
    }

    /// <summary>A text from the patient; the app's TwiML answer is read like any text sent to them.</summary>
    private async Task TextAsync(SimPatient patient, string body)
    {
        var reply = (await TwilioRequests.PostSignedAsync(_app, "/api/sms/inbound", TwilioRequests.Inbound(patient.Phone, _clinic.SmsFrom, body))).EnsureStatus(200);
        var answers = XDocument.Parse(reply.Body).Descendants("Message").Select(m => m.Value).ToList();
        foreach (var answer in answers)
        {
            _twimlTexts++;
            Read(patient, answer);
        }
        if (patient.Current is { Cancelled: false } session && answers.Any(a => a.Contains("your visit is now", StringComparison.Ordinal)))
        {
            // A pick or a waitlist offer taken moved the visit: read where it is now.
            var now = (await _clinic.GetAsync($"/sessions/{session.Id}")).EnsureStatus(200);
            var start = LocalDateTime.FromDateTime(DateTime.ParseExact(now["start"]!, "yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture));
            if (start != session.Start)
            {
                session.Start = start;
                session.NoticeAt = null;
                patient.Rescheduling = false;
                Plan(patient, session);
                await DispatchSoonAsync(); // the time it left may be offered to the waitlist
            }
        }
    }

    /// <summary>Runs DispatchSms at the next minute's run if none is due by then (texts a change queued).</summary>
    private Task DispatchSoonAsync()
    {
        var at = Now + Duration.FromSeconds(30);
        if (_dispatchPending is { } pending && pending >= Now)
        {
            return Task.CompletedTask;
        }
        _dispatchPending = at;
        Schedule(at, "DispatchSms", DispatchAsync);
        return Task.CompletedTask;
    }

    private async Task DispatchAsync()
    {
        await _app.RunFunctionAsync("DispatchSms");
        var sent = _twilio.Accepted.ToArray();
        var fresh = sent.Skip(_textsSeen).Where(t => _byPhone.ContainsKey(t.To)).OrderBy(t => _byPhone[t.To].Index).ThenBy(t => t.Body, StringComparer.Ordinal).ToList();
        _textsSeen = sent.Length;
        foreach (var text in fresh)
        {
            Read(_byPhone[text.To], text.Body);
        }
    }

    /// <summary>What the patient does with a text: confirm a reminder, take or let pass an offer, pick a new time.</summary>
    private void Read(SimPatient patient, string body)
    {
        var random = patient.Random;
        var later = Now + Duration.FromTimeSpan(_model.ReplyDelay(random));
        if (body.Contains("Reply 1 to confirm", StringComparison.Ordinal))
        {
            if (random.NextDouble() < _model.ConfirmShare.Value)
            {
                Schedule(later, "text", () => TextAsync(patient, "1"));
            }
        }
        else if (body.StartsWith("A visit opened at", StringComparison.Ordinal))
        {
            Schedule(Now + Duration.FromMinutes(31), "ExpireOffers", ExpireOffersAsync);
            if (random.NextDouble() < _model.OfferAcceptShare.Value)
            {
                Schedule(later, "text", () => TextAsync(patient, "1"));
            }
        }
        else if (body.Contains(": Reply 1 for", StringComparison.Ordinal))
        {
            Schedule(Now + Duration.FromMinutes(121), "ExpireOffers", ExpireOffersAsync);
            if (random.NextDouble() < _model.PickShare.Value)
            {
                Schedule(later, "text", () => TextAsync(patient, "1"));
            }
            else
            {
                // Declined: the clinic calls an hour later and finds a new time.
                patient.Rescheduling = false;
                Schedule(later, "text", () => TextAsync(patient, "0"));
                ClinicCallsLater(patient, later + Duration.FromHours(1));
            }
        }
        else if (patient.Rescheduling && (body.Contains("will call you to find a new time", StringComparison.Ordinal) || body.Contains("that time was just taken", StringComparison.Ordinal)))
        {
            // No new time could be offered, or the pick came too late: the clinic calls.
            patient.Rescheduling = false;
            ClinicCallsLater(patient, Now + Duration.FromHours(1));
        }
    }

    /// <summary>Staff cancel the visit the patient has now and book another, unless it is over or moved by then.</summary>
    private void ClinicCallsLater(SimPatient patient, Instant at)
    {
        if (patient.Current is { } session)
        {
            var stamp = session.Stamp;
            Schedule(at, "staff cancel and rebook", () => Current(session, stamp) ? CancelAndRebookAsync(patient, session) : Task.CompletedTask);
        }
    }

    private sealed class SimPatient(int index, string phone, LocalDate courseStart, int maintenanceDays, int preferredHour, Random random)
    {
        public int Index { get; } = index;
        public string Phone { get; } = phone;
        public string Id { get; set; } = "";
        public int MaintenanceDays { get; } = maintenanceDays;
        public int PreferredHour { get; } = preferredHour;
        /// <summary>The patient's own draws (replies, waitlist): the same for every run of a seed.</summary>
        public Random Random { get; } = random;
        public SimSession? Current { get; private set; }
        /// <summary>The patient's waitlist entry for an earlier time, if any.</summary>
        public string? WaitlistEntry { get; set; }
        /// <summary>The patient asked by text to change the visit and has no new time yet.</summary>
        public bool Rescheduling { get; set; }
        private int _visits;

        /// <summary>Days to the next visit after one on <paramref name="date"/>: twice a week in weeks 1-4, weekly in 5-8, then the maintenance interval.</summary>
        public int IntervalAfter(LocalDate date)
        {
            var week = (date - courseStart).Days / 7;
            return week < 4 ? (date.DayOfWeek <= IsoDayOfWeek.Tuesday ? 3 : 4) : week < 8 ? 7 : MaintenanceDays;
        }

        /// <summary>A booked visit with its fate drawn from the patient's and visit's own seed, so both runs of a seed draw alike.</summary>
        public SimSession NewSession(string id, LocalDateTime start, Instant now, PatientModel model, SimulationOptions options)
        {
            var fate = new Random(StableSeed(options.Seed, Index, ++_visits));
            var noShow = model.NoShowWithoutReminders.Value * (options.Features ? model.ReminderRiskRatio.Value : 1);
            var (cancel, notice, noShowDraw) = (fate.NextDouble(), fate.NextDouble(), fate.NextDouble());
            Instant? noticeAt = null;
            if (cancel < model.CancelShare.Value)
            {
                var hours = model.NoticeMinHours.Value + notice * (model.NoticeMaxHours.Value - model.NoticeMinHours.Value);
                var at = start.InZoneLeniently(Zone).ToInstant() - Duration.FromHours(hours);
                var local = at.InZone(Zone).LocalDateTime;
                // People call or text in the day: a notice at night comes the evening before.
                if (local.Hour < 8 || local.Hour >= 20)
                {
                    var day = local.Hour < 8 ? local.Date.PlusDays(-1) : local.Date;
                    at = day.At(new LocalTime(19, local.Minute)).InZoneLeniently(Zone).ToInstant();
                }
                noticeAt = at > now + Duration.FromMinutes(10) ? at : null;
            }
            Current = new SimSession(id, start) { NoticeAt = noticeAt, NoShow = noticeAt is null && noShowDraw < noShow };
            return Current;
        }
    }

    private sealed class SimSession(string id, LocalDateTime start)
    {
        public string Id { get; } = id;
        public LocalDateTime Start { get; set; } = start;
        public Instant? NoticeAt { get; set; }
        public bool NoShow { get; init; }
        /// <summary>Bumped whenever the session moves: events planned for an earlier start do nothing.</summary>
        public int Stamp { get; set; }
        public bool Cancelled { get; set; }
        public Instant? DosedAt { get; set; }
    }
}

/// <summary>Counts the app's storage requests (point reads, range queries, commits).</summary>
public sealed class CountedStore(IDocumentStore inner) : IDocumentStore
{
    private long _requests;

    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Requests by what they were (read, range, commit) and the first part of the row key.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, long> ByKind { get; } = new(StringComparer.Ordinal);

    public void Reset() => Interlocked.Exchange(ref _requests, 0);

    public Task<Stored<T>?> GetAsync<T>(string partition, string key, CancellationToken ct) => Counted("read " + key, inner.GetAsync<T>(partition, key, ct));

    public Task<IReadOnlyList<Stored<T>>> QueryPrefixAsync<T>(string partition, string prefix, CancellationToken ct, int? take = null) =>
        Counted("range " + prefix, inner.QueryPrefixAsync<T>(partition, prefix, ct, take));

    public Task<IReadOnlyList<Stored<T>>> QueryRangeAsync<T>(string partition, string fromKey, string toKey, CancellationToken ct, int? take = null) =>
        Counted("range " + fromKey, inner.QueryRangeAsync<T>(partition, fromKey, toKey, ct, take));

    public Task<WrittenRows<T>> QueryWrittenSinceAsync<T>(string partition, string fromKey, string toKey, DateTimeOffset? since, CancellationToken ct) =>
        Counted("range " + fromKey, inner.QueryWrittenSinceAsync<T>(partition, fromKey, toKey, since, ct));

    public Task<IReadOnlyList<string?>> CommitAsync(string partition, IReadOnlyList<Change> changes, CancellationToken ct) =>
        Counted("commit " + changes[0].Key, inner.CommitAsync(partition, changes, ct));

    public Task<bool> PingAsync(CancellationToken ct) => inner.PingAsync(ct);

    private T Counted<T>(string what, T task)
    {
        Interlocked.Increment(ref _requests);
        ByKind.AddOrUpdate(what.Split('|')[0], 1, (_, n) => n + 1);
        return task;
    }
}
