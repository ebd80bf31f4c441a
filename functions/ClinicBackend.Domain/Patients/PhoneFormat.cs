using PhoneNumbers;

namespace ClinicBackend.Domain.Patients;

/// <summary>Phone numbers in E.164, parsed with libphonenumber in the clinic's country.</summary>
public static class PhoneFormat
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    public static bool IsSupportedCountry(string? country) =>
        country is { Length: 2 } && Util.GetSupportedRegions().Contains(country);

    /// <summary>The E.164 form of a number written in E.164 or in the country's national format, or null.</summary>
    public static string? ToE164(string? input, string country)
    {
        if (string.IsNullOrWhiteSpace(input) || input.Length > 40)
        {
            return null;
        }
        try
        {
            var number = Util.Parse(input, country);
            return Util.IsValidNumber(number) ? Util.Format(number, PhoneNumberFormat.E164) : null;
        }
        catch (NumberParseException)
        {
            return null;
        }
    }

    /// <summary>A form to read aloud in an SMS: national format for the clinic's own country.</summary>
    public static string ForDisplay(string e164, string country)
    {
        try
        {
            var number = Util.Parse(e164, country);
            return Util.GetRegionCodeForNumber(number) == country
                ? Util.Format(number, PhoneNumberFormat.NATIONAL)
                : Util.Format(number, PhoneNumberFormat.INTERNATIONAL);
        }
        catch (NumberParseException)
        {
            return e164;
        }
    }
}
