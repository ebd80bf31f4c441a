using ClinicBackend.LocalHost;
using ClinicBackend.Testing.Drills;

namespace ClinicBackend.Benchmarks;

/// <summary>The fault drills of issue #11 and the restore drill of issue #28, all of them, at full size (the test suite runs them smaller): one table.</summary>
public static class FaultsCommand
{
    public static async Task<(IReadOnlyList<string> Lines, bool Passed)> RunAsync(AzuriteProcess azurite, DrillScale scale)
    {
        Console.WriteLine($"fault drills, {scale} size (texts are counted at the Twilio stand-in, per ledger text):");
        var results = await FaultDrills.RunAllAsync(scale, azurite.ConnectionString, line => Console.WriteLine($"  {line}"));
        await AzuriteControl.ShutdownAsync();
        var passed = results.Count(r => r.Passed);
        List<string> lines =
        [
            $"fault drills of issues #11 and #28 ({scale} size): due = texts that should go; once/twice = accepted by the Twilio stand-in once / more than once; "
            + "lost = never accepted and not legitimately skipped; flags = sms-undeliverable flags raised",
            DrillResult.Header,
            .. results.Select(r => r.ToString()),
            $"{passed} of {results.Count} drills passed",
        ];
        return (lines, passed == results.Count);
    }
}
