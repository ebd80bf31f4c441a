using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ClinicBackend.Infra.Tests.Support;

/// <summary>
/// One template of the compiled ARM JSON: the root, or the template of a nested
/// Microsoft.Resources/deployments resource (what a Bicep module compiles to). It resolves the simple
/// expressions that carry values between templates (parameters('x'), variables('x'), literals), which is
/// enough to follow a value from main.bicep into a module. Anything else stays expression text.
/// </summary>
public sealed partial class ArmTemplate
{
    private ArmTemplate(JsonObject template, ArmTemplate? parent, JsonObject? deployment)
    {
        Template = template;
        Parent = parent;
        Deployment = deployment;
    }

    public JsonObject Template { get; }

    /// <summary>The template holding the deployment resource; null for the root.</summary>
    public ArmTemplate? Parent { get; }

    /// <summary>The Microsoft.Resources/deployments resource in the parent; null for the root.</summary>
    public JsonObject? Deployment { get; }

    public string DeploymentName => Deployment?["name"]?.GetValue<string>() ?? "(root)";

    public JsonObject Parameters => Template["parameters"] as JsonObject ?? [];

    public JsonObject Variables => Template["variables"] as JsonObject ?? [];

    public JsonObject Outputs => Template["outputs"] as JsonObject ?? [];

    public static ArmTemplate Root(JsonObject template) => new(template, null, null);

    /// <summary>Every resource of this template and of every nested template, depth first.</summary>
    public IEnumerable<ArmResource> AllResources()
    {
        foreach (var node in ResourceNodes(Template))
        {
            yield return new ArmResource(node, this);
            if (node["type"]?.GetValue<string>() == "Microsoft.Resources/deployments"
                && node["properties"]?["template"] is JsonObject nested)
            {
                foreach (var inner in new ArmTemplate(nested, this, node).AllResources())
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>Every template: this one and the nested ones.</summary>
    public IEnumerable<ArmTemplate> AllTemplates()
    {
        yield return this;
        foreach (var node in ResourceNodes(Template))
        {
            if (node["type"]?.GetValue<string>() == "Microsoft.Resources/deployments"
                && node["properties"]?["template"] is JsonObject nested)
            {
                foreach (var inner in new ArmTemplate(nested, this, node).AllTemplates())
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>
    /// Resolves parameters('x') (the value the parent passes, else the default), variables('x') (with
    /// property access: variables('x').y) and literals; returns other expressions unchanged (as their text).
    /// </summary>
    public JsonNode? Resolve(JsonNode? value) => Resolve(value, stopAtRootParameters: false);

    /// <summary>
    /// Like Resolve, but leaves main.bicep's own parameters as parameters('x'): shows which parameter of
    /// the deployment a module's value comes from.
    /// </summary>
    public JsonNode? ResolveToRootParameter(JsonNode? value) => Resolve(value, stopAtRootParameters: true);

    private JsonNode? Resolve(JsonNode? value, bool stopAtRootParameters)
    {
        for (var depth = 0; depth < 32; depth++)
        {
            if (value is not JsonValue v || !v.TryGetValue<string>(out var text))
            {
                return value;
            }
            var parameter = ParameterExpression().Match(text);
            if (parameter.Success)
            {
                return Parent is null && stopAtRootParameters
                    ? value
                    : ResolveParameter(parameter.Groups[1].Value, stopAtRootParameters);
            }
            var variable = VariableExpression().Match(text);
            if (!variable.Success)
            {
                return value;
            }
            value = Variables[variable.Groups[1].Value];
            foreach (var property in variable.Groups[2].Value.Split('.', StringSplitOptions.RemoveEmptyEntries))
            {
                value = value?[property];
            }
        }
        throw new InvalidOperationException("Expression resolution did not converge.");
    }

    /// <summary>
    /// Resolves one argument of an expression: parameters('x'), variables('x') or 'literal'; what cannot be
    /// resolved to a literal comes back as expression text ("[...]").
    /// </summary>
    public string? ResolveArgument(string argument)
    {
        argument = argument.Trim();
        if (argument.Length >= 2 && argument[0] == '\'' && argument[^1] == '\'')
        {
            return argument[1..^1].Replace("''", "'", StringComparison.Ordinal);
        }
        var resolved = Resolve(JsonValue.Create($"[{argument}]"));
        return resolved is JsonValue v && v.TryGetValue<string>(out var s) ? s : resolved?.ToJsonString();
    }

    public JsonNode? ResolveParameter(string name) => ResolveParameter(name, stopAtRootParameters: false);

    private JsonNode? ResolveParameter(string name, bool stopAtRootParameters)
    {
        if (Deployment?["properties"]?["parameters"]?[name] is JsonObject passed)
        {
            // Module parameters are evaluated in the parent's scope (expressionEvaluationOptions: inner).
            return Parent!.Resolve(passed["value"]?.DeepClone(), stopAtRootParameters);
        }
        var declared = Parameters[name] as JsonObject;
        return declared?["defaultValue"] is { } defaultValue ? Resolve(defaultValue.DeepClone(), stopAtRootParameters) : null;
    }

    /// <summary>"[format('{0}', x)]" (how Bicep writes an interpolated key) is the same value as "[x]".</summary>
    public static string Unwrap(string expression)
    {
        var call = ParseCall(expression);
        return call is ("format", { Count: 2 } args) && args[0] == "'{0}'" ? $"[{args[1]}]" : expression;
    }

    /// <summary>The text inside "[...]" of an ARM expression, or the quoted literal.</summary>
    public static string ExpressionBody(string value) =>
        value.StartsWith('[') && value.EndsWith(']') ? value[1..^1] : $"'{value}'";

    /// <summary>Splits "a, f(b, c), 'd, e'" into its top-level arguments.</summary>
    public static IReadOnlyList<string> SplitArguments(string arguments)
    {
        var parts = new List<string>();
        int depth = 0, start = 0;
        var quoted = false;
        for (var i = 0; i < arguments.Length; i++)
        {
            var c = arguments[i];
            if (c == '\'')
            {
                quoted = !quoted;
            }
            else if (!quoted && c is '(' or '[')
            {
                depth++;
            }
            else if (!quoted && c is ')' or ']')
            {
                depth--;
            }
            else if (!quoted && depth == 0 && c == ',')
            {
                parts.Add(arguments[start..i].Trim());
                start = i + 1;
            }
        }
        parts.Add(arguments[start..].Trim());
        return parts;
    }

    /// <summary>Parses "[fn(args)]" into the function name and its top-level arguments.</summary>
    public static (string Function, IReadOnlyList<string> Arguments)? ParseCall(string? value)
    {
        if (value is null)
        {
            return null;
        }
        var match = CallExpression().Match(value);
        return match.Success ? (match.Groups[1].Value, SplitArguments(match.Groups[2].Value)) : null;
    }

    private static IEnumerable<JsonObject> ResourceNodes(JsonObject template) =>
        template["resources"] switch
        {
            JsonArray array => array.OfType<JsonObject>(),
            // languageVersion 2.0 keys resources by symbolic name.
            JsonObject map => map.Select(p => p.Value).OfType<JsonObject>(),
            _ => [],
        };

    [GeneratedRegex(@"^\[parameters\('([^']+)'\)\]$")]
    private static partial Regex ParameterExpression();

    [GeneratedRegex(@"^\[variables\('([^']+)'\)((?:\.\w+)*)\]$")]
    private static partial Regex VariableExpression();

    [GeneratedRegex(@"^\[(\w+)\((.*)\)\]$", RegexOptions.Singleline)]
    private static partial Regex CallExpression();
}

/// <summary>A resource of the compiled template, with the template it sits in.</summary>
public sealed record ArmResource(JsonObject Node, ArmTemplate Template)
{
    public string Type => Node["type"]!.GetValue<string>();

    public string Name => Node["name"]!.GetValue<string>();

    public string? Scope => Node["scope"]?.GetValue<string>();

    public JsonObject Properties => Node["properties"] as JsonObject ?? [];

    /// <summary>The resource's own name (last segment), resolved through parameters and variables.</summary>
    public string? LeafName
    {
        get
        {
            if (!Name.StartsWith('['))
            {
                return Name.Split('/')[^1];
            }
            var call = ArmTemplate.ParseCall(Name);
            return call switch
            {
                ({ } fn, var args) when fn == "format" => Template.ResolveArgument(args[^1]),
                ({ } fn, _) when fn is "parameters" or "variables" => Template.ResolveArgument(ArmTemplate.ExpressionBody(Name)),
                _ => null,
            };
        }
    }

    /// <summary>A value of the resource resolved through parameters and variables (see ArmTemplate.Resolve).</summary>
    public JsonNode? Resolve(JsonNode? value) => Template.Resolve(value?.DeepClone());

    /// <summary>For a scope or id written resourceId('Type', a, b): the type and the resolved last name segment.</summary>
    public (string Type, string? Name)? ResourceIdTarget(string? expression)
    {
        var call = ArmTemplate.ParseCall(expression);
        if (call is not ("resourceId", var args) || args.Count < 2)
        {
            return null;
        }
        return (args[0].Trim('\''), Template.ResolveArgument(args[^1]));
    }

    public override string ToString() => $"{Type} {Name} in {Template.DeploymentName}";
}
