using System.Text.Json.Nodes;

namespace ClinicBackend.Integration.Tests.Corpus;

/// <summary>One parameter of an operation: where it goes, its name and schema, and whether it is required.</summary>
public sealed record ApiParameter(string In, string Name, JsonObject Schema, bool Required);

/// <summary>One operation of the served OpenAPI document, with its references resolved.</summary>
public sealed record ApiOperation(string Method, string Path, IReadOnlyList<ApiParameter> Parameters, string? BodyMediaType, JsonObject? BodySchema, bool Bearer)
{
    public override string ToString() => $"{Method} {Path}";

    public IEnumerable<ApiParameter> In(string location) => Parameters.Where(p => p.In == location);
}

/// <summary>Reads the operations of an OpenAPI 3 document; <c>$ref</c>s to components are inlined as they are met.</summary>
public sealed class OpenApiContract(JsonObject document)
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options"];

    /// <summary>The path the operations' paths are relative to (the first server's URL).</summary>
    public string ServerPath => document["servers"]?[0]?["url"]?.ToString().TrimEnd('/') ?? "";

    public IReadOnlyList<ApiOperation> Operations()
    {
        var operations = new List<ApiOperation>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            var shared = item!["parameters"]?.AsArray() ?? [];
            foreach (var (method, node) in item.AsObject().Where(p => Methods.Contains(p.Key)))
            {
                var op = node!.AsObject();
                var parameters = shared.Concat(op["parameters"]?.AsArray() ?? []).Select(p => Resolve(p!))
                    .Select(p => new ApiParameter(p["in"]!.ToString(), p["name"]!.ToString(), Resolve(p["schema"] ?? new JsonObject()), p["required"]?.GetValue<bool>() == true))
                    .ToList();
                var content = op["requestBody"] is { } body ? Resolve(body)["content"]?.AsObject() : null;
                var media = content?.FirstOrDefault();
                var security = op["security"]?.AsArray() ?? document["security"]?.AsArray() ?? [];
                operations.Add(new ApiOperation(method.ToUpperInvariant(), path, parameters, media?.Key,
                    media?.Value?["schema"] is { } schema ? Resolve(schema) : null,
                    security.Any(s => s!.AsObject().ContainsKey("bearer"))));
            }
        }
        return operations;
    }

    /// <summary>The node, or the component it refers to (followed until it is no reference).</summary>
    public JsonObject Resolve(JsonNode node)
    {
        var current = node.AsObject();
        while (current["$ref"]?.ToString() is { } reference)
        {
            var target = (JsonNode)document;
            foreach (var part in reference.TrimStart('#', '/').Split('/'))
            {
                target = target[part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)]
                    ?? throw new InvalidOperationException($"{reference} does not resolve.");
            }
            current = target.AsObject();
        }
        return current;
    }
}
