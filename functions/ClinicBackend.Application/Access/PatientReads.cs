using System.Threading.Channels;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Audit;
using ClinicBackend.Domain.Common;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace ClinicBackend.Application.Access;

/// <summary>Someone saw a patient's data: the record, their sessions, their messages or their flags.</summary>
public sealed record PatientRead(string ClinicId, string Actor, string PatientId, string What, Instant At);

/// <summary>
/// The audit of who viewed which patient (HIPAA audit controls). Reads are recorded off the request path: a
/// request only drops an entry into a bounded in-memory buffer; a background flush writes them as audit rows,
/// one transaction per clinic and up to 100 rows, once a second, with repeats of the same view within that second
/// written once. The cost is bounded: at most the buffer's size is held, and a full buffer drops (and counts)
/// entries rather than slow a request. Entries still in the buffer when the process dies are lost.
/// </summary>
public sealed class PatientReads(ClinicData data, ILogger<PatientReads> logger)
{
    public const int Capacity = 10_000;
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);
    private readonly Channel<PatientRead> _buffer = Channel.CreateBounded<PatientRead>(new BoundedChannelOptions(Capacity)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });
    private long _dropped;

    public long Dropped => Interlocked.Read(ref _dropped);

    public void Record(string clinicId, string actor, string patientId, string what, Instant at)
    {
        if (!_buffer.Writer.TryWrite(new PatientRead(clinicId, actor, patientId, what, at)))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    public void Record(string clinicId, string actor, IEnumerable<string?> patientIds, string what, Instant at)
    {
        foreach (var patientId in patientIds.Where(p => p is not null).Distinct())
        {
            Record(clinicId, actor, patientId!, what, at);
        }
    }

    /// <summary>Writes what is buffered now. Returns how many audit rows were written.</summary>
    public async Task<int> FlushAsync(CancellationToken ct)
    {
        var reads = new List<PatientRead>();
        while (_buffer.Reader.TryRead(out var read))
        {
            reads.Add(read);
        }
        var written = 0;
        foreach (var clinic in reads.DistinctBy(r => (r.ClinicId, r.Actor, r.PatientId, r.What, r.At.ToUnixTimeSeconds())).GroupBy(r => r.ClinicId))
        {
            foreach (var chunk in clinic.Chunk(IDocumentStore.MaxChangesPerCommit))
            {
                try
                {
                    var commit = new ClinicCommit(clinic.Key, Actors.System, chunk[0].At);
                    foreach (var read in chunk)
                    {
                        var id = Ids.New();
                        commit.Insert(Keys.Audit(read.At, id), new AuditEntry(id, read.At, read.Actor, $"patient.{read.What}-viewed", "patient", read.PatientId, null));
                    }
                    await data.CommitAsync(commit, ct);
                    written += chunk.Length;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Writing {Count} patient-read audit entries of clinic {ClinicId} failed.", chunk.Length, clinic.Key);
                }
            }
        }
        return written;
    }

    /// <summary>Flushes every <see cref="FlushInterval"/> until stopped, and once more on the way out.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var reported = 0L;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(FlushInterval, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            await FlushAsync(CancellationToken.None);
            if (Dropped > reported)
            {
                logger.LogError("The patient-read audit buffer was full: {Count} entries were not recorded.", Dropped - reported);
                reported = Dropped;
            }
        }
        await FlushAsync(CancellationToken.None);
    }
}
