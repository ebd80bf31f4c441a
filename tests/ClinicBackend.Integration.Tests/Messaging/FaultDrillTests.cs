using ClinicBackend.Testing.Drills;
using Xunit.Abstractions;

namespace ClinicBackend.Integration.Tests.Messaging;

/// <summary>
/// The fault drills of issue #11 at suite size (the benchmarks' <c>faults</c> command runs the same drills larger):
/// every due text reaches Twilio exactly once, nothing is flagged, and each drill's own checks hold.
/// </summary>
public sealed class FaultDrillTests(ITestOutputHelper output) : IClassFixture<FaultDrillTests.DrillAzurite>
{
    /// <summary>Stops the storage drills' own Azurite after the last drill (and deletes its data).</summary>
    public sealed class DrillAzurite : IAsyncLifetime
    {
        public Task InitializeAsync() => Task.CompletedTask;

        public Task DisposeAsync() => AzuriteControl.ShutdownAsync();
    }

    private async Task RunAsync(FaultDrills.Drill drill)
    {
        var result = await drill(DrillScale.Suite, null);
        output.WriteLine(result.ToString());
        Console.WriteLine(result.ToString());
        if (!result.Passed)
        {
            result.Log.ToList().ForEach(output.WriteLine);
        }
        Assert.True(result.Due > 0, "the drill has texts due");
        Assert.Equal(0, result.SentTwice);
        Assert.Equal(0, result.Lost);
        Assert.Equal(result.Due, result.SentOnce);
        Assert.Equal(0, result.Flags);
        Assert.All(result.Checks, check => Assert.True(check.Passed, check.ToString()));
    }

    [Fact]
    public Task A_Twilio_accepts_then_answers_after_the_timeout() => RunAsync(FaultDrills.TimeoutAfterAcceptAsync);

    [Fact]
    public Task B_429_and_500_for_a_minute_then_recovery_in_order() => RunAsync(FaultDrills.ThrottledAndFailingMinuteAsync);

    [Fact]
    public Task C1_Azurite_stopped_mid_dispatch_and_restarted() => RunAsync(FaultDrills.StorageStoppedMidDispatchAsync);

    [Fact]
    public Task C2_Azurite_stopped_mid_planning_and_restarted() => RunAsync(FaultDrills.StorageStoppedMidPlanningAsync);

    [Fact]
    public Task D_the_process_dies_between_acceptance_and_record() => RunAsync(FaultDrills.CrashBeforeRecordAsync);

    [Fact]
    public Task D2_the_process_dies_while_settling_a_text() => RunAsync(FaultDrills.CrashWhileSettlingAsync);

    [Fact]
    public Task E_dead_lettered_and_lost_wake_ups() => RunAsync(FaultDrills.DeadLetteredWakeUpAsync);

    [Fact]
    public Task F_a_wrong_token_for_a_minute() => RunAsync(FaultDrills.WrongTokenAsync);

    [Fact]
    public Task G_an_event_backlog_and_a_clinic_whose_storage_throws() => RunAsync(FaultDrills.EventBacklogAsync);

    [Fact]
    public Task R_a_clinic_whose_rows_were_deleted_is_restored_from_its_export() => RunAsync(FaultDrills.RestoreAsync);
}
