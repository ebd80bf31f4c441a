using ClinicBackend.Application.Access;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Assessments;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Reports;
using ClinicBackend.Domain.Time;
using NodaTime;

namespace ClinicBackend.Application.Reports;

/// <summary>
/// The clinic's summary of a range of days, for clinic admins. Key-range queries in the clinic's partition, run
/// together: the session figures and the texts of the range as <see cref="ReportRollups"/> keeps them, the patients,
/// the open flags and the cadence watches past due. Only the report's own stored figures are written.
/// </summary>
public sealed class ReportService(ClinicData data, ClinicAccess access, ReportRollups rollups, TimeProvider time)
{
    public async Task<Result<SummaryReport>> SummaryAsync(Caller caller, string clinicId, string? from, string? to, CancellationToken ct)
    {
        var stored = await access.RequireAsync(caller, clinicId, Need.ClinicAdmin, ct);
        if (!stored.IsSuccess)
        {
            return stored.Problem!;
        }
        var range = ReportRange.Parse(from, to);
        if (!range.IsSuccess)
        {
            return range.Problem!;
        }
        var clinic = stored.Value.Value;
        var now = time.Now();
        var today = now.InZone(clinic.Zone).Date;
        var asOf = CadenceDay(range.Value, today);

        var figures = rollups.ReadAsync(clinic, range.Value, today, now, ct);
        var patients = data.PatientsAsync(clinic.Id, ct);
        var openFlags = data.OpenFlagsAsync(clinic.Id, ct);
        // Only watches whose key date (their due date) is at least the grace before the cadence day can have lapsed.
        var watches = data.CadenceWatchesDueAsync(clinic.Id, asOf.PlusDays(-clinic.CadenceGraceDays), ct);
        var assessments = data.AllAssessmentsAsync(clinic.Id, ct);
        await Task.WhenAll(figures, patients, openFlags, watches, assessments);

        var patientList = (await patients).ToList();
        var lapsed = LapsedPatients(await openFlags, (await watches).Select(w => w.Value),
            patientList.ToDictionary(p => p.Id, StringComparer.Ordinal), asOf, clinic.CadenceGraceDays, clinic.Zone);
        var (days, texts, readiness) = await figures;
        var input = new SummaryInput(range.Value, clinic.Zone, days, patientList, lapsed, texts, ChairUse.OpenChairMinutes(clinic, range.Value));
        return SummaryFigures.Compute(input) with
        {
            Readiness = readiness,
            Assessments = AssessmentCounts.Of(patientList, await assessments, clinic.Zone, range.Value.From, range.Value.To),
        };
    }

    /// <summary>
    /// The day cadence is judged on: the range's last day, or today when the range reaches into the future
    /// (a lapse cannot be known ahead).
    /// </summary>
    public static LocalDate CadenceDay(ReportRange range, LocalDate today) => range.To < today ? range.To : today;

    /// <summary>
    /// Patients whose treatment cadence had lapsed on <paramref name="day"/>: an open <c>overdue-cadence</c> flag raised
    /// by then, or a cadence watch (their last fulfilled session) whose gap has run past what the phase allows plus
    /// the clinic's grace by then, as the sweep judges it, whether or not a session is booked since (the sweep flags
    /// only those with nothing booked). Resolving the flag ends the lapse until the next session sets a new watch; a
    /// course paused on that day has not lapsed.
    /// </summary>
    public static IReadOnlySet<string> LapsedPatients(IEnumerable<Flag> openFlags, IEnumerable<CadenceWatch> watches,
        IReadOnlyDictionary<string, Patient> patients, LocalDate day, int graceDays, DateTimeZone zone)
    {
        var lapsed = openFlags
            .Where(f => f.Kind == FlagKinds.OverdueCadence && f.Status == FlagStatus.Open && f.PatientId is not null && f.CreatedAt.InZone(zone).Date <= day)
            .Select(f => f.PatientId!)
            .Where(id => !(patients.TryGetValue(id, out var patient) && patient.Course.IsPausedOn(day)))
            .ToHashSet(StringComparer.Ordinal);
        foreach (var watch in watches)
        {
            if (patients.TryGetValue(watch.PatientId, out var patient) && patient.Course.HasLapsed(watch.LastDate, day, graceDays))
            {
                lapsed.Add(watch.PatientId);
            }
        }
        return lapsed;
    }
}
