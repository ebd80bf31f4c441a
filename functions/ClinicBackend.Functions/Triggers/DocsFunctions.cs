using System.Collections.Frozen;
using System.IO.Compression;
using ClinicBackend.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Swashbuckle.AspNetCore.SwaggerUI;

namespace ClinicBackend.Functions.Triggers;

/// <summary>
/// Interactive API docs. <c>GET docs</c> is a small page that runs Swagger UI over the served openapi.json;
/// <c>GET docs/{file}</c> serves the few Swagger UI files that page loads, from the swagger-ui-dist copy that the
/// Swashbuckle.AspNetCore.SwaggerUI assembly embeds. Both are anonymous: the page needs no token, the calls it
/// makes do (Swagger UI's Authorize button takes one).
/// </summary>
public sealed class DocsFunctions
{
    /// <summary>Where swagger-ui-dist's files sit among the Swashbuckle assembly's manifest resources.</summary>
    private const string ResourcePrefix = "Swashbuckle.AspNetCore.SwaggerUI.node_modules.swagger_ui_dist.";

    private const string AssetCacheControl = "public, max-age=86400";

    /// <summary>The only files served under docs/, with their content types.</summary>
    public static readonly FrozenDictionary<string, string> Assets = new Dictionary<string, string>
    {
        ["swagger-ui.css"] = "text/css; charset=utf-8",
        ["swagger-ui-bundle.js"] = "text/javascript; charset=utf-8",
        ["swagger-ui-standalone-preset.js"] = "text/javascript; charset=utf-8",
        ["favicon-32x32.png"] = "image/png",
        ["favicon-16x16.png"] = "image/png",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, Lazy<byte[]>> Contents =
        Assets.Keys.ToFrozenDictionary(name => name, name => new Lazy<byte[]>(() => Load(name)), StringComparer.Ordinal);

    // Every URL is relative to the page (<prefix>/docs), so it works under any host name and route prefix.
    // validatorUrl: null keeps Swagger UI from sending the document's URL to its public online validator.
    private const string Page = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>Clinic backend API</title>
          <link rel="stylesheet" href="docs/swagger-ui.css">
          <link rel="icon" type="image/png" sizes="32x32" href="docs/favicon-32x32.png">
          <link rel="icon" type="image/png" sizes="16x16" href="docs/favicon-16x16.png">
          <style>body { margin: 0; background: #fafafa; }</style>
        </head>
        <body>
          <noscript>These docs need JavaScript. The document itself is <a href="openapi.json">openapi.json</a>.</noscript>
          <div id="api-docs"></div>
          <script src="docs/swagger-ui-bundle.js"></script>
          <script src="docs/swagger-ui-standalone-preset.js"></script>
          <script>
            window.ui = SwaggerUIBundle({
              url: new URL("openapi.json", document.baseURI).href,
              dom_id: "#api-docs",
              presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
              layout: "StandaloneLayout",
              deepLinking: true,
              validatorUrl: null,
            });
          </script>
        </body>
        </html>
        """;

    [Function("Docs")]
    [PublicEndpoint]
    public IActionResult Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "docs")] HttpRequest request)
    {
        // At docs/ the page's relative URLs would point one level too deep.
        if (request.Path.Value?.EndsWith('/') == true)
        {
            return ApiResult.Redirect("../docs");
        }
        var page = ApiResult.Text(StatusCodes.Status200OK, Page, "text/html; charset=utf-8");
        page.Headers["Cache-Control"] = "no-cache";
        return page;
    }

    [Function("DocsAsset")]
    [PublicEndpoint]
    public IActionResult GetAsset([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "docs/{file}")] HttpRequest request, string file)
    {
        if (file is null || !Assets.TryGetValue(file, out var contentType))
        {
            return ApiResult.Problem(StatusCodes.Status404NotFound, "not-found", "Not found.",
                $"There is no such docs file. The page is GET docs; the files it loads are {string.Join(", ", Assets.Keys)}.");
        }
        var asset = ApiResult.Bytes(StatusCodes.Status200OK, Contents[file].Value, contentType);
        asset.Headers["Cache-Control"] = AssetCacheControl;
        asset.Headers["X-Content-Type-Options"] = "nosniff";
        return asset;
    }

    /// <summary>A swagger-ui-dist file from the Swashbuckle assembly, unpacked when it is stored gzip-compressed.</summary>
    private static byte[] Load(string name)
    {
        var assembly = typeof(SwaggerUIOptions).Assembly;
        using var stream = assembly.GetManifestResourceStream(ResourcePrefix + name)
            ?? throw new InvalidOperationException($"{assembly.GetName().Name} has no resource {ResourcePrefix + name}.");
        using var raw = new MemoryStream();
        stream.CopyTo(raw);
        if (raw.Length < 2 || raw.GetBuffer()[0] != 0x1F || raw.GetBuffer()[1] != 0x8B)
        {
            return raw.ToArray();
        }
        raw.Position = 0;
        using var gzip = new GZipStream(raw, CompressionMode.Decompress);
        using var unpacked = new MemoryStream();
        gzip.CopyTo(unpacked);
        return unpacked.ToArray();
    }
}
