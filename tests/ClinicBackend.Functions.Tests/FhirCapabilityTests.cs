using ClinicBackend.Functions.Fhir;
using ClinicBackend.Functions.Triggers;
using Hl7.Fhir.Model;
using Hl7.Fhir.Utility;

namespace ClinicBackend.Functions.Tests;

/// <summary>The CapabilityStatement lists exactly the FHIR interactions and operations the functions serve.</summary>
public sealed class FhirCapabilityTests
{
    [Fact]
    public void The_capability_statement_lists_exactly_the_fhir_routes()
    {
        var served = FunctionCatalog.All
            .Where(f => f.Route?.StartsWith("fhir/{clinicId}/", StringComparison.Ordinal) == true && !f.Route.EndsWith("/metadata", StringComparison.Ordinal))
            .SelectMany(f => f.HttpMethods.Select(m => Interaction(m, f.Route!["fhir/{clinicId}/".Length..].Split('/'))))
            .Order(StringComparer.Ordinal)
            .ToList();
        var statement = FhirCapabilities.Statement("https://clinic.example.org/api/fhir/c1");
        var listed = statement.Rest.Single().Resource
            .SelectMany(r => r.Interaction.Select(i => $"{r.Type} {i.Code!.Value.GetLiteral()}").Concat(r.Operation.Select(o => $"{r.Type} ${o.Name}")))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Equal(served, listed);
        Assert.Contains(FhirCapabilities.Resources, r => r.Type == "Appointment" && r.Operations.SequenceEqual(["find", "hold", "book"]));
        Assert.Contains("application/fhir+json", statement.Format);
    }

    private static string Interaction(string method, string[] segments) => (method, segments) switch
    {
        ("GET", [var type]) => $"{type} search-type",
        ("GET", [var type, _]) => $"{type} read",
        ("PUT", [var type, _]) => $"{type} update",
        ("POST", [var type, var operation]) when operation.StartsWith('$') => $"{type} {operation}",
        _ => $"unexpected {method} {string.Join('/', segments)}",
    };
}
