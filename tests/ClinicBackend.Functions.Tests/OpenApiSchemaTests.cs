using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClinicBackend.Application.Assessments;
using ClinicBackend.Application.Clinics;
using ClinicBackend.Application.Flags;
using ClinicBackend.Application.Inventory;
using ClinicBackend.Application.Patients;
using ClinicBackend.Application.Payment;
using ClinicBackend.Application.Sessions;
using ClinicBackend.Functions.Http;
using ClinicBackend.Functions.Responses;
using ClinicBackend.Functions.Triggers;

namespace ClinicBackend.Functions.Tests;

/// <summary>
/// The OpenAPI document and the code describe the same bodies: every response record and request input has
/// a schema with exactly its JSON property names, nested records included.
/// </summary>
public sealed class OpenApiSchemaTests
{
    private static readonly JsonObject Document = LoadDocument();
    private static readonly JsonObject Schemas = Document["components"]!["schemas"]!.AsObject();

    public static TheoryData<Type, string> Bodies => new()
    {
        { typeof(ClinicResponse), "Clinic" },
        { typeof(MemberResponse), "Member" },
        { typeof(MembersResponse), "Members" },
        { typeof(AuditResponse), "Audit" },
        { typeof(PatientResponse), "Patient" },
        { typeof(MessageResponse), "Message" },
        { typeof(MessagesResponse), "Messages" },
        { typeof(SessionResponse), "Session" },
        { typeof(SessionsResponse), "Sessions" },
        { typeof(AvailabilityResponse), "Availability" },
        { typeof(FlagResponse), "Flag" },
        { typeof(FlagsResponse), "Flags" },
        { typeof(ReportSummaryResponse), "ReportSummary" },
        { typeof(ProblemBody), "Problem" },
        { typeof(WaitlistEntryResponse), "WaitlistEntry" },
        { typeof(WaitlistResponse), "Waitlist" },
        { typeof(ClinicBackend.Application.Waitlist.WaitlistInput), "WaitlistInput" },
        { typeof(ClinicInput), "ClinicInput" },
        { typeof(MemberInput), "MemberInput" },
        { typeof(PatientInput), "PatientInput" },
        { typeof(BookInput), "BookInput" },
        { typeof(RescheduleInput), "RescheduleInput" },
        { typeof(CancelInput), "CancelInput" },
        { typeof(CompleteInput), "CompleteInput" },
        { typeof(RemsFormInput), "RemsFormInput" },
        { typeof(ResolveInput), "ResolveInput" },
        { typeof(CourseBookingResponse), "CourseBooking" },
        { typeof(CourseConflictResponse), "CourseConflict" },
        { typeof(CourseBookingInput), "CourseBookingInput" },
        { typeof(RideInput), "RideInput" },
        { typeof(CourseInput), "CourseInput" },
        { typeof(DoseInput), "DoseInput" },
        { typeof(ObservationInput), "ObservationInput" },
        { typeof(ObservationResponse), "Observation" },
        { typeof(MonitoringFormResponse), "MonitoringForm" },
        { typeof(ReceiveLotInput), "ReceiveLotInput" },
        { typeof(AdjustmentInput), "AdjustmentInput" },
        { typeof(LotResponse), "Lot" },
        { typeof(InventoryResponse), "Inventory" },
        { typeof(AdjustmentResponse), "Adjustment" },
        { typeof(LotLogResponse), "LotLog" },
        { typeof(LotEntryResponse), "LotEntry" },
        { typeof(CoverageInput), "CoverageInput" },
        { typeof(ShipmentInput), "ShipmentInput" },
        { typeof(CoverageResponse), "Coverage" },
        { typeof(ShipmentResponse), "Shipment" },
        { typeof(ShipmentRecordedResponse), "ShipmentRecorded" },
        { typeof(ReadinessResponse), "Readiness" },
        { typeof(AssessmentInput), "AssessmentInput" },
        { typeof(AssessmentResponse), "Assessment" },
        { typeof(AssessmentListResponse), "Assessments" },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public void A_body_and_its_schema_have_the_same_fields(Type type, string schema)
    {
        Assert.True(Schemas.ContainsKey(schema), $"openapi.json has no schema {schema}");
        AssertSameFields(type, Schemas[schema]!.AsObject(), schema);
    }

    [Fact]
    public void Every_response_record_is_covered()
    {
        var covered = new HashSet<Type>();
        foreach (var row in Bodies)
        {
            Collect((Type)row[0], covered);
        }
        var records = typeof(ClinicResponse).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(ClinicResponse).Namespace && t.IsClass && !t.IsAbstract && t.Name.EndsWith("Response", StringComparison.Ordinal));
        Assert.Empty(records.Where(r => !covered.Contains(r)).Select(r => r.Name));
    }

    [Fact]
    public void The_document_lists_every_http_function()
    {
        var documented = Document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(op => $"{op.Key.ToUpperInvariant()} {p.Key} {op.Value!["operationId"]}"))
            .Order(StringComparer.Ordinal);
        var functions = FunctionCatalog.All.Where(f => f.Http is not null)
            .SelectMany(f => f.HttpMethods.Select(m => $"{m} /{f.Route} {f.Name}"))
            .Order(StringComparer.Ordinal);
        Assert.Equal(functions, documented);
    }

    private static void AssertSameFields(Type type, JsonObject schema, string path)
    {
        schema = Resolve(schema);
        var properties = schema["properties"]?.AsObject() ?? throw new Xunit.Sdk.XunitException($"{path} has no properties");
        var fields = JsonFields(type);
        Assert.True(fields.Keys.Order().SequenceEqual(properties.Select(p => p.Key).Order()),
            $"{path}: code has [{string.Join(", ", fields.Keys.Order())}], openapi.json has [{string.Join(", ", properties.Select(p => p.Key).Order())}]");
        foreach (var (name, fieldType) in fields)
        {
            var nested = RecordOf(fieldType, out var isList);
            if (nested is null)
            {
                continue;
            }
            var property = Resolve(properties[name]!.AsObject());
            AssertSameFields(nested, isList ? Resolve(property["items"]!.AsObject()) : property, $"{path}.{name}");
        }
    }

    private static Dictionary<string, Type> JsonFields(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0)
            .ToDictionary(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name), p => p.PropertyType);

    /// <summary>The record type a property holds (itself, or the element of a list), when it is one of ours.</summary>
    private static Type? RecordOf(Type type, out bool isList)
    {
        isList = false;
        if (type.IsArray)
        {
            isList = true;
            type = type.GetElementType()!;
        }
        else if (type.IsGenericType && type.GetGenericArguments() is [var element] && typeof(System.Collections.IEnumerable).IsAssignableFrom(type))
        {
            isList = true;
            type = element;
        }
        return type.Namespace?.StartsWith("ClinicBackend.", StringComparison.Ordinal) == true && type.IsClass && type != typeof(string) ? type : null;
    }

    private static void Collect(Type type, HashSet<Type> seen)
    {
        if (!seen.Add(type))
        {
            return;
        }
        foreach (var field in JsonFields(type).Values)
        {
            if (RecordOf(field, out _) is { } nested)
            {
                Collect(nested, seen);
            }
        }
    }

    private static JsonObject Resolve(JsonObject schema) =>
        schema["$ref"]?.GetValue<string>() is { } reference
            ? Schemas[reference["#/components/schemas/".Length..]]!.AsObject()
            : schema;

    private static JsonObject LoadDocument()
    {
        using var stream = typeof(FunctionCatalog).Assembly.GetManifestResourceStream("openapi.json")!;
        return JsonNode.Parse(stream)!.AsObject();
    }
}
