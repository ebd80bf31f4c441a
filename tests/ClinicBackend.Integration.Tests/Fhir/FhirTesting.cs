using System.Net.Http.Headers;
using Firely.Fhir.Validation;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Specification.Source;
using Hl7.Fhir.Specification.Terminology;

namespace ClinicBackend.Integration.Tests.Fhir;

/// <summary>
/// Every FHIR answer the tests receive is read as a resource and validated against the base R4 profiles (the
/// specification.zip of Hl7.Fhir.Specification.Data.R4, offline); a resource with an error fails the request.
/// </summary>
public static class FhirValidation
{
    private static readonly Lazy<Validator> Instance = new(() =>
    {
        var resolver = new CachedResolver(ZipSource.CreateValidationSource());
        return new Validator(resolver, LocalTerminologyService.CreateDefaultForCore(resolver), null, new ValidationSettings());
    });

    private static readonly Lock Gate = new();
    private static readonly FhirJsonDeserializer Reader = new(new DeserializerSettings().UsingMode(DeserializationMode.Strict, null));

    /// <summary>The errors of a resource against its base profile (none when it is valid).</summary>
    public static IReadOnlyList<string> Errors(Resource resource)
    {
        lock (Gate)
        {
            var report = Instance.Value.Validate(resource);
            return report.Issue
                .Where(i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal)
                .Select(i => $"{string.Join(", ", i.Expression)}: {i.Details?.Text}")
                .ToList();
        }
    }

    /// <summary>Reads FHIR JSON strictly and validates it; throws with every error found.</summary>
    public static Resource ReadValid(string json)
    {
        var resource = Reader.DeserializeResource(json);
        var errors = Errors(resource);
        return errors.Count == 0 ? resource : throw new InvalidOperationException($"The server returned an invalid {resource.TypeName}:\n{string.Join("\n", errors)}\n{json}");
    }
}

/// <summary>Adds the bearer token, and validates every FHIR resource in an answer before the client sees it.</summary>
public sealed class ValidatingHandler(string? token) : DelegatingHandler(new SocketsHttpHandler())
{
    /// <summary>Every resource the server returned through this handler, validated.</summary>
    public List<Resource> Received { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        var response = await base.SendAsync(request, ct);
        if (response.Content.Headers.ContentType?.MediaType == "application/fhir+json")
        {
            var json = await response.Content.ReadAsStringAsync(ct);
            lock (Received)
            {
                Received.Add(FhirValidation.ReadValid(json));
            }
        }
        return response;
    }
}

/// <summary>Firely's FhirClient on a clinic's FHIR base of the test app, as one caller.</summary>
public sealed class FhirTestClient : IDisposable
{
    private readonly HttpClient _http;

    public FhirTestClient(TestApp app, string clinicId, string? token)
    {
        Handler = new ValidatingHandler(token);
        _http = new HttpClient(Handler);
        BaseUrl = new Uri(app.BaseAddress, $"/api/fhir/{clinicId}");
        Client = new FhirClient(BaseUrl, _http, new FhirClientSettings { PreferredFormat = ResourceFormat.Json, VerifyFhirVersion = false });
    }

    public Uri BaseUrl { get; }
    public FhirClient Client { get; }
    public ValidatingHandler Handler { get; }

    /// <summary>An Appointment operation ($find, $hold, $book) through FhirClient; its answer as <typeparamref name="T"/>.</summary>
    public async Task<T> OperationAsync<T>(string name, Parameters parameters) where T : Resource =>
        (T)(await Client.TypeOperationAsync<Appointment>(name, parameters))!;

    public async Task<T> ReadAsync<T>(string location) where T : Resource => (await Client.ReadAsync<T>(location))!;

    /// <summary>A search's matches.</summary>
    public async Task<List<T>> SearchAsync<T>(params string[] criteria) where T : Resource, new() =>
        (await Client.SearchAsync<T>(criteria))!.Entry.Select(e => (T)e.Resource!).ToList();

    /// <summary>Sends a raw request below the base (for what FhirClient would not send) and reads the answer.</summary>
    public async Task<(int Status, Resource? Resource, HttpResponseMessage Raw)> SendAsync(HttpMethod method, string relative, string? body = null,
        string contentType = "application/fhir+json", string? accept = null, string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(BaseUrl + "/" + relative));
        if (body is not null)
        {
            request.Content = new StringContent(body);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }
        var response = await _http.SendAsync(request);
        lock (Handler.Received)
        {
            return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType == "application/fhir+json" ? Handler.Received[^1] : null, response);
        }
    }

    public void Dispose()
    {
        Client.Dispose();
        _http.Dispose();
    }
}
