using Hl7.Fhir.Model;

namespace ClinicBackend.Functions.Fhir;

/// <summary>A search parameter a resource type serves.</summary>
public sealed record FhirSearchParameter(string Name, SearchParamType Type, string Documentation);

/// <summary>What is served of one resource type: its interactions, search parameters and operations.</summary>
public sealed record FhirResourceSupport(
    string Type,
    IReadOnlyList<CapabilityStatement.TypeRestfulInteraction> Interactions,
    IReadOnlyList<FhirSearchParameter> SearchParameters,
    IReadOnlyList<string> Operations,
    string Documentation)
{
    public IReadOnlyList<string> SearchParameterNames => SearchParameters.Select(p => p.Name).ToList();
}

/// <summary>
/// Everything the FHIR routes serve, in one table: the triggers take their search parameters from it and the
/// CapabilityStatement lists it (a test holds it to the routes).
/// </summary>
public static class FhirCapabilities
{
    public const string OperationsBase = "https://clinic-backend.dev/fhir/OperationDefinition/";

    public static readonly FhirResourceSupport Patient = new("Patient",
        [CapabilityStatement.TypeRestfulInteraction.Read, CapabilityStatement.TypeRestfulInteraction.SearchType],
        [new("identifier", SearchParamType.Token, "The patient's externalId: value, or system|value with the clinic's externalIdSystem.")],
        [],
        "The clinic's patients: name, mobile phone, birth date, gender, preferred language, and the EHR's id as identifier.");

    public static readonly FhirResourceSupport Schedule = new("Schedule",
        [CapabilityStatement.TypeRestfulInteraction.Read],
        [],
        [],
        "One schedule, id 'chairs': the clinic's monitoring chairs, which every Slot references.");

    public static readonly FhirResourceSupport Slot = new("Slot",
        [CapabilityStatement.TypeRestfulInteraction.SearchType],
        [
            new("start", SearchParamType.Date, "Required: a lower (ge, gt) and an upper (lt, le) bound, or one day or minute (eq); at most 31 days. Dates and times without an offset are clinic-local."),
            new("status", SearchParamType.Token, "free (the only status served; others match nothing)."),
        ],
        [],
        "Free starts: exactly the starts booking accepts now, with a chair free for the whole session.");

    public static readonly FhirResourceSupport Appointment = new("Appointment",
        [CapabilityStatement.TypeRestfulInteraction.Read, CapabilityStatement.TypeRestfulInteraction.SearchType, CapabilityStatement.TypeRestfulInteraction.Update],
        [
            new("date", SearchParamType.Date, "The start: ge/gt and lt/le bounds (at most 31 days without patient). Dates and times without an offset are clinic-local."),
            new("patient", SearchParamType.Reference, "Patient/{id}: the patient's sessions."),
            new("status", SearchParamType.Token, "One or more of booked, arrived, fulfilled, cancelled, noshow (comma-separated)."),
        ],
        ["find", "hold", "book"],
        "Treatment sessions. An update may only set status cancelled (with If-Match); any other change is refused with 422. "
        + "A pending (held) appointment is read by id until it is booked or lapses.");

    public static readonly IReadOnlyList<FhirResourceSupport> Resources = [Appointment, Patient, Schedule, Slot];

    private static readonly Dictionary<string, string> OperationDocs = new(StringComparer.Ordinal)
    {
        ["find"] = "Parameters start, end (a window of at most 31 days) and patient (Reference Patient/{id}) -> Bundle of proposed Appointments: "
            + "at most 10 starts booking accepts for the patient, spread over the days like the SMS offers, closest to the window's start time of day.",
        ["hold"] = "Parameters with one appointment (a proposed one) -> a pending Appointment holding its chair for 5 minutes.",
        ["book"] = "Parameters with one appointment, a held (pending, with its id) or a proposed one -> the booked Appointment; refusals as POST /sessions.",
    };

    /// <summary>The CapabilityStatement of a clinic's FHIR base.</summary>
    public static CapabilityStatement Statement(string baseUrl) => new()
    {
        Status = PublicationStatus.Active,
        Date = "2026-12-01",
        Kind = CapabilityStatementKind.Instance,
        Software = new CapabilityStatement.SoftwareComponent { Name = "Clinic backend" },
        Implementation = new CapabilityStatement.ImplementationComponent { Description = "Scheduling of one clinic's treatment sessions", Url = baseUrl },
        FhirVersion = FHIRVersion.N4_0_1,
        Format = [FhirJson.MediaType, "json"],
        Rest =
        [
            new CapabilityStatement.RestComponent
            {
                Mode = CapabilityStatement.RestfulCapabilityMode.Server,
                Documentation = "Strict handling: unknown parameters are refused. JSON only (XML is a 406). Errors are OperationOutcomes with the HTTP status of the rest of the API.",
                Security = new CapabilityStatement.SecurityComponent
                {
                    Description = "Authorization: Bearer <token> (Microsoft Entra ID), and a membership of the clinic; another clinic's ids are 404.",
                },
                Resource = Resources.Select(Describe).ToList(),
            },
        ],
    };

    private static CapabilityStatement.ResourceComponent Describe(FhirResourceSupport support) => new()
    {
        Type = support.Type,
        Documentation = support.Documentation,
        Interaction = support.Interactions.Select(i => new CapabilityStatement.ResourceInteractionComponent { Code = i }).ToList(),
        Versioning = support.Interactions.Contains(CapabilityStatement.TypeRestfulInteraction.Update) ? CapabilityStatement.ResourceVersionPolicy.Versioned : null,
        UpdateCreate = support.Interactions.Contains(CapabilityStatement.TypeRestfulInteraction.Update) ? false : null,
        SearchParam = support.SearchParameters.Select(p => new CapabilityStatement.SearchParamComponent
        {
            Name = p.Name,
            Definition = $"http://hl7.org/fhir/SearchParameter/{support.Type}-{p.Name}",
            Type = p.Type,
            Documentation = p.Documentation,
        }).ToList(),
        Operation = support.Operations.Select(o => new CapabilityStatement.OperationComponent
        {
            Name = o,
            Definition = $"{OperationsBase}{support.Type}-{o}",
            Documentation = OperationDocs[o],
        }).ToList(),
    };
}
