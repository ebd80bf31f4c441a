using System.Text.Json;

namespace ClinicBackend.Domain.Common;

/// <summary>How enum values are written wherever they leave the code (API, events, problems).</summary>
public static class Names
{
    /// <summary>NeedsAction becomes needs-action.</summary>
    public static string Kebab<T>(T value) where T : struct, Enum => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());
}
