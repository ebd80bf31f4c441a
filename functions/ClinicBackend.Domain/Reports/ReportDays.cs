using ClinicBackend.Domain.Sessions;
using NodaTime;

namespace ClinicBackend.Domain.Reports;

/// <summary>The session figures of one clinic-local day: what a stored day of the report holds.</summary>
public sealed record SessionDay(LocalDate Date, SessionCounts Sessions, Share Confirmations, RemsFormCounts RemsForms)
{
    /// <summary>The figures of the sessions of <paramref name="sessions"/> that start on <paramref name="date"/>.</summary>
    public static SessionDay Of(LocalDate date, IEnumerable<Session> sessions, Instant now)
    {
        var day = sessions.Where(s => s.Date == date).ToList();
        return new(date, SummaryFigures.CountSessions(day), SummaryFigures.Confirmations(day, now), SummaryFigures.RemsForms(day));
    }
}

/// <summary>What one text adds to the SMS figures.</summary>
[Flags]
public enum SmsTally
{
    None = 0,
    Sent = 1,
    Delivered = 2,
    Undelivered = 4,
    OptOut = 8,
    Reply = 16,
}
