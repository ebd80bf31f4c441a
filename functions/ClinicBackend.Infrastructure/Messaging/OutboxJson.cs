using System.Text.Json;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Messaging;

namespace ClinicBackend.Infrastructure.Messaging;

internal static class OutboxJson
{
    public static string Serialize(OutboxMessage message) => JsonSerializer.Serialize(message, DocumentJson.Options);

    public static string SerializeDeadLetter(OutboxMessage message, string reason) =>
        JsonSerializer.Serialize(new DeadLetter(message, reason), DocumentJson.Options);

    /// <summary>The message a queue entry (or a dead letter) carries; null when it is unreadable.</summary>
    public static OutboxMessage? TryRead(string json, bool deadLetter)
    {
        try
        {
            var message = deadLetter
                ? JsonSerializer.Deserialize<DeadLetter>(json, DocumentJson.Options)?.Message
                : JsonSerializer.Deserialize<OutboxMessage>(json, DocumentJson.Options);
            return message is { ClinicId.Length: > 0, PatientId.Length: > 0, MessageId.Length: > 0 } ? message : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record DeadLetter(OutboxMessage Message, string Reason);
}
