using ClinicBackend.Domain.Sessions;
using NodaTime;

namespace ClinicBackend.Domain.Reports;

/// <summary>
/// The session figures of one clinic-local day: what a stored day of the report holds. <see cref="Chairs"/> is null in
/// days stored before the chair figures existed (they are computed again).
/// </summary>
public sealed record SessionDay(LocalDate Date, SessionCounts Sessions, Share Confirmations, RemsFormCounts RemsForms, ChairDay? Chairs)
{
    /// <summary>The figures of the sessions of <paramref name="sessions"/> that start on <paramref name="date"/>, and of the chair-time released on it.</summary>
    public static SessionDay Of(LocalDate date, IEnumerable<Session> sessions, IEnumerable<ChairRelease> releases, Instant now)
    {
        var day = sessions.Where(s => s.Date == date).ToList();
        return new(date, SummaryFigures.CountSessions(day), SummaryFigures.Confirmations(day, now), SummaryFigures.RemsForms(day), ChairDay.Of(date, day, releases));
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
