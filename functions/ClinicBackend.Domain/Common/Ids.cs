using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace ClinicBackend.Domain.Common;

/// <summary>Identifier rules. Ids become storage keys, so anything else is refused before it gets near one.</summary>
public static partial class Ids
{
    private const string Alphabet = "abcdefghijkmnpqrstuvwxyz23456789";

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]{1,38})[a-z0-9]$")]
    private static partial Regex ClinicIdPattern();

    [GeneratedRegex("^[a-z0-9]{6,40}$")]
    private static partial Regex GeneratedIdPattern();

    [GeneratedRegex("^[A-Za-z0-9-]{1,64}$")]
    private static partial Regex ObjectIdPattern();

    /// <summary>A clinic id: 3-40 characters of a-z, 0-9 and '-', not starting or ending with '-'.</summary>
    public static bool IsClinicId(string? value) => value is not null && ClinicIdPattern().IsMatch(value);

    /// <summary>An id this service made (patients, sessions, flags).</summary>
    public static bool IsGeneratedId(string? value) => value is not null && GeneratedIdPattern().IsMatch(value);

    /// <summary>An Entra ID object id (a GUID) or a comparable opaque user id.</summary>
    public static bool IsObjectId(string? value) => value is not null && ObjectIdPattern().IsMatch(value);

    /// <summary>
    /// The one spelling of a user id: a GUID in its lower-case hyphenated form, anything else lower-cased, so
    /// "ABC..." and "abc..." can never be two members.
    /// </summary>
    public static string NormalizeObjectId(string value) =>
        Guid.TryParse(value, out var guid) ? guid.ToString("D") : value.Trim().ToLowerInvariant();

    /// <summary>A new random id of 16 unambiguous lowercase characters (80 bits).</summary>
    public static string New()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        Span<char> chars = stackalloc char[16];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = Alphabet[bytes[i] % Alphabet.Length];
        }
        return new string(chars);
    }
}
