using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Clinics;

namespace ClinicBackend.Application.Inbound;

/// <summary>
/// Which clinic an inbound text is for: the number texted (<c>To</c>) first, since a clinic's own number is
/// unique to it; the Messaging Service only when the number is not known. The service an inbound text came
/// through is remembered for the clinic its number belongs to, so no other clinic can later claim that service
/// as its sender and capture the first clinic's replies.
/// </summary>
public sealed class InboundRouter(ClinicData data)
{
    /// <summary>Services whose carrier is on record. A record is never changed or removed, so it is looked up once per process.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _recordedServices = new(StringComparer.Ordinal);

    public async Task<string?> ClinicForAsync(IReadOnlyDictionary<string, string> form, string to, CancellationToken ct)
    {
        var service = form.GetValueOrDefault("MessagingServiceSid") is { } sid && ClinicRules.IsMessagingServiceSid(sid) ? sid : null;
        if (IsE164(to) && await data.ClinicIdForSmsNumberAsync(to, ct) is { } byNumber)
        {
            if (service is not null)
            {
                await RememberTrafficAsync(service, byNumber, ct);
            }
            return byNumber;
        }
        return service is null ? null : await data.ClinicIdForSmsNumberAsync(service, ct);
    }

    private async Task RememberTrafficAsync(string service, string clinicId, CancellationToken ct)
    {
        if (_recordedServices.ContainsKey(service))
        {
            return;
        }
        if (await data.ServiceTrafficOwnerAsync(service, ct) is null)
        {
            await data.RecordServiceTrafficAsync(service, clinicId, ct); // false: recorded by a concurrent text
        }
        _recordedServices.TryAdd(service, 0);
    }

    private static bool IsE164(string to) => to.StartsWith('+') && to.Length is > 2 and <= 16 && to[1..].All(char.IsAsciiDigit);
}
