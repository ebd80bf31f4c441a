using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace ClinicBackend.Functions.Triggers;

/// <summary>Marks an HTTP function that runs without a bearer token (health, OpenAPI, docs).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PublicEndpointAttribute : Attribute;

/// <summary>Marks a Twilio webhook: authenticated by X-Twilio-Signature instead of a bearer token.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class TwilioWebhookAttribute : Attribute;

/// <summary>How the pipeline lets a request in.</summary>
public enum EndpointAccess
{
    /// <summary>A valid bearer token (Entra ID, or the Development key).</summary>
    Bearer,
    Public,
    /// <summary>A valid Twilio signature over the public URL and every form field.</summary>
    TwilioWebhook,
}

/// <summary>One <c>[Function]</c> method of this app, as found by reflection.</summary>
public sealed record FunctionEntry(
    string Name,
    MethodInfo Method,
    HttpTriggerAttribute? Http,
    TimerTriggerAttribute? Timer,
    EndpointAccess Access)
{
    /// <summary>The route below the prefix, as the Functions host would use it (the function name when none is set).</summary>
    public string? Route => Http is null ? null : Http.Route ?? Name;

    /// <summary>Upper-case HTTP methods; empty means every method.</summary>
    public IReadOnlyList<string> HttpMethods => Http?.Methods?.Select(m => m.ToUpperInvariant()).ToArray() ?? [];
}

/// <summary>Every function of the app, discovered once from the <c>[Function]</c> attributes: no route or schedule is written twice.</summary>
public static class FunctionCatalog
{
    private static readonly Lazy<IReadOnlyList<FunctionEntry>> Entries = new(Discover);
    private static readonly Lazy<Dictionary<string, FunctionEntry>> ByName = new(() => Entries.Value.ToDictionary(e => e.Name, StringComparer.OrdinalIgnoreCase));

    public static IReadOnlyList<FunctionEntry> All => Entries.Value;

    public static FunctionEntry? Find(string name) => ByName.Value.GetValueOrDefault(name);

    private static IReadOnlyList<FunctionEntry> Discover() =>
        typeof(FunctionCatalog).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
            .Select(m => (Method: m, Function: m.GetCustomAttribute<FunctionAttribute>()))
            .Where(x => x.Function is not null)
            .Select(x => new FunctionEntry(
                x.Function!.Name,
                x.Method,
                x.Method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null),
                x.Method.GetParameters().Select(p => p.GetCustomAttribute<TimerTriggerAttribute>()).FirstOrDefault(a => a is not null),
                x.Method.GetCustomAttribute<TwilioWebhookAttribute>() is not null ? EndpointAccess.TwilioWebhook
                    : x.Method.GetCustomAttribute<PublicEndpointAttribute>() is not null ? EndpointAccess.Public
                    : EndpointAccess.Bearer))
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .ToList();
}
