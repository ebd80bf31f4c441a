using ClinicBackend.Application.Access;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Sweep;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Patients;
using ClinicBackend.Domain.Time;
using NodaTime;

namespace ClinicBackend.Application.Patients;

public sealed class PatientInput
{
    public string? GivenName { get; set; }
    public string? FamilyName { get; set; }
    public string? Phone { get; set; }
    public bool? SmsConsent { get; set; }
    public bool? RemsEnrolled { get; set; }
    public string? Language { get; set; }
    public string? ExternalId { get; set; }
    public CourseInput? Course { get; set; }
    public bool? Active { get; set; }
    /// <summary>The patient's IANA zone when it is not the clinic's; an empty string clears it.</summary>
    public string? TimeZone { get; set; }
    /// <summary>YYYY-MM-DD, for the REMS monitoring form.</summary>
    public string? DateOfBirth { get; set; }
    /// <summary>female, male, other or unknown, for the REMS monitoring form.</summary>
    public string? Sex { get; set; }
    /// <summary>trd (the default) or mdsi: the course's cadence follows it.</summary>
    public string? Indication { get; set; }
}

/// <summary>A patient with the phase of their course on the clinic's today.</summary>
public sealed record PatientState(Patient Patient, TreatmentPhase Phase)
{
    public static PatientState On(Patient patient, Clinic clinic, Instant now) => new(patient, patient.Course.PhaseOn(now.InZone(clinic.Zone).Date));
}

/// <summary>Registering and changing patients.</summary>
public sealed class PatientService(ClinicData data, ClinicAccess access, ClinicUpdates updates, PatientReads reads, TimeProvider time)
{
    public Task<Result<PatientState>> RegisterAsync(Caller caller, string clinicId, PatientInput input, CancellationToken ct) =>
        updates.RunAsync<PatientState>(caller, clinicId, Need.Staff, async (clinic, commit) =>
        {
            var built = ToPatient(input, null, clinic, Ids.New(), commit.Now);
            if (!built.IsSuccess)
            {
                return built.Problem!;
            }
            var patient = built.Value;
            if (await PhoneInUseAsync(clinic, patient.Phone, ct) is { } inUse)
            {
                return inUse;
            }
            commit.Insert(Keys.Patient(patient.Id), patient)
                .Insert(Keys.PatientPhone(patient.Phone), new PhoneIndex(patient.Id))
                .Audit("patient.registered", "patient", patient.Id, null, patient);
            PatientWrites.IndexExternalId(commit, patient);
            return PatientState.On(patient, clinic, commit.Now);
        }, ct);

    public async Task<Result<PatientState>> GetAsync(Caller caller, string clinicId, string patientId, CancellationToken ct)
    {
        var stored = await access.RequireAsync(caller, clinicId, Need.Staff, ct);
        if (!stored.IsSuccess)
        {
            return stored.Problem!;
        }
        var patient = Ids.IsGeneratedId(patientId) ? await data.PatientAsync(clinicId, patientId, ct) : null;
        if (patient is null)
        {
            return Problem.NotFound("patient");
        }
        var now = time.Now();
        reads.Record(clinicId, caller.ObjectId, patientId, "record", now);
        return PatientState.On(patient.Value, stored.Value.Value, now);
    }

    public Task<Result<PatientState>> PatchAsync(Caller caller, string clinicId, string patientId, PatientInput input, int? ifMatch, CancellationToken ct) =>
        updates.ChangeAsync<Patient, PatientState>(caller, clinicId, Need.Staff, Entities.Patient, patientId, ifMatch, async change =>
        {
            var (clinic, current, commit) = change;
            var built = ToPatient(input, current.Value, clinic, patientId, commit.Now);
            if (!built.IsSuccess)
            {
                return built.Problem!;
            }
            var patient = built.Value;
            if (!ClinicCommit.Differ(current.Value, patient))
            {
                return PatientState.On(current.Value, clinic, commit.Now); // nothing to change: no write, no new version
            }
            commit.Replace(Keys.Patient(patientId), patient, current.ETag);
            if (patient.Phone != current.Value.Phone)
            {
                if (await PhoneInUseAsync(clinic, patient.Phone, ct) is { } inUse)
                {
                    return inUse; // a refusal commits nothing
                }
                commit.Delete(Keys.PatientPhone(current.Value.Phone)).Insert(Keys.PatientPhone(patient.Phone), new PhoneIndex(patientId));
            }
            if (patient.ExternalId != current.Value.ExternalId)
            {
                PatientWrites.IndexExternalId(commit, patient); // the old id's row is passed over by searches
            }
            await Watches.FollowCourseStartAsync(commit, data, current.Value, patient, ct);
            commit.Audit("patient.updated", "patient", patientId, current.Value, patient);
            return PatientState.On(patient, clinic, commit.Now);
        }, ct);

    /// <summary>Each patient needs their own number, and none of the clinic's on-call contacts may have it.</summary>
    private async Task<Problem?> PhoneInUseAsync(Clinic clinic, string phone, CancellationToken ct) =>
        await data.PatientByPhoneAsync(clinic.Id, phone, ct) is not null || clinic.Escalation.ContactByPhone(phone) is not null ? PhoneInUse() : null;

    /// <summary>The clinic's patients with this external (EHR) id; usually one.</summary>
    public async Task<Result<IReadOnlyList<Patient>>> FindByExternalIdAsync(Caller caller, string clinicId, string externalId, CancellationToken ct)
    {
        var stored = await access.RequireAsync(caller, clinicId, Need.Staff, ct);
        if (!stored.IsSuccess)
        {
            return stored.Problem!;
        }
        if (!PlainText.IsValid(externalId, 64))
        {
            return Problem.Validation("identifier", "An external id is 1 to 64 printable characters.");
        }
        var now = time.Now();
        var patients = await data.PatientsByExternalIdAsync(clinicId, externalId, now, ct);
        reads.Record(clinicId, caller.ObjectId, patients.Select(p => p.Id), "record", now);
        return patients.ToList();
    }

    private static Problem PhoneInUse() => Problem.Conflict("phone-in-use", "Another patient or an on-call contact of this clinic has this phone number.",
        "Each patient needs their own mobile number, so replies reach the right person; check the number.");

    /// <summary>Builds a patient from a body (all fields for a new one, the given ones for a change).</summary>
    public static Result<Patient> ToPatient(PatientInput input, Patient? existing, Clinic clinic, string id, Instant now)
    {
        var errors = new FieldErrors();
        var creating = existing is null;
        if (creating)
        {
            if (string.IsNullOrWhiteSpace(input.GivenName))
            {
                errors.Add("givenName", "givenName is required.");
            }
            if (string.IsNullOrWhiteSpace(input.FamilyName))
            {
                errors.Add("familyName", "familyName is required.");
            }
            if (input.Phone is null)
            {
                errors.Add("phone", "phone is required.");
            }
            if (input.SmsConsent is null)
            {
                errors.Add("smsConsent", "smsConsent is required: true only if the patient agreed to receive texts.");
            }
            if (input.RemsEnrolled is null)
            {
                errors.Add("remsEnrolled", "remsEnrolled is required.");
            }
            if (input.Course?.StartDate is null)
            {
                errors.Add("course.startDate", "course.startDate is required (YYYY-MM-DD).");
            }
        }
        CheckName(input.GivenName, "givenName", errors);
        CheckName(input.FamilyName, "familyName", errors);
        string? phone = existing?.Phone;
        if (input.Phone is not null)
        {
            phone = PhoneFormat.ToE164(input.Phone, clinic.Country);
            if (phone is null)
            {
                errors.Add("phone", $"Give a valid mobile number in E.164 or in the national format of {clinic.Country}.");
            }
        }
        if (input.Language is not null && !Patient.Languages.Contains(input.Language))
        {
            errors.Add("language", $"language must be one of {string.Join(", ", Patient.Languages)}.");
        }
        if (input.TimeZone is { Length: > 0 } zoneId && ClinicTime.FindZone(zoneId) is null)
        {
            errors.Add("timeZone", "Use an IANA time zone id such as 'America/Chicago', or leave it out for the clinic's.");
        }
        if (input.ExternalId is not null && !PlainText.IsValid(input.ExternalId, 64))
        {
            errors.Add("externalId", "externalId is 1 to 64 printable characters.");
        }
        var today = now.InZone(clinic.Zone).Date;
        var course = input.Course is null ? existing?.Course : CourseInputs.Apply(input.Course, existing?.Course, today, errors);
        LocalDate? dateOfBirth = existing?.DateOfBirth;
        if (input.DateOfBirth is not null)
        {
            if (!ClinicTime.TryParseDate(input.DateOfBirth, out var born) || born > today)
            {
                errors.Add("dateOfBirth", "dateOfBirth is a real date as YYYY-MM-DD, not in the future.");
            }
            dateOfBirth = born;
        }
        var sex = existing?.Sex;
        if (input.Sex is not null)
        {
            sex = ParseName<Sex>(input.Sex, "sex", errors);
        }
        if (input.Indication is not null && course is not null)
        {
            course = course with { Indication = ParseName<Indication>(input.Indication, "indication", errors) ?? course.Indication };
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        var details = new Patient
        {
            Id = id,
            ClinicId = clinic.Id,
            GivenName = input.GivenName?.Trim() ?? existing!.GivenName,
            FamilyName = input.FamilyName?.Trim() ?? existing!.FamilyName,
            Phone = phone!,
            SmsConsent = input.SmsConsent ?? existing!.SmsConsent,
            RemsEnrolled = input.RemsEnrolled ?? existing!.RemsEnrolled,
            DateOfBirth = dateOfBirth,
            Sex = sex,
            Language = input.Language ?? existing?.Language ?? "en",
            ExternalId = input.ExternalId ?? existing?.ExternalId,
            Course = course!,
            Active = input.Active ?? existing?.Active ?? true,
            TimeZone = input.TimeZone is null ? existing?.TimeZone : input.TimeZone.Length == 0 || input.TimeZone == clinic.TimeZone ? null : input.TimeZone,
        };
        return existing is null ? Patient.Enrol(details, now) : existing.Revise(details);
    }

    /// <summary>The enum value named <paramref name="text"/> in kebab case, or null with a field error.</summary>
    private static T? ParseName<T>(string text, string field, FieldErrors errors) where T : struct, Enum
    {
        if (Names.TryParseKebab<T>(text, out var value))
        {
            return value;
        }
        errors.Add(field, $"{field} is one of {Names.KebabList<T>()}.");
        return null;
    }

    private static void CheckName(string? value, string field, FieldErrors errors)
    {
        if (value is not null && !PlainText.IsValid(value, 100))
        {
            errors.Add(field, $"{field} must be 1 to 100 printable characters.");
        }
    }
}
