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
    [InlineData(84, 3, "128/82", null, null)]
    [InlineData(56, 2, "150/95", null, null)] // elevated pressure is recorded, not refused: the clinician decided to dose
    [InlineData(28, 1, "128/82", "stopped after one device", null)]
    [InlineData(28, 1, "128/82", null, "dose-not-on-label")]
    [InlineData(112, 4, "128/82", "prescriber's order", null)]
    [InlineData(70, 2, "128/82", "why not", "validation")]
    [InlineData(84, 2, "128/82", null, "validation")]
    [InlineData(84, 3, "12/82", null, "validation")]
    [InlineData(84, 3, "82/128", null, "validation")]
    [InlineData(84, 3, "128-82", null, "validation")]
    [InlineData(-84, 3, "128/82", null, "validation")]
    [InlineData(196, 7, "128/82", "seven", "validation")]
    public void A_dose_keeps_the_label_or_gives_a_reason_and_adds_up_to_its_devices(int dose, int devices, string preDose, string? reason, string? code)
    {
        var result = MonitoringInputs.ToDose(new DoseInput
        {
            DoseMg = dose,
            DoseReason = reason,
            Devices = [new DeviceInput { Lot = "abc-1234", Count = devices }],
            PreDose = new PreDoseInput { BloodPressure = preDose, Spo2 = 98 },
            MonitoringClinician = new ClinicianInput { Name = "Nurse Kim", Phone = "(212) 555-0151", Email = "kim@riverside.example" },
        }, TestClinics.Riverside(), Instant.FromUtc(2026, 12, 2, 15, 0));
        Assert.Equal(code, result.Problem?.Code);
        if (result.IsSuccess)
        {
            Assert.Equal("ABC-1234", result.Value.Devices.Single().Lot);
            Assert.Equal("+12125550151", result.Value.MonitoringClinician.Phone);
            Assert.Null(result.Value.Concomitant); // not asked: the form names it as missing
        }
    }

    [Theory]
    [InlineData("monitoringClinician.email", "kim at riverside")]
    [InlineData("monitoringClinician.phone", "555")]
    [InlineData("concomitant", "alcohol")]
    [InlineData("devices", "twice")]
    [InlineData("at", "10:12")]
    public void A_dose_names_the_field_it_cannot_read(string field, string value)
    {
        var input = new DoseInput
        {
            At = field == "at" ? value : null,
            DoseMg = 56,
            Devices = field == "devices" ? [new DeviceInput { Lot = "A1", Count = 1 }, new DeviceInput { Lot = "a1", Count = 1 }] : [new DeviceInput { Lot = "A1", Count = 2 }],
            PreDose = new PreDoseInput { BloodPressure = "128/82", Spo2 = 98 },
            Concomitant = field == "concomitant" ? [value] : ["opioid"],
            MonitoringClinician = new ClinicianInput
            {
                Name = "Nurse Kim",
                Phone = field == "monitoringClinician.phone" ? value : null,
                Email = field == "monitoringClinician.email" ? value : null,
            },
        };
        var problem = MonitoringInputs.ToDose(input, TestClinics.Riverside(), Instant.FromUtc(2026, 12, 2, 15, 0)).Problem!;
        Assert.Equal("validation", problem.Code);
        Assert.Equal([field], problem.Errors!.Keys);
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
