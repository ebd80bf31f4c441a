using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ClinicBackend.Integration.Tests.Corpus;

/// <summary>
/// Generates the corpus from the contract: for every operation, its path, query and header parameters and every field of
/// its body at their extremes, and its body as a whole malformed, oversized, chunked or of the wrong type; Twilio's
/// webhooks unsigned and signed. Each request changes one thing of an otherwise plausible request. (One file over 300
/// lines: every way the corpus varies a request, side by side.)
/// </summary>
public sealed class CorpusBuilder(OpenApiContract contract, SchemaOracle oracle, CorpusFixture fixture, Uri server)
{
    /// <summary>Long strings in bodies and forms.</summary>
    public const int LongText = 10_000;

    /// <summary>Long values in paths and queries: the request line stays within Kestrel's 8 KiB (longer lines are the host's 414).</summary>
    public const int LongUrlPart = 4_000;

    /// <summary>Stands for the changed value while the rest of the body is serialised.</summary>
    private const string Mutant = "__corpus_mutant__";

    /// <summary>Tried in turn for a string with a pattern (after the fixture's start time).</summary>
    private static readonly string[] Samples = ["09:00", "128/82", "corpus"];
    private readonly string _api = contract.ServerPath;

    public IEnumerable<Probe> For(ApiOperation op)
    {
        var probes = new List<Probe>();
        var twilio = op.In("header").Any(p => p.Name == "X-Twilio-Signature");
        if (twilio)
        {
            probes.AddRange(Webhook(op));
        }
        else
        {
            // The plausible request itself, with the fixture's real ids.
            var query = Query(BaseQuery(op));
            probes.Add(Probe(op, "as documented", () => PathOf(op) + query, BaseBody(op), [], mayBeValid: true));
            probes.AddRange(PathVariants(op));
            probes.AddRange(QueryVariants(op));
            probes.AddRange(HeaderVariants(op));
            if (op.BodySchema is not null)
            {
                probes.AddRange(BodyVariants(op));
            }
        }
        return probes;
    }

    // ---------------------------------------------------------------- the plausible request each variant changes

    private string PathOf(ApiOperation op, string? param = null, string? encoded = null) =>
        _api + Regex.Replace(op.Path, @"\{([^}]+)\}", m => m.Groups[1].Value == param ? encoded! : Uri.EscapeDataString(BaseValue(op, m.Groups[1].Value)));

    private string BaseValue(ApiOperation op, string name) =>
        fixture.ValidValue(name) ?? Sample(op.Parameters.First(p => p.Name == name).Schema, name)?.ToString() ?? "corpus";

    private List<(string Name, string Encoded)> BaseQuery(ApiOperation op) =>
        op.In("query").Where(p => p.Required).Select(p => (p.Name, Uri.EscapeDataString(SampleText(p.Schema, p.Name)))).ToList();

    private string SampleText(JsonObject schema, string name) => Sample(schema, name) is JsonValue v ? v.ToString() : "corpus";

    private string? Token(ApiOperation op) =>
        !op.Bearer ? null : op.Path.Contains("{clinicId}", StringComparison.Ordinal) ? fixture.Clinic.Admin : fixture.Clinic.PlatformAdmin;

    /// <summary>A value that keeps <paramref name="schema"/> (required properties only), preferring the fixture's real ids.</summary>
    public JsonNode? Sample(JsonObject schema, string name)
    {
        schema = contract.Resolve(schema);
        if (fixture.ValidValue(name) is { } real)
        {
            return JsonValue.Create(real);
        }
        if (schema["enum"] is JsonArray values)
        {
            return values[0]?.DeepClone();
        }
        switch (schema["type"]?.ToString())
        {
            case "integer":
            case "number":
                var step = (int)(schema["multipleOf"]?.GetValue<double>() ?? 1);
                var min = (int)(schema["minimum"]?.GetValue<double>() ?? schema["maximum"]?.GetValue<double>() ?? 1);
                return JsonValue.Create((min + step - 1) / step * step);
            case "boolean":
                return JsonValue.Create(true);
            case "array":
                var items = schema["items"] as JsonObject ?? new JsonObject();
                return new JsonArray(Enumerable.Range(0, schema["minItems"]?.GetValue<int>() ?? 1).Select(_ => Sample(items, name)).ToArray());
            case "object":
                var obj = new JsonObject();
                foreach (var required in schema["required"]?.AsArray() ?? [])
                {
                    var property = required!.ToString();
                    obj[property] = Sample(schema["properties"]![property]!.AsObject(), property);
                }
                return obj;
            default:
                if (schema["format"]?.ToString() == "date")
                {
                    return JsonValue.Create(fixture.SampleDate);
                }
                var pattern = schema["pattern"]?.ToString();
                if (pattern is null && HoldsDates(schema))
                {
                    return JsonValue.Create(fixture.SampleStart);
                }
                var candidates = new[] { fixture.SampleStart }.Concat(Samples);
                return JsonValue.Create(pattern is null ? "corpus" : candidates.FirstOrDefault(c => Regex.IsMatch(c, pattern)) ?? "corpus");
        }
    }

    private Probe Probe(ApiOperation op, string variant, Func<string> pathAndQuery, Func<HttpContent?>? content, IReadOnlyList<(string Name, string Value)> headers,
        bool mayBeValid = false, bool hostMayAnswer = false, bool oversized = false)
    {
        var token = Token(op);
        var method = new HttpMethod(op.Method);
        return new Probe(op.ToString(), variant, () =>
        {
            // Sent as written: no dot-segment removal or re-escaping on the way out.
            var uri = new Uri(server.GetLeftPart(UriPartial.Authority) + pathAndQuery(), new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
            var request = new HttpRequestMessage(method, uri);
            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }
            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
            request.Content = content?.Invoke();
            // An upload the server refuses part-way leaves the connection unusable: do not pool it.
            request.Headers.ConnectionClose = oversized ? true : null;
            return request;
        }, mayBeValid, op.Method != "GET", hostMayAnswer, MayBeCutOff: oversized);
    }

    private static string Query(IEnumerable<(string Name, string Encoded)> query) =>
        query.Any() ? "?" + string.Join('&', query.Select(q => $"{Uri.EscapeDataString(q.Name)}={q.Encoded}")) : "";

    // ---------------------------------------------------------------- path, query and header parameters

    /// <summary>Odd path values, percent-encoded as sent; none of them names a resource.</summary>
    private static readonly (string Label, string Encoded)[] OddPathValues =
    [
        ("4,000 characters", new string('a', LongUrlPart)), ("url-encoded slash", "a%2Fb"), ("url-encoded slashes and dots", "%2F..%2F..%2Fetc"),
        ("backslash", "a%5Cb"), ("bell", "a%07b"), ("line feed", "a%0Ab"), ("DEL", "%7F"), ("invalid UTF-8", "%FF%FE"),
        ("overlong UTF-8", "%C0%AF"), ("space", "a%20b"), ("right-to-left override", "a%E2%80%AEb"), ("query and fragment characters", "a%3Fb%23c"),
        ("asterisk", "*"), ("quote", "a%27b%22"),
    ];

    /// <summary>Well-formed ids of nothing: a route that takes any id (a member's) may accept them.</summary>
    private static readonly (string Label, string Encoded)[] UnknownIds = [("unknown id in upper case", "ABCDEFGH"), ("unknown 6-character id", "aaaaaa")];

    private IEnumerable<Probe> PathVariants(ApiOperation op)
    {
        foreach (var param in op.In("path"))
        {
            var query = Query(BaseQuery(op));
            var body = BaseBody(op);
            var name = param.Name;
            foreach (var (label, encoded) in OddPathValues)
            {
                yield return Probe(op, $"path {name}: {label}", () => PathOf(op, name, encoded) + query, body, []);
            }
            foreach (var (label, encoded) in UnknownIds)
            {
                yield return Probe(op, $"path {name}: {label}", () => PathOf(op, name, encoded) + query, body, [], mayBeValid: true);
            }
            // Kestrel refuses a NUL in the path itself (so does any front end): an empty 400.
            yield return Probe(op, $"path {name}: NUL", () => PathOf(op, name, "%00") + query, body, [], hostMayAnswer: true);
            foreach (var dots in new[] { "..", "%2E%2E", "." })
            {
                yield return Probe(op, $"path {name}: dot segment {dots}", () => PathOf(op, name, dots) + query, body, [], mayBeValid: true, hostMayAnswer: true);
            }
            if (name == "clinicId")
            {
                yield return Probe(op, "path clinicId: another clinic's", () => PathOf(op, name, fixture.OtherClinicId) + query, body, []);
            }
            if (param.Schema["enum"] is JsonArray values)
            {
                foreach (var value in values.Select(v => v!.ToString()))
                {
                    yield return Probe(op, $"path {name}: {value}", () => PathOf(op, name, Uri.EscapeDataString(value)) + query, body, [], mayBeValid: true);
                }
            }
        }
    }

    /// <summary>Query and header values: (label, as sent, as the server decodes it; null when the bytes are no text).</summary>
    private static IEnumerable<(string Label, string Encoded, string? Decoded)> TextExtremes()
    {
        yield return ("empty", "", "");
        yield return ("4,000 characters", new string('x', LongUrlPart), new string('x', LongUrlPart));
        foreach (var (label, encoded) in new[] { ("NUL", "%00"), ("bell", "a%07b"), ("line feed", "a%0Ab"), ("DEL", "%7F"), ("escape", "%1B%5B31m") })
        {
            yield return ($"control: {label}", encoded, Uri.UnescapeDataString(encoded));
        }
        yield return ("invalid UTF-8", "%FF%FE", null);
        yield return ("overlong UTF-8", "%C0%AF", null);
        foreach (var date in new[] { "0001-01-01", "9999-12-31", "1899-12-31", "2200-01-01", "1900-01-01", "2199-12-31", "2026-02-30", "2026-12-01T09:00" })
        {
            yield return ($"date {date}", date, date);
        }
        foreach (var number in new[] { "0", "-1", "2147483647", "2147483648", "-2147483648", "1e308", "1.5", "99999999999999999999", "+1", " 1" })
        {
            yield return ($"number {number}", Uri.EscapeDataString(number), number);
        }
        yield return ("word", "abc", "abc");
        yield return ("encoded ampersand and equals", "x%26y%3Dz", "x&y=z");
    }

    private IEnumerable<Probe> QueryVariants(ApiOperation op)
    {
        var body = BaseBody(op);
        foreach (var param in op.In("query"))
        {
            var others = BaseQuery(op).Where(q => q.Name != param.Name).ToList();
            foreach (var (label, encoded, decoded) in TextExtremes())
            {
                var mayBeValid = decoded is not null && (decoded.Length == 0 && !param.Required || oracle.TextConforms(decoded, param.Schema))
                    && RequiredQueryPresent(op, others, param.Name);
                var sent = Query([.. others, (param.Name, encoded)]);
                yield return Probe(op, $"query {param.Name}: {label}", () => PathOf(op) + sent, body, [], mayBeValid: mayBeValid);
            }
            var sample = Uri.EscapeDataString(SampleText(param.Schema, param.Name));
            var twice = Query([.. others, (param.Name, sample), (param.Name, sample)]);
            yield return Probe(op, $"query {param.Name}: given twice", () => PathOf(op) + twice, body, []);
            if (param.Required)
            {
                var without = Query(others);
                yield return Probe(op, $"query {param.Name}: missing", () => PathOf(op) + without, body, []);
            }
        }
    }

    private static bool RequiredQueryPresent(ApiOperation op, List<(string Name, string Encoded)> others, string given) =>
        op.In("query").Where(p => p.Required).All(p => p.Name == given || others.Any(o => o.Name == p.Name));

    private IEnumerable<Probe> HeaderVariants(ApiOperation op)
    {
        var body = BaseBody(op);
        var query = Query(BaseQuery(op));
        string Path() => PathOf(op) + query;
        foreach (var param in op.In("header"))
        {
            var values = new (string Label, string Value)[]
            {
                ("empty", ""), ("zero", "\"0\""), ("negative", "-1"), ("int.MaxValue", "\"2147483647\""), ("past int", "2147483648"), ("1e308", "1e308"),
                ("4,000 characters", new string('9', LongUrlPart)), ("weak", "W/\"1\""), ("any", "*"), ("list", "\"1\", \"2\""), ("word", "yesterday"),
                ("bell", "\"1\u0007\""), ("DEL", "1\u007f"), ("non-ASCII", "\"1é\""),
            };
            foreach (var (label, value) in values)
            {
                yield return Probe(op, $"header {param.Name}: {label}", Path, body, [(param.Name, value)], mayBeValid: oracle.TextConforms(value, param.Schema));
            }
        }
    }

    // ---------------------------------------------------------------- JSON bodies

    private Func<HttpContent?>? BaseBody(ApiOperation op)
    {
        if (op.BodySchema is null)
        {
            return null;
        }
        var bytes = Encoding.UTF8.GetBytes(Sample(op.BodySchema, "body")!.ToJsonString());
        return () => Bytes(bytes, op.BodyMediaType!);
    }

    private static ByteArrayContent Bytes(byte[] bytes, string contentType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return content;
    }

    private IEnumerable<Probe> BodyVariants(ApiOperation op)
    {
        var query = Query(BaseQuery(op));
        string Path() => PathOf(op) + query;
        var schema = op.BodySchema!;
        var media = op.BodyMediaType!;
        var baseJson = Sample(schema, "body")!.ToJsonString();
        var baseBytes = Encoding.UTF8.GetBytes(baseJson);

        Probe Raw(string label, byte[] bytes, string? contentType = null, bool chunked = false, bool? valid = null) =>
            Probe(op, $"body: {label}", Path, () => chunked ? new ChunkedContent(bytes, contentType ?? media) : Bytes(bytes, contentType ?? media), [],
                mayBeValid: valid ?? (contentType is null && bytes.Length <= 64 * 1024 && oracle.BodyConforms(bytes, schema)), oversized: bytes.Length > 64 * 1024);

        var padded = Encoding.UTF8.GetBytes($"{{\"pad\":\"{new string('x', 70 * 1024)}\"}}");
        yield return Raw("empty", []);
        yield return Raw("null", "null"u8.ToArray());
        yield return Raw("array for object", "[]"u8.ToArray());
        yield return Raw("string for object", "\"x\""u8.ToArray());
        yield return Raw("number for object", "0"u8.ToArray());
        yield return Raw("truncated", Encoding.UTF8.GetBytes(baseJson[..^1]));
        yield return Raw("trailing garbage", Encoding.UTF8.GetBytes(baseJson + " trailing"));
        yield return Raw("two objects", Encoding.UTF8.GetBytes(baseJson + baseJson));
        yield return Raw("comment", Encoding.UTF8.GetBytes("/* c */" + baseJson));
        yield return Raw("invalid UTF-8 only", [0xFF, 0xFE, 0xFD]);
        yield return Raw("UTF-16", Encoding.Unicode.GetBytes(baseJson));
        yield return Raw("nested 100 deep", Encoding.UTF8.GetBytes(new string('[', 100) + new string(']', 100)));
        yield return Raw("unknown field", Encoding.UTF8.GetBytes(baseJson.Length > 2 ? baseJson[..^1] + ",\"zzUnknown\":1}" : "{\"zzUnknown\":1}"));
        yield return Raw("over 64 KiB", padded);
        yield return Raw("over 64 KiB, chunked", padded, chunked: true);
        yield return Raw("3 MiB of zeros, chunked", new byte[3 * 1024 * 1024], chunked: true);
        yield return Raw("chunked", baseBytes, chunked: true);
        foreach (var type in new[] { "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/octet-stream" })
        {
            yield return Raw($"content type {type}", baseBytes, type, valid: false);
        }
        yield return Probe(op, "body: no content type", Path, () => new ByteArrayContent(baseBytes), [], mayBeValid: oracle.BodyConforms(baseBytes, schema));

        foreach (var (fieldPath, fieldSchema) in Fields(schema, [], depth: 0))
        {
            var name = string.Join('.', fieldPath);
            var sample = Sample(fieldSchema, fieldPath[^1]);
            var template = Encoding.UTF8.GetBytes(WithField(schema, fieldPath, JsonValue.Create(Mutant)).ToJsonString());
            foreach (var (label, raw) in Extremes(fieldSchema))
            {
                var bytes = Splice(template, raw);
                yield return Probe(op, $"body {name}: {label}", Path, () => Bytes(bytes, media), [], mayBeValid: oracle.BodyConforms(bytes, schema));
            }
            if (!int.TryParse(fieldPath[^1], out _))
            {
                // The same key twice: which one counts is up to the parser, so it is refused.
                var value = Encoding.UTF8.GetBytes((sample ?? JsonValue.Create("x"))!.ToJsonString());
                var twice = Splice(template, [.. value, .. Encoding.UTF8.GetBytes($",\"{fieldPath[^1]}\":"), .. value]);
                yield return Probe(op, $"body {name}: key given twice", Path, () => Bytes(twice, media), []);
            }
        }
    }

    /// <summary>Every field of a body schema (into nested objects and the first item of arrays, three levels deep).</summary>
    private IEnumerable<(List<string> Path, JsonObject Schema)> Fields(JsonObject schema, List<string> prefix, int depth)
    {
        schema = contract.Resolve(schema);
        foreach (var (name, node) in schema["properties"]?.AsObject() ?? [])
        {
            var property = contract.Resolve(node!);
            var path = new List<string>(prefix) { name };
            yield return (path, property);
            if (depth >= 2)
            {
                continue;
            }
            if (property["properties"] is not null)
            {
                foreach (var nested in Fields(property, path, depth + 1))
                {
                    yield return nested;
                }
            }
            else if (property["items"] is JsonObject items && (items["properties"] is not null || items["type"] is not null))
            {
                yield return ([.. path, "0"], contract.Resolve(items));
            }
        }
    }

    /// <summary>The body sample with the value at <paramref name="path"/> set (intermediate objects and arrays made from samples).</summary>
    private JsonNode WithField(JsonObject schema, List<string> path, JsonNode value)
    {
        var root = Sample(schema, "body")!;
        JsonNode current = root;
        JsonObject currentSchema = contract.Resolve(schema);
        for (var i = 0; i < path.Count; i++)
        {
            var key = path[i];
            var last = i == path.Count - 1;
            if (current is JsonArray array)
            {
                var itemSchema = contract.Resolve(currentSchema["items"]!);
                if (array.Count == 0)
                {
                    array.Add(Sample(itemSchema, key));
                }
                if (last)
                {
                    array[0] = value;
                    break;
                }
                array[0] ??= Sample(itemSchema, key);
                current = array[0]!;
                currentSchema = itemSchema;
                continue;
            }
            var obj = current.AsObject();
            var childSchema = contract.Resolve(currentSchema["properties"]![key]!);
            if (last)
            {
                obj[key] = value;
                break;
            }
            obj[key] ??= Sample(childSchema, key) ?? (childSchema["type"]?.ToString() == "array" ? new JsonArray() : new JsonObject());
            current = obj[key]!;
            currentSchema = childSchema;
        }
        return root;
    }

    private static byte[] Splice(byte[] template, byte[] raw)
    {
        var marker = Encoding.UTF8.GetBytes($"\"{Mutant}\"");
        var at = template.AsSpan().IndexOf(marker);
        return [.. template.AsSpan(0, at), .. raw, .. template.AsSpan(at + marker.Length)];
    }

    /// <summary>Raw JSON values at the edges of a field's type, and of other types.</summary>
    private IEnumerable<(string Label, byte[] Raw)> Extremes(JsonObject schema)
    {
        static (string, byte[]) J(string label, string json) => (label, Encoding.UTF8.GetBytes(json));
        var type = schema["type"]?.ToString() ?? (schema["properties"] is not null ? "object" : "string");
        yield return J("null", "null");
        foreach (var other in new[] { ("string", "\"1\""), ("number", "1"), ("boolean", "true"), ("array", "[]"), ("object", "{}") }.Where(o => o.Item1 != type && !(o.Item1 == "number" && type == "integer")))
        {
            yield return J($"{other.Item1} for {type}", other.Item2);
        }
        switch (type)
        {
            case "string":
                yield return J("empty", "\"\"");
                yield return J("10,000 characters", $"\"{new string('x', LongText)}\"");
                yield return J("whitespace", "\"   \"");
                yield return J("control: NUL", "\"\\u0000\"");
                yield return J("control: bell", "\"a\\u0007b\"");
                yield return J("control: line feed", "\"a\\nb\"");
                yield return J("control: DEL", "\"\\u007f\"");
                yield return J("control: escape sequence", "\"\\u001b[31m\"");
                yield return J("lone surrogate", "\"\\ud800\"");
                yield return ("invalid UTF-8", [(byte)'"', 0xFF, 0xFE, (byte)'"']);
                yield return ("overlong UTF-8", [(byte)'"', 0xC0, 0xAF, (byte)'"']);
                yield return J("right-to-left override", "\"a\\u202eb\"");
                if (HoldsDates(schema))
                {
                    var time = schema["pattern"]?.ToString().Contains('T', StringComparison.Ordinal) == true || schema["format"] is null ? "T09:00" : "";
                    foreach (var date in new[] { "0001-01-01", "9999-12-31", "1899-12-31", "2200-01-01", "1900-01-01", "2199-12-31", "2026-02-30" })
                    {
                        yield return J($"date {date}{time}", $"\"{date}{time}\"");
                    }
                    yield return J("date 9999-12-31T23:59:59+14:00", "\"9999-12-31T23:59:59+14:00\"");
                    yield return J("date 0001-01-01T00:00:00-12:00", "\"0001-01-01T00:00:00-12:00\"");
                }
                break;
            case "integer":
            case "number":
                foreach (var n in new[] { "0", "-1", "2147483647", "2147483648", "-2147483648", "1e308", "-1e308", "1.5", "1e400", "99999999999999999999", "-0" })
                {
                    yield return J($"number {n}", n);
                }
                if (schema["minimum"] is { } min)
                {
                    yield return J("below minimum", (min.GetValue<int>() - 1).ToString(CultureInfo.InvariantCulture));
                }
                if (schema["maximum"] is { } max)
                {
                    yield return J("above maximum", (max.GetValue<int>() + 1).ToString(CultureInfo.InvariantCulture));
                }
                break;
            case "boolean":
                yield return J("string true", "\"true\"");
                yield return J("zero", "0");
                break;
            case "array":
                yield return J("empty", "[]");
                yield return J("1,000 items", "[" + string.Join(',', Enumerable.Repeat("\"09:00\"", 1000)) + "]");
                yield return J("nested", "[[[]]]");
                break;
            case "object":
                yield return J("empty", "{}");
                yield return J("unknown field", "{\"zzUnknown\":1}");
                break;
        }
    }

    private static bool HoldsDates(JsonObject schema) => SchemaOracle.HoldsDates(schema);

    // ---------------------------------------------------------------- Twilio's webhooks

    private IEnumerable<Probe> Webhook(ApiOperation op)
    {
        var path = PathOf(op);
        const string form = "application/x-www-form-urlencoded";

        Dictionary<string, string> BaseForm() => TwilioRequests.Inbound(fixture.PatientPhone, fixture.Clinic.SmsFrom, "corpus webhook");

        Probe Send(string label, Func<Dictionary<string, string>> fields, bool signed, string contentType = form, bool chunked = false,
            Func<Dictionary<string, string>, string>? encode = null, string? signature = null, bool mayBeValid = false, bool oversized = false) =>
            new(op.ToString(), $"{(signed ? "signed" : "unsigned")}: {label}", () =>
            {
                var values = fields();
                var bytes = Encoding.UTF8.GetBytes(encode?.Invoke(values) ?? FormText(values));
                var request = new HttpRequestMessage(HttpMethod.Post, path)
                {
                    Content = chunked ? new ChunkedContent(bytes, contentType) : Bytes(bytes, contentType),
                };
                if (signed || signature is not null)
                {
                    request.Headers.TryAddWithoutValidation("X-Twilio-Signature", signature ?? TwilioRequests.Sign("https://clinic.example.org" + path, values));
                }
                request.Headers.ConnectionClose = oversized ? true : null;
                return request;
            }, mayBeValid, Writes: true, MayBeCutOff: oversized);

        Dictionary<string, string> Many()
        {
            var fields = BaseForm();
            for (var i = fields.Count; i < 1100; i++)
            {
                fields[$"Field{i}"] = "v";
            }
            return fields;
        }

        Dictionary<string, string> Padded()
        {
            var fields = BaseForm();
            fields["Body"] = new string('x', 70 * 1024);
            return fields;
        }

        foreach (var signed in new[] { false, true })
        {
            yield return Send("1,100 fields", Many, signed);
            yield return Send("over 64 KiB", Padded, signed, oversized: true);
            yield return Send("over 64 KiB, chunked", Padded, signed, chunked: true, oversized: true);
            yield return Send("3 MiB, chunked", () => BaseForm(), signed, chunked: true, encode: _ => new string('a', 3 * 1024 * 1024), oversized: true);
            foreach (var type in new[] { "application/json", "text/plain", "multipart/form-data; boundary=x", "application/xml" })
            {
                yield return Send($"content type {type}", BaseForm, signed, type);
            }
            yield return Send("empty", () => [], signed);
            yield return Send("invalid UTF-8", BaseForm, signed, encode: f => FormText(f) + "&Body=%FF%FE");
            yield return Send("key given twice", BaseForm, signed, encode: f => FormText(f) + "&Body=again");
            yield return Send("malformed encoding", BaseForm, signed, encode: f => FormText(f) + "&%%%=%G0");
        }
        yield return Send("as Twilio sends it", BaseForm, signed: false);
        foreach (var (label, signature) in new[] { ("empty signature", ""), ("4,000-character signature", new string('A', LongUrlPart)), ("signature with a bell", "abc\u0007"), ("wrong signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=") })
        {
            yield return Send(label, BaseForm, signed: false, signature: signature);
        }

        // Signed and within the limits: Twilio's own requests, whatever their values (answered, never a 500).
        yield return Send("as Twilio sends it", BaseForm, signed: true, mayBeValid: true);
        foreach (var field in BaseForm().Keys)
        {
            foreach (var (label, value) in new[]
                     {
                         ("empty", ""), ("10,000 characters", new string('x', LongText)), ("NUL", "\0"), ("bell", "a\u0007b"), ("line feed", "a\nb"),
                         ("DEL", "\u007f"), ("right-to-left override", "a\u202eb"), ("9999-12-31", "9999-12-31"), ("int.MaxValue", "2147483647"), ("-1", "-1"),
                     })
            {
                yield return Send($"{field}: {label}", () => new Dictionary<string, string>(BaseForm()) { [field] = value }, signed: true, mayBeValid: true);
            }
            yield return Send($"{field}: missing", () => BaseForm().Where(f => f.Key != field).ToDictionary(), signed: true, mayBeValid: true);
        }
    }

    private static string FormText(Dictionary<string, string> fields) =>
        string.Join('&', fields.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value)}"));
}
