namespace ClinicBackend.Domain.Common;

/// <summary>
/// Free text people type (names, reasons, notes): not blank, not too long, no control characters and no
/// bidirectional overrides (which could make a name in a text display as something else). Notes may have line breaks.
/// </summary>
public static class PlainText
{
    public static bool IsValid(string? value, int maxLength, bool multiline = false) =>
        !string.IsNullOrWhiteSpace(value) && value.Length <= maxLength && value.All(c => IsAllowed(c, multiline));

    private static bool IsAllowed(char c, bool multiline) =>
        (multiline && c is '\n' or '\r' or '\t') || !(char.IsControl(c) || IsBidiControl(c));

    private static bool IsBidiControl(char c) => c is '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') or '\u061C';
}
