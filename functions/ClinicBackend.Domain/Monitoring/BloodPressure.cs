using System.Globalization;
using System.Text.RegularExpressions;

namespace ClinicBackend.Domain.Monitoring;

public sealed partial record BloodPressure(int Systolic, int Diastolic)
{
    public override string ToString() => $"{Systolic}/{Diastolic}";

    /// <summary>Above 140/90 the label advises caution before dosing.</summary>
    public bool IsElevated => Systolic > 140 || Diastolic > 90;

    /// <summary>Either number is above the other reading's.</summary>
    public bool IsAbove(BloodPressure other) => Systolic > other.Systolic || Diastolic > other.Diastolic;

    [GeneratedRegex(@"^\s*(\d{2,3})\s*/\s*(\d{2,3})\s*$")]
    private static partial Regex Pattern();

    /// <summary>"128/82": a plausible reading (systolic 50-300, diastolic 20-200 and below systolic); false otherwise.</summary>
    public static bool TryParse(string? text, out BloodPressure reading)
    {
        reading = new BloodPressure(0, 0);
        var match = text is null ? null : Pattern().Match(text);
        if (match is not { Success: true })
        {
            return false;
        }
        var systolic = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var diastolic = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        if (systolic is < 50 or > 300 || diastolic is < 20 or > 200 || diastolic >= systolic)
        {
            return false;
        }
        reading = new BloodPressure(systolic, diastolic);
        return true;
    }

    /// <summary>What a field error says about a reading that does not parse.</summary>
    public const string Format = "Write blood pressure as \"systolic/diastolic\", for example \"128/82\" (a plausible reading: diastolic below systolic).";
}
