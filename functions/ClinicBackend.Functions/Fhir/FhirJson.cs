using System.Text.Encodings.Web;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace ClinicBackend.Functions.Fhir;

/// <summary>
/// FHIR JSON through Firely's SDK: resources are written by its serializer (plain UTF-8, like the rest of the API) and read
/// by its deserializer in strict mode (unknown elements, keys given twice and codes outside their value sets are refused).
/// </summary>
public static class FhirJson
{
    public const string MediaType = "application/fhir+json";

    private static readonly FhirJsonSerializer Serializer = new();
    private static readonly FhirJsonDeserializer Deserializer = new(new DeserializerSettings().UsingMode(DeserializationMode.Strict, null));

    public static byte[] Serialize(Resource resource, bool pretty = false)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = pretty }))
        {
            Serializer.Serialize(resource, writer, null!);
        }
        return buffer.ToArray();
    }

    /// <summary>The resource in <paramref name="json"/>, or the reasons it is not one (each with where it was found).</summary>
    public static (Resource? Resource, IReadOnlyList<string> Errors) Deserialize(byte[] json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 32 });
            var resource = Deserializer.DeserializeResource(ref reader);
            return reader.Read() ? (null, ["The body holds more than one JSON value; send one resource."]) : (resource, []);
        }
        catch (DeserializationFailedException e)
        {
            return (null, e.Exceptions.Select(x => x.Message).Distinct().Take(10).ToList());
        }
        catch (JsonException e)
        {
            return (null, [$"The body is not valid JSON ({e.Message})."]);
        }
        catch (InvalidOperationException e)
        {
            // The reader's own refusals: text that is not UTF-8, an unpaired surrogate, a value where an object belongs.
            return (null, [$"The body is not a FHIR resource in valid JSON text ({e.Message})."]);
        }
    }
}
