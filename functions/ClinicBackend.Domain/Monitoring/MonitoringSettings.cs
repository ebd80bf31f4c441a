namespace ClinicBackend.Domain.Monitoring;

/// <summary>
/// The clinic's alert thresholds for observations during monitoring: a blood pressure above
/// <see cref="AlertAbove"/> (either number) or an oxygen saturation below <see cref="Spo2Below"/> is an alert.
/// </summary>
public sealed record MonitoringSettings(BloodPressure AlertAbove, int Spo2Below)
{
    public static MonitoringSettings Default { get; } = new(new BloodPressure(180, 110), 92);

    /// <summary>The lowest and highest SpO2 threshold a clinic may set, in percent.</summary>
    public const int MinSpo2Threshold = 80;
    public const int MaxSpo2Threshold = 100;

    /// <summary>What of a reading is past the thresholds, in words; empty when nothing is.</summary>
    public IReadOnlyList<string> PastThresholds(BloodPressure? bloodPressure, int? spo2)
    {
        var past = new List<string>();
        if (bloodPressure is { } bp && bp.IsAbove(AlertAbove))
        {
            past.Add($"blood pressure {bp} is above {AlertAbove}");
        }
        if (spo2 is { } saturation && saturation < Spo2Below)
        {
            past.Add($"SpO2 {saturation}% is below {Spo2Below}%");
        }
        return past;
    }
}
