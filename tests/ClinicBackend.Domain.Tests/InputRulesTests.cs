using ClinicBackend.Application.Clinics;
using ClinicBackend.Application.Sessions;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Patients;
using NodaTime;

namespace ClinicBackend.Domain.Tests;

public sealed class InputRulesTests
{
    [Theory]
    [InlineData("(212) 555-0123", "US", "+12125550123")]
    [InlineData("212-555-0123", "US", "+12125550123")]
    [InlineData("+1 212 555 0123", "GB", "+12125550123")]
    [InlineData("07911 123456", "GB", "+447911123456")]
    [InlineData("0412 345 678", "AU", "+61412345678")]
    [InlineData("555-0123", "US", null)]
    [InlineData("not a phone", "US", null)]
    [InlineData("", "US", null)]
    public void Phones_become_E164_in_the_clinic_country(string input, string country, string? e164) =>
        Assert.Equal(e164, PhoneFormat.ToE164(input, country));

    [Theory]
    [InlineData(84, "128/82", 125, null)]
    [InlineData(56, "150/95", 120, null)] // elevated pressure is recorded, not refused: the clinician decided to dose
    [InlineData(84, "128/82", 119, "monitoring-too-short")]
    [InlineData(28, "128/82", 125, "dose-not-on-label")]
    [InlineData(84, "12/82", 125, "validation")]
    [InlineData(84, "82/128", 125, "validation")]
    [InlineData(84, "128-82", 125, "validation")]
    [InlineData(-84, "128/82", 125, "validation")]
    [InlineData(84, "128/82", 100000, "validation")]
    public void The_monitoring_record_keeps_the_label(int dose, string preDose, int minutes, string? code)
    {
        var result = SessionInputs.ToMonitoring(new CompleteInput
        {
            DoseMg = dose,
            MonitoringMinutes = minutes,
            BloodPressure = new BloodPressureInput { PreDose = preDose, PostDose40Min = "130/84", Discharge = "126/80" },
        });
        Assert.Equal(code, result.Problem?.Code);
    }

    [Theory]
    [InlineData("21:00", "08:00", "17:00", true)]
    [InlineData("20:00", "09:00", "17:00", true)] // a narrower sending window is allowed
    [InlineData("22:00", "08:00", "17:00", false)] // texts after 21:00 are not
    [InlineData("21:00", "07:30", "17:00", false)]
    [InlineData("21:00", "08:00", "21:30", false)] // the reminder itself would fall in quiet hours
    public void Quiet_hours_may_only_narrow_the_legal_window(string start, string end, string dayBefore, bool valid)
    {
        static LocalTime T(string s) => NodaTime.Text.LocalTimePattern.CreateWithInvariantCulture("HH':'mm").Parse(s).Value;
        var clinic = TestClinics.Riverside() with { Reminders = new ReminderSettings(T(dayBefore), T(start), T(end), T("20:00")) };
        var errors = new FieldErrors();
        ClinicRules.Check(clinic, errors);
        Assert.Equal(valid, !errors.Any);
    }

    [Fact]
    public void Flag_ids_derive_from_kind_and_cause()
    {
        var id = Flag.IdFor(FlagKinds.MissedSession, "s123");
        Assert.Equal(id, Flag.IdFor(FlagKinds.MissedSession, "s123"));
        Assert.NotEqual(id, Flag.IdFor(FlagKinds.MissedSession, "s124"));
        Assert.NotEqual(id, Flag.IdFor(FlagKinds.RemsFormDue, "s123"));
        Assert.True(Ids.IsGeneratedId(id));
    }

    [Theory]
    [InlineData("riverside", true)]
    [InlineData("north-2", true)]
    [InlineData("ab", false)]
    [InlineData("-river", false)]
    [InlineData("River", false)]
    [InlineData("a|b", false)]
    [InlineData("a/b", false)]
    public void Clinic_ids_are_key_safe(string id, bool valid) => Assert.Equal(valid, Ids.IsClinicId(id));

    [Fact]
    public void A_clinic_body_reports_every_broken_field_at_once()
    {
        var result = ClinicInputs.ToClinic(new ClinicInput { Chairs = 0, TimeZone = "Nowhere/Land", Country = "US" }, null, "c1", Instant.FromUtc(2026, 1, 1, 0, 0));
        var errors = result.Problem!.Errors!;
        Assert.Contains("name", errors.Keys);
        Assert.Contains("timeZone", errors.Keys);
        Assert.Contains("phone", errors.Keys);
        Assert.Contains("smsFrom", errors.Keys);
        Assert.Contains("openingHours", errors.Keys);
    }
}
