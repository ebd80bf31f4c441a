using System.Text.Json;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Messaging;

namespace ClinicBackend.Infrastructure.Messaging;

internal static class OutboxJson
{
    public static string Serialize(OutboxMessage message) => JsonSerializer.Serialize(message, DocumentJson.Options);

    public static OutboxMessage Deserialize(string json) =>
        JsonSerializer.Deserialize<OutboxMessage>(json, DocumentJson.Options) ?? throw new InvalidDataException("Empty outbox message.");

    public static string SerializeDeadLetter(OutboxMessage message, string reason) =>
        JsonSerializer.Serialize(new DeadLetter(message, reason), DocumentJson.Options);

    public static OutboxMessage DeserializeDeadLetter(string json) =>
        JsonSerializer.Deserialize<DeadLetter>(json, DocumentJson.Options)?.Message ?? throw new InvalidDataException("Empty dead letter.");

    private sealed record DeadLetter(OutboxMessage Message, string Reason);
}
