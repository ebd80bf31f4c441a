using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Patients;

namespace ClinicBackend.Application.Clinics;

/// <summary>The on-call part of a clinic body: <c>{ "contacts": [ { "name", "phone" } ], "ackMinutes": 10 }</c>.</summary>
public sealed class EscalationInput
{
    public ContactInput[]? Contacts { get; set; }
    public int? AckMinutes { get; set; }
}

public sealed class ContactInput
{
    public string? Name { get; set; }
    public string? Phone { get; set; }
}

public static class EscalationInputs
{
    /// <summary>
    /// The clinic's escalation settings from a body: phones normalised like a patient's (E.164), at most
    /// <see cref="EscalationSettings.MaxContacts"/> contacts, no number twice. Whether a number belongs to a
    /// patient is checked by the service, which can read the clinic's patients.
    /// </summary>
    public static EscalationSettings Parse(EscalationInput input, EscalationSettings current, string country, FieldErrors errors)
    {
        var contacts = current.Contacts;
        if (input.Contacts is not null)
        {
            if (input.Contacts.Length > EscalationSettings.MaxContacts)
            {
                errors.Add("escalation.contacts", $"List at most {EscalationSettings.MaxContacts} on-call contacts.");
                return current;
            }
            var parsed = new List<OnCallContact>();
            for (var i = 0; i < input.Contacts.Length; i++)
            {
                var field = $"escalation.contacts[{i}]";
                var contact = input.Contacts[i];
                if (contact is null)
                {
                    errors.Add(field, "Give each contact as { \"name\": \"...\", \"phone\": \"...\" }.");
                    continue;
                }
                if (!PlainText.IsValid(contact.Name, 100))
                {
                    errors.Add($"{field}.name", "Give the contact's name, 1 to 100 printable characters.");
                }
                var phone = PhoneFormat.ToE164(contact.Phone, country);
                if (phone is null)
                {
                    errors.Add($"{field}.phone", $"Give a valid mobile number in E.164 or in the national format of {country}.");
                }
                else if (parsed.Any(c => c.Phone == phone))
                {
                    errors.Add($"{field}.phone", "This number is on the list already; each contact needs their own number.");
                }
                else
                {
                    parsed.Add(new OnCallContact(contact.Name?.Trim() ?? "", phone));
                }
            }
            contacts = parsed;
        }
        var ackMinutes = input.AckMinutes ?? current.AckMinutes;
        if (ackMinutes is < 1 or > 120)
        {
            errors.Add("escalation.ackMinutes", "ackMinutes must be between 1 and 120: how long a contact has to acknowledge a page before the next one is paged.");
        }
        return new EscalationSettings(contacts, ackMinutes);
    }
}
