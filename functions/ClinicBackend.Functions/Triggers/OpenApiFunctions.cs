using ClinicBackend.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ClinicBackend.Functions.Triggers;

/// <summary>Serves the checked-in OpenAPI 3 document of the API (functions/ClinicBackend.Functions/openapi.json).</summary>
public sealed class OpenApiFunctions
{
    private static readonly Lazy<string> Document = new(() =>
    {
        using var stream = typeof(OpenApiFunctions).Assembly.GetManifestResourceStream("openapi.json")
            ?? throw new InvalidOperationException("openapi.json is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    [Function("OpenApi")]
    [PublicEndpoint]
    public IActionResult Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi.json")] HttpRequest request) =>
        ApiResult.Text(StatusCodes.Status200OK, Document.Value, "application/json; charset=utf-8");
}
