using ClinicBackend.Application.Sessions;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Common;
using Hl7.Fhir.Model;

namespace ClinicBackend.Functions.Fhir;

/// <summary>The inputs of the Appointment operations and of an update, read from their resources.</summary>
public static class FhirOperations
{
    /// <summary>$find's Parameters: <c>start</c> and <c>end</c> (the window [start, end)) and <c>patient</c> (Reference Patient/{id}), each once.</summary>
    public static Result<(string PatientId, TimeWindow Window)> FindInput(Parameters parameters, Clinic clinic)
    {
        var errors = new FieldErrors();
        foreach (var extra in parameters.Parameter.Where(p => p.Name is not ("start" or "end" or "patient")).Select(p => p.Name).Distinct())
        {
            errors.Add(extra ?? "parameter", "$find takes the parameters start, end and patient only.");
        }
        var start = Moment(parameters, "start", clinic, errors);
        var end = Moment(parameters, "end", clinic, errors);
        var patient = One(parameters, "patient", errors)?.Value is ResourceReference { Reference: { } reference } && reference.StartsWith("Patient/", StringComparison.Ordinal)
            ? reference["Patient/".Length..]
            : null;
        if (patient is null && !errors.Any)
        {
            errors.Add("patient", "Give patient as a Reference: { \"reference\": \"Patient/{id}\" }.");
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        return (patient!, new TimeWindow(start!.Value, end!.Value));
    }

    /// <summary>The one <c>appointment</c> parameter of $hold and $book.</summary>
    public static Result<Appointment> OneAppointment(Parameters parameters) =>
        parameters.Parameter is [{ Name: "appointment", Resource: Appointment appointment, Value: null, Part.Count: 0 }]
            ? appointment
            : Problem.Validation("appointment", "Send Parameters with exactly one parameter, appointment, whose resource is the Appointment.");

    /// <summary>
    /// What an update asks of the appointment as it stands: nothing (null), or to cancel it with a reason (possibly empty).
    /// Only the status may change, and only to cancelled; <c>cancelationReason.text</c> may come with it.
    /// </summary>
    public static Result<string?> StatusChange(Appointment current, Appointment given)
    {
        var compared = (Appointment)given.DeepCopy();
        compared.Meta = current.Meta;
        compared.Text = current.Text;
        compared.Status = current.Status;
        compared.CancelationReason = current.CancelationReason;
        if (compared.Start == current.Start)
        {
            compared.StartElement = current.StartElement;
        }
        if (compared.End == current.End)
        {
            compared.EndElement = current.EndElement;
        }
        if (compared.CreatedElement is { } created && created.TryToDateTimeOffset(out var givenCreated)
            && current.CreatedElement is { } was && was.TryToDateTimeOffset(out var currentCreated) && givenCreated == currentCreated)
        {
            compared.CreatedElement = current.CreatedElement;
        }
        if (!compared.IsExactly(current))
        {
            return Problem.Rule("only-cancel", "Only the status may change.",
                "An update may set status to cancelled (with cancelationReason.text) and change nothing else; send the appointment as read with only those changed.");
        }
        if (given.Status == current.Status)
        {
            return (string?)null;
        }
        return given.Status == Appointment.AppointmentStatus.Cancelled
            ? given.CancelationReason?.Text ?? ""
            : Problem.Rule("only-cancel", "Only cancelling is an update.",
                "Set status to cancelled to cancel; check-in, completion and moves are made through the clinic API.");
    }

    /// <summary>A hold that was let go, as the appointment it was: cancelled.</summary>
    public static Appointment Released(Appointment pending)
    {
        pending.Status = Appointment.AppointmentStatus.Cancelled;
        pending.Comment = null;
        return pending;
    }

    private static Parameters.ParameterComponent? One(Parameters parameters, string name, FieldErrors errors)
    {
        var found = parameters.Parameter.Where(p => p.Name == name).ToList();
        if (found.Count != 1)
        {
            errors.Add(name, $"Give {name} exactly once.");
            return null;
        }
        return found[0];
    }

    /// <summary>A point in time given as a date (its clinic-local midnight) or a date-time.</summary>
    private static NodaTime.Instant? Moment(Parameters parameters, string name, Clinic clinic, FieldErrors errors)
    {
        var parameter = One(parameters, name, errors);
        if (parameter is null)
        {
            return null;
        }
        var text = parameter.Value switch
        {
            Date d => d.Value,
            FhirDateTime dt => dt.Value,
            Instant i => i.JsonValue as string,
            _ => null,
        };
        if (text is null || FhirDates.Span(text, clinic.Zone) is not { } span)
        {
            errors.Add(name, $"Give {name} as valueDate (YYYY-MM-DD, clinic midnight) or valueDateTime (with an offset, or clinic-local), between 1900 and 2199.");
            return null;
        }
        return span.Start;
    }
}
