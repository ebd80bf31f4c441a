using System.Globalization;
using System.Text;

namespace ClinicBackend.Domain.Common;

/// <summary>
/// Words that say what treatment a patient gets: a text can be read by someone else, so none of them may
/// appear in an SMS, nor in anything that goes into one (a clinic's name). Matched per word, case and accents
/// ignored, invisible format characters (a soft hyphen, a zero-width space) removed first: whole words, and stems that
/// match every word starting with them.
/// </summary>
public static class TreatmentWords
{
    public static readonly string[] Words =
    [
        "spravato", "treatment", "treatments", "tratamiento", "tratamientos", "dose", "doses", "dosis", "drug", "drugs",
        "medication", "medications", "medicamento", "medicamentos", "nasal", "spray", "rems", "infusion", "infusions",
    ];

    public static readonly string[] Stems = ["ketamin", "esketamin", "depress", "depresi", "psychiatr", "psiquiatr"];

    public static bool Contains(string text) =>
        WordsOf(text).Any(word => Words.Contains(word) || Stems.Any(stem => word.StartsWith(stem, StringComparison.Ordinal)));

    /// <summary>Lower-case words without accents, read as a phone shows them (invisible format characters left out).</summary>
    private static IEnumerable<string> WordsOf(string text)
    {
        var word = new StringBuilder();
        foreach (var c in PlainText.WithoutFormatCharacters(text).Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }
            if (char.IsLetterOrDigit(c))
            {
                word.Append(char.ToLowerInvariant(c));
            }
            else if (word.Length > 0)
            {
                yield return word.ToString();
                word.Clear();
            }
        }
        if (word.Length > 0)
        {
            yield return word.ToString();
        }
    }
}
