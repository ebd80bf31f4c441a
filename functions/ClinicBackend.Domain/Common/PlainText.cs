namespace ClinicBackend.Domain.Common;

/// <summary>Short free text people type (names, reasons): not blank, not too long, no control characters.</summary>
public static class PlainText
{
    public static bool IsValid(string? value, int maxLength) =>
        !string.IsNullOrWhiteSpace(value) && value.Length <= maxLength && !value.Any(char.IsControl);
}
