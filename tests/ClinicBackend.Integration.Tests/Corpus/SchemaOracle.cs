using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ClinicBackend.Domain.Time;

namespace ClinicBackend.Integration.Tests.Corpus;

/// <summary>
/// Whether a value keeps its schema: the corpus's notion of "could be valid". A value that keeps it may be accepted (or
/// refused by a rule the schema does not state); one that breaks it must be refused. Beyond JSON Schema, as the API reads
/// its input: integers are 32-bit, text is well-formed Unicode, keys appear once, a date (or a date-time's date) lies in the
/// API's calendar (ClinicTime, 1900-2199), and null or an empty query value for an optional field means the field is absent.
/// </summary>
public sealed partial class SchemaOracle(OpenApiContract contract)
{
    [GeneratedRegex(@"^(\d{4})-(\d{2})-(\d{2})")]
    private static partial Regex LeadingDate();

    /// <summary>A JSON body: well-formed UTF-8 JSON, no duplicate keys, and the schema kept.</summary>
    public bool BodyConforms(byte[] body, JsonObject schema)
    {
        try
        {
            var root = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
            return root is not null && Conforms(root, schema);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            // not JSON, or escapes that spell no Unicode text (a lone surrogate)
            return false;
        }
    }

    /// <summary>A text value (query or header parameter) against its schema.</summary>
    public bool TextConforms(string value, JsonObject schema) => Type(schema) switch
    {
        "integer" => Regex.IsMatch(value, @"^-?\d{1,10}$") && int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
                     && Conforms(JsonValue.Create(n), schema),
        "boolean" => value is "true" or "false",
        _ => Conforms(JsonValue.Create(value), schema),
    };

    public bool Conforms(JsonNode? value, JsonObject schema)
    {
        schema = contract.Resolve(schema);
        if (value is null)
        {
            return schema["nullable"]?.GetValue<bool>() == true;
        }
        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
        {
            return false;
        }
        return Type(schema) switch
        {
            "string" => value.GetValueKind() == JsonValueKind.String && TryGetString(value, out var text) && StringConforms(text, schema),
            "integer" => value.GetValueKind() == JsonValueKind.Number && value.AsValue().TryGetValue<int>(out var i) && NumberConforms(i, schema),
            "number" => value.GetValueKind() == JsonValueKind.Number && value.AsValue().TryGetValue<double>(out var d) && double.IsFinite(d) && NumberConforms(d, schema),
            "boolean" => value.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
            "array" => value is JsonArray array && ArrayConforms(array, schema),
            "object" => value is JsonObject obj && ObjectConforms(obj, schema),
            _ => true,
        };
    }

    private static string? Type(JsonObject schema) => schema["type"]?.ToString() ?? (schema["properties"] is not null ? "object" : null);

    /// <summary>The string, unless its escapes spell text that is not Unicode (a lone surrogate).</summary>
    private static bool TryGetString(JsonNode value, out string text)
    {
        try
        {
            text = value.GetValue<string>();
            return true;
        }
        catch (InvalidOperationException)
        {
            text = "";
            return false;
        }
    }

    private static bool StringConforms(string text, JsonObject schema)
    {
        if (!IsWellFormedUnicode(text))
        {
            return false;
        }
        if (schema["minLength"] is { } min && text.Length < min.GetValue<int>() || schema["maxLength"] is { } max && text.Length > max.GetValue<int>())
        {
            return false;
        }
        if (schema["pattern"] is { } pattern && !Regex.IsMatch(text, pattern.ToString()))
        {
            return false;
        }
        if (schema["format"]?.ToString() == "date" && !DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            return false;
        }
        // A date, or a date-time, outside the calendar the API computes with (in a field that holds dates: free text may start
        // with anything).
        if (!HoldsDates(schema))
        {
            return true;
        }
        var date = LeadingDate().Match(text);
        return !date.Success || !DateOnly.TryParseExact(date.Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            || ClinicTime.IsWithinCalendar(new NodaTime.LocalDate(day.Year, day.Month, day.Day));
    }

    /// <summary>A string that holds a date or a date-time (by format, by pattern, or named for a point in time).</summary>
    public static bool HoldsDates(JsonObject schema) =>
        schema["format"]?.ToString() is "date" or "date-time"
        || schema["pattern"]?.ToString().Contains(@"\d{4}-", StringComparison.Ordinal) == true
        || schema["description"]?.ToString().Contains("ISO 8601", StringComparison.Ordinal) == true;

    private static bool NumberConforms(double value, JsonObject schema) =>
        !(schema["minimum"] is { } min && value < min.GetValue<double>())
        && !(schema["maximum"] is { } max && value > max.GetValue<double>())
        && !(schema["multipleOf"] is { } step && value % step.GetValue<double>() != 0);

    private bool ArrayConforms(JsonArray array, JsonObject schema) =>
        !(schema["minItems"] is { } min && array.Count < min.GetValue<int>())
        && !(schema["maxItems"] is { } max && array.Count > max.GetValue<int>())
        && (schema["items"] is not JsonObject items || array.All(item => Conforms(item, items)));

    private bool ObjectConforms(JsonObject obj, JsonObject schema)
    {
        var properties = schema["properties"]?.AsObject();
        if (schema["required"] is JsonArray required && required.Any(r => !obj.ContainsKey(r!.ToString())))
        {
            return false;
        }
        foreach (var (name, value) in obj)
        {
            if (properties?[name] is JsonObject property)
            {
                // The API reads null for an optional field as its absence (a PATCH keeps the value).
                var absent = value is null && !(schema["required"] is JsonArray req && req.Any(r => r!.ToString() == name));
                if (!absent && !Conforms(value, property))
                {
                    return false;
                }
            }
            else if (schema["additionalProperties"] is JsonValue extra && extra.GetValue<bool>() == false)
            {
                return false;
            }
            else if (schema["additionalProperties"] is JsonObject extraSchema && !Conforms(value, extraSchema))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsWellFormedUnicode(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }
        return true;
    }
}
