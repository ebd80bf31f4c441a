using ClinicBackend.Domain.Reports;
using ClinicBackend.Domain.Time;

namespace ClinicBackend.Functions.Responses;

/// <summary>Schema ReportSummary: the clinic's summary of a range of clinic-local days; rates are rounded to 4 decimals.</summary>
public sealed record ReportSummaryResponse(
    string From,
    string To,
    ReportSessionsResponse Sessions,
    double NoShowRate,
    double ConfirmationRate,
    RemsFormCountsResponse RemsForms,
    CadenceCountsResponse Cadence,
    SmsCountsResponse Sms,
    ChairsResponse Chairs,
    IReadOnlyList<WeekResponse> Weeks,
    ReadinessCountsResponse Readiness,
    AssessmentCountsResponse Assessments)
{
    public static ReportSummaryResponse Of(SummaryReport r) => new(
        ClinicTime.FormatDate(r.Range.From),
        ClinicTime.FormatDate(r.Range.To),
        new ReportSessionsResponse(r.Sessions.Booked, r.Sessions.Arrived, r.Sessions.Fulfilled, r.Sessions.Cancelled, r.Sessions.Noshow),
        Rate(r.NoShows),
        Rate(r.Confirmations),
        new RemsFormCountsResponse(r.RemsForms.Due, r.RemsForms.FiledInTime, r.RemsForms.FiledLate, r.RemsForms.Open),
        new CadenceCountsResponse(r.Cadence.Patients, r.Cadence.OnTrack, r.Cadence.Lapsed,
            new PhaseCountsResponse(r.Cadence.ByPhase.Induction, r.Cadence.ByPhase.Optimization, r.Cadence.ByPhase.Maintenance)),
        new SmsCountsResponse(r.Sms.Sent, r.Sms.Delivered, r.Sms.Undelivered, r.Sms.OptOuts, r.Sms.Replies),
        ChairsResponse.Of(r.Chairs),
        r.Weeks.Select(w => new WeekResponse(ClinicTime.FormatDate(w.WeekStart), w.Fulfilled, w.Noshow, w.Cancelled)).ToList(),
        new ReadinessCountsResponse(r.Readiness.NotReady, r.Readiness.AuthorizationMissing, r.Readiness.AuthorizationExhausted, r.Readiness.AuthorizationExpired,
            r.Readiness.DrugNotReceived, r.Readiness.DrugShort),
        new AssessmentCountsResponse(r.Assessments.Patients, r.Assessments.WithBaseline, r.Assessments.Response, r.Assessments.Remission));

    public static double Rate(Share share) => Math.Round(share.Value, 4, MidpointRounding.AwayFromZero);
}

/// <summary>Chair-hours of the range (rounded to 2 decimals), their shares (4 decimals) and the median minutes to refill (1 decimal; null when nothing was refilled).</summary>
public sealed record ChairsResponse(
    double AvailableHours,
    double BookedHours,
    double FulfilledHours,
    double Utilisation,
    double FreedHours,
    double RefilledHours,
    double RefillRate,
    double? MedianMinutesToRefill)
{
    public static ChairsResponse Of(ChairUse c) => new(
        Hours(c.AvailableMinutes),
        Hours(c.BookedMinutes),
        Hours(c.FulfilledMinutes),
        ReportSummaryResponse.Rate(c.Utilisation),
        Hours(c.FreedMinutes),
        Hours(c.RefilledMinutes),
        ReportSummaryResponse.Rate(c.RefillRate),
        c.MedianMinutesToRefill is { } median ? Math.Round(median, 1, MidpointRounding.AwayFromZero) : null);

    private static double Hours(int minutes) => Math.Round(minutes / 60.0, 2, MidpointRounding.AwayFromZero);
}

/// <summary>Schema ReadinessCounts: visits of the range not ready the day before (<c>notReady</c>), and how many had each cause.</summary>
public sealed record ReadinessCountsResponse(int NotReady, int AuthorizationMissing, int AuthorizationExhausted, int AuthorizationExpired, int DrugNotReceived, int DrugShort);

/// <summary>Patients with a PHQ-9 in the range; with a baseline; responding (at least 50% below baseline); in remission (latest under 5).</summary>
public sealed record AssessmentCountsResponse(int Patients, int WithBaseline, int Response, int Remission);

public sealed record ReportSessionsResponse(int Booked, int Arrived, int Fulfilled, int Cancelled, int Noshow);

public sealed record RemsFormCountsResponse(int Due, int FiledInTime, int FiledLate, int Open);

public sealed record CadenceCountsResponse(int Patients, int OnTrack, int Lapsed, PhaseCountsResponse ByPhase);

public sealed record PhaseCountsResponse(int Induction, int Optimization, int Maintenance);

public sealed record SmsCountsResponse(int Sent, int Delivered, int Undelivered, int OptOuts, int Replies);

/// <summary>One Monday-to-Sunday week of the series (the first and last may be partial).</summary>
public sealed record WeekResponse(string WeekStart, int Fulfilled, int Noshow, int Cancelled);
