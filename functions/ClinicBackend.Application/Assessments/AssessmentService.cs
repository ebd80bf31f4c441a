using System.Text.Json.Nodes;
using ClinicBackend.Application.Access;
using ClinicBackend.Application.Escalation;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Sessions;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Assessments;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Events;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Time;
using NodaTime;

namespace ClinicBackend.Application.Assessments;

/// <summary>The body of a clinician-entered rating.</summary>
public sealed class AssessmentInput
{
    public string? Instrument { get; set; }
    /// <summary>Clinic-local YYYY-MM-DDTHH:mm or ISO 8601 with an offset; now when absent.</summary>
    public string? At { get; set; }
    public int[]? Items { get; set; }
}

/// <summary>A link that opens: the clinic it names and the language of the page.</summary>
public sealed record OpenedLink(Clinic Clinic, string Language);

/// <summary>What became of a submitted questionnaire.</summary>
public abstract record LinkAnswer(OpenedLink Link)
{
    /// <summary>Not every question was answered (or an answer was not one of the choices): nothing was stored.</summary>
    public sealed record Incomplete(OpenedLink Opened, IReadOnlyList<string> Fields, IReadOnlyDictionary<string, int> Given) : LinkAnswer(Opened);

    /// <summary>Stored. <paramref name="SelfHarm"/>: item 9 was above 0 (the thank-you page gives 988 and the clinic's phone).</summary>
    public sealed record Recorded(OpenedLink Opened, bool SelfHarm) : LinkAnswer(Opened);
}

/// <summary>
/// PHQ-9 by the patient through a one-time link, and PHQ-9 or MADRS entered by staff. A link's code opens the page
/// until the visit starts and works once; an answer to item 9 above 0 raises an urgent flag that pages like crisis
/// and pauses automated texts.
/// </summary>
public sealed class AssessmentService(ClinicData data, ClinicAccess access, ClinicUpdates updates, PatientReads reads, EscalationService escalation, TimeProvider time)
{
    public const int MaxPastDays = 366;

    /// <summary>The link a code opens now, or null (unknown, answered or expired: the caller cannot tell which).</summary>
    public async Task<OpenedLink?> OpenAsync(string code, CancellationToken ct) => (await LoadAsync(code, ct))?.Opened;

    /// <summary>Records the patient's answers through the link; null when the code opens nothing.</summary>
    public Task<LinkAnswer?> AnswerAsync(string code, IReadOnlyDictionary<string, string> form, CancellationToken ct) =>
        Concurrency.RetryAsync<LinkAnswer?>(async () =>
        {
            var loaded = await LoadAsync(code, ct);
            if (loaded is null)
            {
                return null;
            }
            var (clinic, link, patient, opened) = loaded.Value;
            var (items, difficulty, missing, given) = Phq9Form.Read(form);
            if (missing.Count > 0)
            {
                return new LinkAnswer.Incomplete(opened, missing, given);
            }
            var now = time.Now();
            var commit = new ClinicCommit(clinic.Id, Actors.PatientLink, now);
            var assessment = Assessment.Rate(Ids.New(), patient.Value.Id, Instrument.Phq9, now, items, AssessmentSource.PatientLink,
                await IsBaselineAsync(clinic, patient.Value, now, ct), now) with
            { Difficulty = difficulty, SessionId = link.Value.SessionId };
            commit.Replace(link.Key, link.Value.Answered(assessment.Id, now), link.ETag);
            Add(commit, assessment);
            var selfHarm = Scales.AnswersSelfHarm(Instrument.Phq9, items);
            if (selfHarm)
            {
                var flag = Flag.For(FlagKinds.SelfHarmAnswer, assessment.Id, FlagSeverity.Urgent, patient.Value.Id, link.Value.SessionId, now,
                    $"URGENT: in the PHQ-9 answered through the link before the visit, the patient answered item 9 (thoughts that they would be better off dead, or of hurting themselves) "
                    + $"with {items[8]} of 3 ({Phq9Form.Frequency(items[8])}). Call the patient now; automated texts are paused until this flag is resolved.");
                await escalation.RaiseAsync(commit, clinic, flag, ct);
                var paused = patient.Value.PauseForCrisis(flag.Id);
                if (paused != patient.Value)
                {
                    commit.Replace(Keys.Patient(patient.Value.Id), paused, patient.ETag);
                    commit.Audit("patient.paused-by-self-harm-answer", "patient", patient.Value.Id, patient.Value, paused);
                }
            }
            await data.CommitAsync(commit, ct);
            return new LinkAnswer.Recorded(opened, selfHarm);
        }, () => throw new InvalidOperationException("Recording the answers lost every race."));

    /// <summary>A rating entered by staff: PHQ-9 (9 items 0-3) or MADRS (10 items 0-6), taken at a time not in the future.</summary>
    public Task<Result<Assessment>> RecordAsync(Caller caller, string clinicId, string patientId, AssessmentInput input, CancellationToken ct) =>
        updates.RunAsync<Assessment>(caller, clinicId, Need.Staff, async (clinic, commit) =>
        {
            var patient = Ids.IsGeneratedId(patientId) ? await data.PatientAsync(clinicId, patientId, ct) : null;
            if (patient is null)
            {
                return Problem.NotFound("patient");
            }
            var errors = new FieldErrors();
            var instrument = Instrument.Phq9;
            if (input.Instrument is null || !Names.TryParseKebab(input.Instrument, out instrument))
            {
                errors.Add("instrument", "instrument is phq9 (9 items, each 0-3) or madrs (10 items, each 0-6).");
            }
            var at = commit.Now;
            if (input.At is not null)
            {
                if (!SessionInputs.TryParseInstant(input.At, clinic, out at))
                {
                    errors.Add("at", "Give at as clinic-local YYYY-MM-DDTHH:mm or ISO 8601 with an offset, or leave it out for now.");
                }
                else if (at > commit.Now + Duration.FromMinutes(5) || at < commit.Now - Duration.FromDays(MaxPastDays))
                {
                    errors.Add("at", $"at is when the rating was taken: not in the future, and within the last {MaxPastDays} days.");
                }
            }
            if (input.Items is null)
            {
                errors.Add("items", "items is required: the item scores in order (PHQ-9: 9 items 0-3; MADRS: 10 items 0-6).");
            }
            else if (input.Instrument is not null && Names.TryParseKebab<Instrument>(input.Instrument, out _) && Scales.Problem(instrument, input.Items) is { } wrong)
            {
                errors.Add("items", wrong);
            }
            if (errors.Any)
            {
                return errors.ToProblem();
            }
            var baseline = instrument == Instrument.Phq9 && await IsBaselineAsync(clinic, patient.Value, at, ct);
            var assessment = Assessment.Rate(Ids.New(), patientId, instrument, at, input.Items!, AssessmentSource.Staff, baseline, commit.Now) with { EnteredBy = caller.ObjectId };
            Add(commit, assessment);
            return assessment;
        }, ct);

    /// <summary>A patient's ratings, oldest first, optionally of one instrument.</summary>
    public async Task<Result<PatientAssessments>> ListAsync(Caller caller, string clinicId, string patientId, string? instrument, CancellationToken ct)
    {
        var stored = await access.RequireAsync(caller, clinicId, Need.Staff, ct);
        if (!stored.IsSuccess)
        {
            return stored.Problem!;
        }
        Instrument? only = null;
        if (instrument is not null)
        {
            if (!Names.TryParseKebab<Instrument>(instrument, out var parsed))
            {
                return Problem.Validation("instrument", "instrument is phq9 or madrs (or leave it out for both).");
            }
            only = parsed;
        }
        var patient = Ids.IsGeneratedId(patientId) ? await data.PatientAsync(clinicId, patientId, ct) : null;
        if (patient is null)
        {
            return Problem.NotFound("patient");
        }
        var all = await data.AssessmentsAsync(clinicId, patientId, ct);
        var doses = (await data.PatientSessionsAsync(clinicId, patientId, ct)).Where(s => s.Dose is not null).Select(s => (s.Dose!.At, s.Dose.DoseMg)).ToList();
        reads.Record(clinicId, caller.ObjectId, patientId, "assessments", time.Now());
        return new PatientAssessments(stored.Value.Value, patient.Value, all.Where(a => only is null || a.Instrument == only).OrderBy(a => a.At).ToList(), doses);
    }

    /// <summary>The first PHQ-9 of the patient's course is its baseline.</summary>
    private async Task<bool> IsBaselineAsync(Clinic clinic, Patient patient, Instant at, CancellationToken ct)
    {
        var course = Phq9Course.Of(patient.Course, clinic.Zone, await data.AssessmentsAsync(clinic.Id, patient.Id, ct));
        return at.InZone(clinic.Zone).Date >= patient.Course.StartDate && (course.Baseline is null || course.Baseline.At > at);
    }

    /// <summary>The rating, its audit record (without the answers) and its event (without the answers).</summary>
    private static void Add(ClinicCommit commit, Assessment assessment)
    {
        commit.Insert(Keys.Assessment(assessment.PatientId, assessment.At, assessment.Id), assessment);
        commit.Audit("assessment.recorded", "assessment", assessment.Id, null,
            new { instrument = Names.Kebab(assessment.Instrument), source = Names.Kebab(assessment.Source), at = ClinicTime.FormatUtc(assessment.At), patientId = assessment.PatientId });
        commit.Event($"assessment-{assessment.Id}-completed", EventTypes.AssessmentCompleted, $"patients/{assessment.PatientId}/assessments/{assessment.Id}", new JsonObject
        {
            ["assessmentId"] = assessment.Id,
            ["patientId"] = assessment.PatientId,
            ["instrument"] = Names.Kebab(assessment.Instrument),
            ["source"] = Names.Kebab(assessment.Source),
            ["sessionId"] = assessment.SessionId,
            ["baseline"] = assessment.Baseline,
        });
    }

    /// <summary>The clinic, the visit's link (with its ETag), the patient and the page's language behind a code that opens now.</summary>
    private async Task<(Clinic Clinic, Stored<AssessmentLink> Link, Stored<Patient> Patient, OpenedLink Opened)?> LoadAsync(string code, CancellationToken ct)
    {
        if (!AssessmentCode.IsWellFormed(code))
        {
            return null;
        }
        var hash = AssessmentCode.Hash(code);
        if (await data.AssessmentCodeAsync(hash, ct) is not { } route || await data.ClinicAsync(route.ClinicId, ct) is not { } clinic)
        {
            return null;
        }
        var link = await data.AssessmentLinkAsync(clinic.Value.Id, route.SessionId, ct);
        if (link is null || !link.Value.Opens(hash, time.Now()))
        {
            return null;
        }
        var patient = await data.PatientAsync(clinic.Value.Id, link.Value.PatientId, ct);
        return patient is null ? null : (clinic.Value, link, patient, new OpenedLink(clinic.Value, patient.Value.Language));
    }
}

/// <summary>A patient's ratings as a staff read shows them, with the doses given (the trend chart marks dose changes).</summary>
public sealed record PatientAssessments(Clinic Clinic, Patient Patient, IReadOnlyList<Assessment> Assessments, IReadOnlyList<(Instant At, int DoseMg)> Doses);

/// <summary>The questionnaire's form fields: <c>q1</c>..<c>q9</c> (0-3, required) and <c>difficulty</c> (0-3, optional).</summary>
public static class Phq9Form
{
    public static string Frequency(int answer) => answer switch
    {
        0 => "not at all",
        1 => "several days",
        2 => "more than half the days",
        _ => "nearly every day",
    };

    public static (int[] Items, int? Difficulty, IReadOnlyList<string> Missing, IReadOnlyDictionary<string, int> Given) Read(IReadOnlyDictionary<string, string> form)
    {
        var items = new int[9];
        var missing = new List<string>();
        var given = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < 9; i++)
        {
            var name = $"q{i + 1}";
            if (Answer(form, name) is { } value)
            {
                items[i] = value;
                given[name] = value;
            }
            else
            {
                missing.Add(name);
            }
        }
        var difficulty = Answer(form, "difficulty");
        if (difficulty is { } d)
        {
            given["difficulty"] = d;
        }
        return (items, difficulty, missing, given);
    }

    private static int? Answer(IReadOnlyDictionary<string, string> form, string name) =>
        form.TryGetValue(name, out var text) && text is "0" or "1" or "2" or "3" ? text[0] - '0' : null;
}
