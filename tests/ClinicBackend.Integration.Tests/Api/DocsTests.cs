using System.Text;
using System.Text.RegularExpressions;

namespace ClinicBackend.Integration.Tests.Api;

/// <summary>GET /api/docs: a Swagger UI page over the served openapi.json, with its files, and nothing else, under docs/.</summary>
public sealed partial class DocsTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task The_page_loads_without_a_token_and_points_swagger_ui_at_the_served_document()
    {
        var page = (await _app.GetAsync("/api/docs", token: null)).Expect(200);
        Assert.StartsWith("text/html", page.ContentType);
        Assert.Contains("SwaggerUIBundle(", page.Body);
        Assert.Contains("new URL(\"openapi.json\", document.baseURI)", page.Body);

        // Relative to the page, "openapi.json" is the document the API serves.
        var document = new Uri(new Uri(_app.BaseAddress, "/api/docs"), "openapi.json");
        Assert.Equal("/api/openapi.json", document.AbsolutePath);
        var served = (await _app.GetAsync(document.PathAndQuery, token: null)).Expect(200);
        Assert.Equal("bearer", served.Json!["components"]!["securitySchemes"]!["bearer"]!["scheme"]!.ToString());
    }

    [Fact]
    public async Task Every_file_the_page_references_is_served_with_its_content_type()
    {
        var page = (await _app.GetAsync("/api/docs", token: null)).Expect(200);
        var references = AssetReference().Matches(page.Body).Select(m => m.Groups["path"].Value).Distinct().ToList();
        Assert.Contains("docs/swagger-ui.css", references);
        Assert.Contains("docs/swagger-ui-bundle.js", references);
        Assert.Contains("docs/swagger-ui-standalone-preset.js", references);

        foreach (var reference in references)
        {
            var url = new Uri(new Uri(_app.BaseAddress, "/api/docs"), reference);
            using var response = await _app.Http.GetAsync(url);
            Assert.True(response.IsSuccessStatusCode, $"{reference}: {(int)response.StatusCode}");
            var contentType = response.Content.Headers.ContentType?.MediaType;
            var expected = Path.GetExtension(reference) switch
            {
                ".css" => "text/css",
                ".js" => "text/javascript",
                ".png" => "image/png",
                var other => throw new Xunit.Sdk.XunitException($"the page references an unexpected kind of file: {reference} ({other})"),
            };
            Assert.Equal(expected, contentType);
            var body = await response.Content.ReadAsByteArrayAsync();
            Assert.NotEmpty(body);
            Assert.Equal(body.Length, response.Content.Headers.ContentLength);
        }

        // Served unpacked: the package stores these files gzip-compressed.
        var bundle = await _app.Http.GetStringAsync("/api/docs/swagger-ui-bundle.js");
        Assert.Contains("SwaggerUIBundle", bundle);
        var css = await _app.Http.GetStringAsync("/api/docs/swagger-ui.css");
        Assert.StartsWith(".swagger-ui", css);
    }

    [Theory]
    [InlineData("nope.js")]
    [InlineData("index.html")]
    [InlineData("swagger-initializer.js")]
    [InlineData("oauth2-redirect.html")]
    [InlineData("SWAGGER-UI.CSS")]
    [InlineData("..%2Fopenapi.json")]
    [InlineData("%2E%2E%2F%2E%2E%2Fhost.json")]
    public async Task Any_other_file_name_is_a_404_problem(string file)
    {
        (await _app.GetAsync($"/api/docs/{file}", token: null)).ExpectProblem(404, "not-found");
    }

    [Fact]
    public async Task The_page_with_a_trailing_slash_sends_the_browser_to_the_page()
    {
        using var response = await _app.Http.GetAsync("/api/docs/");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("/api/docs", response.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("docs/swagger-ui-bundle.js", Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync()));
    }

    [GeneratedRegex(@"(?:href|src)=""(?<path>docs/[^""]+)""")]
    private static partial Regex AssetReference();
}
