using Azure.Storage.Queues;

namespace ClinicBackend.Infrastructure.Messaging;

/// <summary>How the app's storage queues carry messages: Base64 (as the Functions host writes them).</summary>
public static class QueueEncoding
{
    /// <summary>
    /// Base64 queues where a message that is not Base64 (another producer wrote it) is deleted when received,
    /// instead of failing the whole receive; whatever it stood for is re-found from the ledger.
    /// </summary>
    public static void Configure(QueueClientOptions options)
    {
        options.MessageEncoding = QueueMessageEncoding.Base64;
        options.MessageDecodingFailed += async args =>
        {
            if (args.ReceivedMessage is { } received)
            {
                if (args.IsRunningSynchronously)
                {
                    args.Queue.DeleteMessage(received.MessageId, received.PopReceipt, args.CancellationToken);
                }
                else
                {
                    await args.Queue.DeleteMessageAsync(received.MessageId, received.PopReceipt, args.CancellationToken);
                }
            }
        };
    }
}
