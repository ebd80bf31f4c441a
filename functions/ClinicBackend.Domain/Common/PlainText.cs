using System.Globalization;
using System.Text;

namespace ClinicBackend.Domain.Common;

/// <summary>
/// Free text people type (names, reasons, notes): not blank, not too long, no control characters and no invisible
/// format characters (Unicode category Cf: bidirectional overrides, soft hyphens, zero-width spaces), which could make
/// a name in a text display as something else or hide a word in it. Notes may have line breaks, and the zero-width
/// joiners that emoji and some scripts need.
/// </summary>
public static class PlainText
{
    public static bool IsValid(string? value, int maxLength, bool multiline = false)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > maxLength)
        {
            return false;
        }
        for (var i = 0; i < value.Length;)
        {
            // A lone half of a surrogate pair is no character at all.
            if (Rune.DecodeFromUtf16(value.AsSpan(i), out var rune, out var length) != System.Buffers.OperationStatus.Done || !IsAllowed(rune, multiline))
            {
                return false;
            }
            i += length;
        }
        return true;
    }

    private static bool IsAllowed(Rune r, bool multiline) => Rune.GetUnicodeCategory(r) switch
    {
        UnicodeCategory.Control => multiline && r.Value is '\n' or '\r' or '\t',
        UnicodeCategory.Format => multiline && r.Value is 0x200C or 0x200D,
        _ => true,
    };

    /// <summary>The text without its invisible format characters: what a phone shows.</summary>
    public static string WithoutFormatCharacters(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(rune) != UnicodeCategory.Format)
            {
                builder.Append(rune.ToString());
            }
        }
        return builder.ToString();
    }
}
