using ClinicBackend.Functions.Triggers;
using Microsoft.OpenApi;

namespace ClinicBackend.Functions.Tests;

/// <summary>The hand-written openapi.json is a valid OpenAPI 3.0 document to a standard reader, not only to our own tests.</summary>
public sealed class OpenApiDocumentTests
{
    [Fact]
    public void Microsoft_OpenApi_reads_and_validates_the_document_without_an_error_or_a_warning()
    {
        using var stream = typeof(FunctionCatalog).Assembly.GetManifestResourceStream("openapi.json")!;
        using var reader = new StreamReader(stream);
        var (document, diagnostic) = OpenApiDocument.Parse(reader.ReadToEnd(), OpenApiConstants.Json);

        Assert.NotNull(document);
        Assert.Equal(OpenApiSpecVersion.OpenApi3_0, diagnostic!.SpecificationVersion);
        var problems = diagnostic.Errors.Select(e => $"error {e}")
            .Concat(diagnostic.Warnings.Select(w => $"warning {w}"))
            .Concat(document.Validate(ValidationRuleSet.GetDefaultRuleSet())!.Select(e => $"invalid {e}"))
            .ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }
}
