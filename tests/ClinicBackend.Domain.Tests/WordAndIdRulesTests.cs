using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Common;

namespace ClinicBackend.Domain.Tests;

public sealed class WordAndIdRulesTests
{
    [Theory]
    [InlineData("Spravato Center", true)]
    [InlineData("Riverside Ketamine Clinic", true)]
    [InlineData("Clínica de Depresión", true)]
    [InlineData("Northside Psychiatry", true)]
    [InlineData("Nasal Spray Care", true)]
    [InlineData("Riverside Behavioral Health", false)]
    [InlineData("Remsen Street Clinic", false)]
    [InlineData("Doseway Medical", false)]
    [InlineData("Spra\u00advato Esketa\u200bmine Center", true)]
    [InlineData("Ke\u2060tamine", true)]
    [InlineData("De\ufeffpression Care", true)]
    public void Names_that_say_the_treatment_are_caught_word_by_word(string name, bool caught) =>
        Assert.Equal(caught, TreatmentWords.Contains(name));

    [Theory]
    [InlineData("Spravato Center")]
    [InlineData("Riverside\u0007Clinic")]
    [InlineData("Riverside\nClinic")]
    public void A_clinic_name_that_would_leak_or_break_a_text_is_refused(string name)
    {
        var errors = new FieldErrors();
        ClinicRules.Check(TestClinics.Riverside() with { Name = name }, errors);
        Assert.True(errors.Any);
        Assert.Contains("name", errors.ToProblem().Errors!.Keys);
    }

    [Theory]
    [InlineData("Ana\u00ad Silva", false, false)]
    [InlineData("River\u200bside", false, false)]
    [InlineData("Riverside \u202Ecinilc", false, false)]
    [InlineData("Family \U000E0041tag", false, false)]
    [InlineData("Ana Silva", false, true)]
    [InlineData("Line one\nline two", true, true)]
    [InlineData("Line one\nline two", false, false)]
    [InlineData("Waved \U0001F44B\u200D\U0001F3FD at the desk", true, true)]
    [InlineData("Waved \u200B at the desk", true, false)]
    public void Free_text_holds_no_invisible_format_characters(string text, bool multiline, bool valid) =>
        Assert.Equal(valid, PlainText.IsValid(text, 200, multiline));

    [Fact]
    public void Free_text_with_half_a_surrogate_pair_is_refused() =>
        Assert.False(PlainText.IsValid("broken " + (char)0xD83D + " half", 200, multiline: true)); // built at run time: attribute strings are stored as UTF-8

    [Theory]
    [InlineData("0B7A5B1E-1C2D-4E5F-8A9B-0C1D2E3F4A5B", "0b7a5b1e-1c2d-4e5f-8a9b-0c1d2e3f4a5b")]
    [InlineData("{0b7a5b1e-1c2d-4e5f-8a9b-0c1d2e3f4a5b}", "0b7a5b1e-1c2d-4e5f-8a9b-0c1d2e3f4a5b")]
    [InlineData("0b7a5b1e1c2d4e5f8a9b0c1d2e3f4a5b", "0b7a5b1e-1c2d-4e5f-8a9b-0c1d2e3f4a5b")]
    [InlineData("Admin-Riverside", "admin-riverside")]
    public void User_ids_have_one_spelling(string given, string normalized) =>
        Assert.Equal(normalized, Ids.NormalizeObjectId(given));
}
