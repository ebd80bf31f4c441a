using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ClinicBackend.Testing;

/// <summary>Keeps every log entry of an app from a level up in memory (level, event id, category, rendered message) for assertions.</summary>
public sealed class LogCapture(LogLevel minimum = LogLevel.Information) : ILoggerProvider
{
    public sealed record Entry(LogLevel Level, EventId EventId, string Category, string Message, Exception? Exception);

    public ConcurrentQueue<Entry> Entries { get; } = new();

    public IEnumerable<Entry> WithEvent(int eventId) => Entries.Where(e => e.EventId.Id == eventId);

    public int Count(EventId id) => WithEvent(id.Id).Count();

    /// <summary>The entries of one category (a class's full name).</summary>
    public IReadOnlyList<Entry> Of(string category) => Entries.Where(e => e.Category == category).ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= capture._minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                capture.Entries.Enqueue(new Entry(logLevel, eventId, category, formatter(state, exception), exception));
            }
        }
    }

    private readonly LogLevel _minimum = minimum;
}
