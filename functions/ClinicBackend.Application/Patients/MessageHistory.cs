using ClinicBackend.Application.Access;
using ClinicBackend.Application.Flags;
using ClinicBackend.Application.Messaging;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Sessions;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Time;

namespace ClinicBackend.Application.Patients;

/// <summary>A patient's texts, both directions, newest first, with their delivery status.</summary>
public sealed class MessageHistory(ClinicData data, ClinicAccess access)
{
    public async Task<Result<Outcome>> ListAsync(Caller caller, string clinicId, string patientId, CancellationToken ct)
    {
        var stored = await access.RequireAsync(caller, clinicId, Need.Staff, ct);
        if (!stored.IsSuccess)
        {
            return stored.Problem!;
        }
        if (!Ids.IsGeneratedId(patientId) || await data.PatientAsync(clinicId, patientId, ct) is null)
        {
            return Problem.NotFound("patient");
        }
        var rows = await data.Store.QueryPrefixAsync<SmsMessage>(clinicId, Keys.MessagePrefix(patientId), ct);
        return Outcome.Ok(new
        {
            messages = rows.Select(r => r.Value).OrderByDescending(m => m.At).Select(m => new
            {
                id = m.Id,
                direction = m.Direction,
                kind = m.Kind,
                at = ClinicTime.FormatUtc(m.At),
                sentAt = m.SentAt is { } sent ? ClinicTime.FormatUtc(sent) : null,
                body = m.Body,
                segments = m.Body is null ? (int?)null : m.Segments,
                status = m.Status,
                reason = m.Reason,
                errorCode = m.ErrorCode,
                sessionId = m.SessionId,
                attempts = m.Attempts,
            }),
        });
    }
}
