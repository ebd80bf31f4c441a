using System.Text.Json.Nodes;
using ClinicBackend.Functions.Triggers;

namespace ClinicBackend.Integration.Tests.Api;

public sealed class OpenApiTests
{
    [Fact]
    public async Task The_document_lists_every_http_function_and_nothing_else()
    {
        await using var app = await TestApp.StartAsync();
        var reply = (await app.GetAsync("/api/openapi.json", token: null)).Expect(200);
        var doc = reply.Json!.AsObject();
        Assert.StartsWith("3.", doc["openapi"]!.ToString());
        Assert.Equal("/api", doc["servers"]![0]!["url"]!.ToString());

        var documented = doc["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(op => (Route: p.Key, Method: op.Key.ToUpperInvariant(), Id: op.Value!["operationId"]!.ToString())))
            .OrderBy(x => x.ToString())
            .ToList();
        var functions = FunctionCatalog.All.Where(f => f.Http is not null)
            .SelectMany(f => f.HttpMethods.Select(m => (Route: "/" + f.Route, Method: m, Id: f.Name)))
            .OrderBy(x => x.ToString())
            .ToList();
        Assert.Equal(functions, documented);
    }

    [Fact]
    public async Task Every_operation_documents_its_refusals_as_problem_details_or_operation_outcomes_and_references_resolve()
    {
        await using var app = await TestApp.StartAsync();
        var doc = (await app.GetAsync("/api/openapi.json", token: null)).Expect(200).Json!.AsObject();
        var schemas = doc["components"]!["schemas"]!.AsObject();
        foreach (var reference in Descendants(doc).OfType<JsonValue>().Select(v => v.ToString()).Where(s => s.StartsWith("#/components/schemas/", StringComparison.Ordinal)))
        {
            Assert.True(schemas.ContainsKey(reference["#/components/schemas/".Length..]), $"unresolved {reference}");
        }
        foreach (var (route, ops) in doc["paths"]!.AsObject())
        {
            foreach (var (method, op) in ops!.AsObject())
            {
                var secured = op!["security"]!.AsArray().Count > 0;
                var responses = op["responses"]!.AsObject();
                if (secured)
                {
                    Assert.True(responses.ContainsKey("401"), $"{method} {route} documents 401");
                }
                // FHIR routes refuse with OperationOutcomes, every other route with problem details.
                var refusal = route.StartsWith("/fhir/", StringComparison.Ordinal) ? "application/fhir+json" : "application/problem+json";
                foreach (var (status, response) in responses.Where(r => r.Key.StartsWith('4')))
                {
                    Assert.True(response!["content"]?[refusal] is not null, $"{method} {route} {status} is {refusal}");
                }
            }
        }
    }

    private static IEnumerable<JsonNode> Descendants(JsonNode node)
    {
        yield return node;
        var children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a.AsEnumerable(),
            _ => [],
        };
        foreach (var child in children.Where(c => c is not null))
        {
            foreach (var d in Descendants(child!))
            {
                yield return d;
            }
        }
    }
}
