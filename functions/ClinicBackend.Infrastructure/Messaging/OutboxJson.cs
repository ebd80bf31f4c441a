using System.Text.Json;

namespace ClinicBackend.Messaging;

internal static class OutboxJson
{
    public static string Serialize(OutboxMessage message) => JsonSerializer.Serialize(message, Storage.DocumentJson.Options);

    public static OutboxMessage Deserialize(string json) =>
        JsonSerializer.Deserialize<OutboxMessage>(json, Storage.DocumentJson.Options) ?? throw new InvalidDataException("Empty outbox message.");
}
