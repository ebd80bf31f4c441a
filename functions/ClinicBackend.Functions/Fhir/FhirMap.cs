using System.Globalization;
using ClinicBackend.Application.Sessions;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Time;
using Hl7.Fhir.Model;
using Duration = NodaTime.Duration;
using FhirPatient = Hl7.Fhir.Model.Patient;
using Instant = NodaTime.Instant;
using OurPatient = ClinicBackend.Domain.Patients.Patient;
using Sex = ClinicBackend.Domain.Patients.Sex;

namespace ClinicBackend.Functions.Fhir;

/// <summary>Our sessions, holds, free starts, patients and chairs as FHIR R4 resources, and an appointment back as a booking request.</summary>
public static class FhirMap
{
    /// <summary>The one Schedule: the clinic's monitoring chairs.</summary>
    public const string ScheduleId = "chairs";

    public const string VisitSystem = "https://clinic-backend.dev/fhir/CodeSystem/visit-type";
    public const string VisitCode = "supervised-treatment";
    public const string VisitDisplay = "Supervised treatment session with monitoring";

    public static CodeableConcept Visit => new(VisitSystem, VisitCode, VisitDisplay, VisitDisplay);

    public static Appointment Appointment(Session s)
    {
        var appointment = new Appointment
        {
            Id = s.Id,
            Meta = new Meta { LastUpdatedElement = InstantOf(s.History[^1].At) },
            Status = s.Status switch
            {
                SessionStatus.Booked => Hl7.Fhir.Model.Appointment.AppointmentStatus.Booked,
                SessionStatus.Arrived => Hl7.Fhir.Model.Appointment.AppointmentStatus.Arrived,
                SessionStatus.Fulfilled => Hl7.Fhir.Model.Appointment.AppointmentStatus.Fulfilled,
                SessionStatus.Cancelled => Hl7.Fhir.Model.Appointment.AppointmentStatus.Cancelled,
                _ => Hl7.Fhir.Model.Appointment.AppointmentStatus.Noshow,
            },
            CreatedElement = new FhirDateTime(ClinicTime.FormatUtc(s.History[0].At)),
        };
        if (s.CancelReason is { } reason)
        {
            appointment.CancelationReason = new CodeableConcept { Text = reason };
        }
        return Timed(appointment, s.StartUtc, s.EndUtc, s.PatientId, s.Confirmation switch
        {
            Confirmation.Accepted => ParticipationStatus.Accepted,
            Confirmation.Declined => ParticipationStatus.Declined,
            _ => ParticipationStatus.NeedsAction,
        });
    }

    /// <summary>A held session: pending until it is booked or the hold lapses.</summary>
    public static Appointment Pending(HeldSession held)
    {
        var appointment = new Appointment
        {
            Id = held.Session.Id,
            Status = Hl7.Fhir.Model.Appointment.AppointmentStatus.Pending,
            CreatedElement = new FhirDateTime(ClinicTime.FormatUtc(held.Session.History[0].At)),
            Comment = $"Held until {ClinicTime.FormatUtc(held.ExpiresAt)}; book it with $book before then.",
        };
        return Timed(appointment, held.Session.StartUtc, held.Session.EndUtc, held.Session.PatientId, ParticipationStatus.NeedsAction);
    }

    /// <summary>A start proposed to a patient (not stored: no id).</summary>
    public static Appointment Proposed(FreeSlot slot, string patientId) =>
        Timed(new Appointment { Status = Hl7.Fhir.Model.Appointment.AppointmentStatus.Proposed }, slot.Start.ToInstant(), slot.End.ToInstant(), patientId,
            ParticipationStatus.NeedsAction);

    public static Slot Slot(FreeSlot slot, Clinic clinic) => new()
    {
        Id = "s" + slot.Start.ToInstant().ToDateTimeUtc().ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture),
        ServiceType = [Visit],
        Schedule = new ResourceReference($"Schedule/{ScheduleId}"),
        Status = Hl7.Fhir.Model.Slot.SlotStatus.Free,
        StartElement = InstantOf(slot.Start.ToInstant()),
        EndElement = InstantOf(slot.End.ToInstant()),
        Comment = $"{slot.FreeChairs} of {clinic.Chairs} chairs free for the whole session",
    };

    public static Schedule Schedule(Clinic clinic) => new()
    {
        Id = ScheduleId,
        Active = true,
        ServiceType = [Visit],
        Actor = [new ResourceReference { Type = "Location", Display = $"{clinic.Name}: {clinic.Chairs} monitoring chairs" }],
        Comment = $"Sessions of {clinic.SessionMinutes} minutes start on a {clinic.SlotMinutes}-minute grid within the opening hours (clinic time zone {clinic.TimeZone}).",
    };

    public static FhirPatient Patient(OurPatient p, Clinic clinic)
    {
        var patient = new FhirPatient
        {
            Id = p.Id,
            Active = p.Active,
            Name = [new HumanName { Use = HumanName.NameUse.Official, Family = p.FamilyName, Given = [p.GivenName] }],
            Telecom = [new ContactPoint(ContactPoint.ContactPointSystem.Phone, ContactPoint.ContactPointUse.Mobile, p.Phone)],
            Communication = [new FhirPatient.CommunicationComponent { Language = new CodeableConcept("urn:ietf:bcp:47", p.Language), Preferred = true }],
            BirthDate = p.DateOfBirth?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            Gender = p.Sex switch
            {
                Sex.Female => AdministrativeGender.Female,
                Sex.Male => AdministrativeGender.Male,
                Sex.Other => AdministrativeGender.Other,
                Sex.Unknown => AdministrativeGender.Unknown,
                _ => null,
            },
        };
        if (p.ExternalId is { } externalId)
        {
            patient.Identifier = [new Identifier(clinic.PatientIdentifierSystem, externalId) { Use = Identifier.IdentifierUse.Usual }];
        }
        return patient;
    }

    /// <summary>A searchset of the resources found, each under its full URL.</summary>
    public static Bundle Searchset(IReadOnlyList<Resource> found, string baseUrl, string self) => new()
    {
        Type = Bundle.BundleType.Searchset,
        Total = found.Count,
        Link = [new Bundle.LinkComponent { Relation = "self", Url = self }],
        Entry = found.Select(r => new Bundle.EntryComponent
        {
            FullUrl = r.Id is null ? ContentUrn(r) : $"{baseUrl}/{r.TypeName}/{r.Id}",
            Resource = r,
            Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match },
        }).ToList(),
    };

    /// <summary>A resource without an id (a proposal) is named by a UUID of its content: the same proposal, the same name.</summary>
    private static string ContentUrn(Resource resource)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(FhirJson.Serialize(resource));
        return $"urn:uuid:{new Guid(hash.AsSpan(0, 16))}";
    }

    /// <summary>
    /// The booking request a proposed appointment makes: its patient and its start as clinic-local time. The start must be a
    /// whole minute and name that local time's instant (the first of a repeated hour); its end, when given, the session's end.
    /// </summary>
    public static Result<BookInput> BookingRequest(Appointment appointment, Clinic clinic)
    {
        var errors = new FieldErrors();
        var patient = appointment.Participant.Select(p => p.Actor?.Reference).Where(r => r?.StartsWith("Patient/", StringComparison.Ordinal) == true).ToList();
        if (patient.Count != 1)
        {
            errors.Add("appointment.participant", "Name the patient as exactly one participant: actor.reference Patient/{id}.");
        }
        if (appointment.Start is null)
        {
            errors.Add("appointment.start", "Give the start (an instant, for example 2026-12-07T15:00:00Z).");
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        var startUtc = Instant.FromDateTimeOffset(appointment.Start!.Value);
        var local = startUtc.InZone(clinic.Zone).LocalDateTime;
        if (local.Second != 0 || local.NanosecondOfSecond != 0 || ClinicTime.ResolveLenient(local, clinic.Zone).ToInstant() != startUtc)
        {
            return Problem.Rule("off-grid", "The start is not on the slot grid.",
                "Sessions start on whole minutes of the clinic's grid, at the first occurrence of a local time; take a start from $find or Slot.");
        }
        if (appointment.End is { } end && Instant.FromDateTimeOffset(end) != startUtc + Duration.FromMinutes(clinic.SessionMinutes))
        {
            return Problem.Rule("session-length", "The end does not match the session length.",
                $"A session lasts {clinic.SessionMinutes} minutes; leave end out or set it {clinic.SessionMinutes} minutes after start.");
        }
        return new BookInput { PatientId = patient[0]!["Patient/".Length..], Start = ClinicTime.FormatMinute(local) };
    }

    private static Appointment Timed(Appointment appointment, Instant start, Instant end, string patientId, ParticipationStatus status)
    {
        appointment.ServiceType = [Visit];
        appointment.StartElement = InstantOf(start);
        appointment.EndElement = InstantOf(end);
        appointment.MinutesDuration = (int)(end - start).TotalMinutes;
        appointment.Participant =
        [
            new Appointment.ParticipantComponent
            {
                Actor = new ResourceReference($"Patient/{patientId}"),
                Required = Hl7.Fhir.Model.Appointment.ParticipantRequired.Required,
                Status = status,
            },
        ];
        return appointment;
    }

    /// <summary>A UTC instant written with Z.</summary>
    private static Hl7.Fhir.Model.Instant InstantOf(Instant at) => new() { JsonValue = ClinicTime.FormatUtc(at) };
}
