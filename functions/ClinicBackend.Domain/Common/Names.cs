using System.Text.Json;

namespace ClinicBackend.Domain.Common;

/// <summary>How enum values are written wherever they leave the code (API, events, problems).</summary>
public static class Names
{
    /// <summary>NeedsAction becomes needs-action.</summary>
    public static string Kebab<T>(T value) where T : struct, Enum => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());

    /// <summary>The value whose kebab-case name is <paramref name="text"/> (needs-action is NeedsAction); false for any other text.</summary>
    public static bool TryParseKebab<T>(string? text, out T value) where T : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (Kebab(candidate) == text)
            {
                value = candidate;
                return true;
            }
        }
        value = default;
        return false;
    }

    /// <summary>Every value's kebab-case name, for a message that lists them.</summary>
    public static string KebabList<T>() where T : struct, Enum => string.Join(", ", Enum.GetValues<T>().Select(Kebab));
}
