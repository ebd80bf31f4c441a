using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Messaging;

namespace ClinicBackend.Application.Outbound;

/// <summary>One outbound text's ledger row: read it, and change it under its ETag.</summary>
public sealed class TextLedger(ClinicData data, TextRef text)
{
    public TextRef Text { get; } = text;

    public string Key { get; } = Keys.Message(text.PatientId, text.MessageId);

    public Task<Stored<SmsMessage>?> ReadAsync(CancellationToken ct) => data.Store.GetAsync<SmsMessage>(Text.ClinicId, Key, ct);

    public Task UpdateAsync(Stored<SmsMessage> row, SmsMessage changed, CancellationToken ct) =>
        data.Store.CommitAsync(Text.ClinicId, [new Change.Replace(row.Key, changed, row.ETag)], ct);
}
