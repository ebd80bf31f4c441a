using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;

namespace ClinicBackend.Infrastructure.Records;

/// <summary>
/// One table row as one line of an export: <c>{"partitionKey":…,"rowKey":…,"properties":{…}}</c>. Properties keep
/// their type the way the Table service's own JSON does: strings, booleans and 32-bit integers as JSON values, any
/// other type as a string or number with a <c>Name@odata.type</c> annotation. The row's ETag and Timestamp are
/// storage's, not the row's values, and are left out.
/// </summary>
internal static class RowLines
{
    private const string TypeSuffix = "@odata.type";
    private static readonly HashSet<string> NotValues = new(StringComparer.Ordinal) { "PartitionKey", "RowKey", "Timestamp", "odata.etag" };

    public static void Write(Utf8JsonWriter json, TableEntity entity)
    {
        json.WriteStartObject();
        json.WriteString("partitionKey", entity.PartitionKey);
        json.WriteString("rowKey", entity.RowKey);
        json.WriteStartObject("properties");
        foreach (var (name, value) in entity.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (NotValues.Contains(name) || value is null)
            {
                continue;
            }
            switch (value)
            {
                case string s:
                    json.WriteString(name, s);
                    break;
                case bool b:
                    json.WriteBoolean(name, b);
                    break;
                case int i:
                    json.WriteNumber(name, i);
                    break;
                case long l:
                    Typed(json, name, "Edm.Int64", l.ToString(CultureInfo.InvariantCulture));
                    break;
                case double d:
                    json.WriteNumber(name, d);
                    json.WriteString(name + TypeSuffix, "Edm.Double");
                    break;
                case DateTimeOffset at:
                    Typed(json, name, "Edm.DateTime", at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
                    break;
                case DateTime at:
                    Typed(json, name, "Edm.DateTime", at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
                    break;
                case Guid g:
                    Typed(json, name, "Edm.Guid", g.ToString("D"));
                    break;
                case byte[] bytes:
                    Typed(json, name, "Edm.Binary", Convert.ToBase64String(bytes));
                    break;
                case BinaryData data:
                    Typed(json, name, "Edm.Binary", Convert.ToBase64String(data.ToArray()));
                    break;
                default:
                    throw new InvalidDataException($"Row {entity.RowKey} has property {name} of a type an export does not hold ({value.GetType().Name}).");
            }
        }
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void Typed(Utf8JsonWriter json, string name, string type, string value)
    {
        json.WriteString(name, value);
        json.WriteString(name + TypeSuffix, type);
    }

    /// <summary>Reads a line back into the entity it was written from; throws <see cref="InvalidDataException"/> on anything else.</summary>
    public static TableEntity Read(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var entity = new TableEntity(root.GetProperty("partitionKey").GetString()!, root.GetProperty("rowKey").GetString()!);
            var properties = root.GetProperty("properties");
            foreach (var property in properties.EnumerateObject())
            {
                if (property.Name.EndsWith(TypeSuffix, StringComparison.Ordinal))
                {
                    continue;
                }
                var type = properties.TryGetProperty(property.Name + TypeSuffix, out var annotation) ? annotation.GetString() : null;
                entity[property.Name] = Value(property.Value, type);
            }
            return entity;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException("A line is not a row as an export writes it.", e);
        }
    }

    private static object Value(JsonElement value, string? type) => (type, value.ValueKind) switch
    {
        (null, JsonValueKind.String) => value.GetString()!,
        (null, JsonValueKind.True or JsonValueKind.False) => value.GetBoolean(),
        (null, JsonValueKind.Number) => value.GetInt32(),
        ("Edm.Int64", JsonValueKind.String) => long.Parse(value.GetString()!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
        ("Edm.Double", JsonValueKind.Number) => value.GetDouble(),
        ("Edm.DateTime", JsonValueKind.String) => DateTimeOffset.Parse(value.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
        ("Edm.Guid", JsonValueKind.String) => Guid.Parse(value.GetString()!),
        ("Edm.Binary", JsonValueKind.String) => Convert.FromBase64String(value.GetString()!),
        _ => throw new FormatException($"Unknown property type {type} ({value.ValueKind})."),
    };
}
