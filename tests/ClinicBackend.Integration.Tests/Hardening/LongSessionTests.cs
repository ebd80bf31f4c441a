using System.Globalization;
using ClinicBackend.Application.Persistence;

namespace ClinicBackend.Integration.Tests.Hardening;

/// <summary>
/// Issue #12, finding 2: every session length the API accepts (120-240 minutes, multiples of 5) books, moves within a day
/// and across days, and cancels, on the finest grid (5-minute slots: the most claims). A move whose claims would not fit one
/// transaction frees the old claims right after its commit; a release a crash left behind is finished by the sweep.
/// </summary>
public sealed class LongSessionTests : ClinicAppTest
{
    public static readonly int[] Lengths = Enumerable.Range(0, 25).Select(i => 120 + 5 * i).ToArray();

    [Fact]
    public async Task Every_accepted_length_books_moves_within_and_across_days_and_cancels()
    {
        Assert.Equal(240, Lengths[^1]);
        using var gate = new SemaphoreSlim(4);
        await Task.WhenAll(Lengths.Select(async minutes =>
        {
            await gate.WaitAsync();
            try
            {
                await LifeOfOneSessionAsync(minutes);
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    private async Task LifeOfOneSessionAsync(int minutes)
    {
        var clinic = await AddClinicAsync(new() { SlotMinutes = 5, Chairs = 2, Adjust = b => b["sessionMinutes"] = minutes });
        var patient = await clinic.RegisterPatientAsync();
        var monday = new TimeOnly(9, 0);
        var latest = new TimeOnly(18, 0).AddMinutes(-minutes);

        var booked = (await clinic.BookAsync(patient, "2026-12-07T09:00")).Expect(201);
        var id = booked["id"]!;
        await ExpectClaimsAsync(clinic, booked, minutes);

        // Within the day: by one slot (most claims kept), then as late as the day allows (no claim kept).
        var steps = new[] { $"2026-12-07T{monday.AddMinutes(5):HH:mm}", $"2026-12-07T{latest:HH:mm}", "2026-12-08T09:00" };
        foreach (var start in steps)
        {
            var moved = (await clinic.PostAsync($"/sessions/{id}/reschedule", new { start })).Expect(200);
            Assert.Equal(start, moved["start"]);
            await ExpectClaimsAsync(clinic, moved, minutes);
        }
        // Monday is free again for both chairs, all day.
        var mondaySlots = (await clinic.GetAsync("/availability?date=2026-12-07")).Expect(200).Json!["slots"]!.AsArray();
        Assert.All(mondaySlots, s => Assert.Equal(2, (int)s!["freeChairs"]!));
        Assert.Equal((18 - 8) * 12 - minutes / 5 + 1, mondaySlots.Count);

        var cancelled = (await clinic.PostAsync($"/sessions/{id}/cancel", new { reason = "unwell" })).Expect(200);
        Assert.Equal("cancelled", cancelled["status"]);
        Assert.DoesNotContain(await StoredRows.ChairClaimsAsync(App, clinic.ClinicId), c => c.SessionId == id);
        Assert.Empty(await StoredRows.PartitionAsync(App, clinic.ClinicId, "pday|"));
        Assert.Empty(await StoredRows.PartitionAsync(App, clinic.ClinicId, Keys.ClaimReleasePrefix));
    }

    /// <summary>The session holds exactly one claim per 5-minute tick from start to end, and no release is left pending.</summary>
    private async Task ExpectClaimsAsync(Scenario clinic, Reply session, int minutes)
    {
        var id = session["id"]!;
        var startUtc = DateTime.Parse(session["startUtc"]!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
        var expected = Enumerable.Range(0, minutes / 5).Select(i => startUtc.AddMinutes(5 * i).ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture)).ToList();
        var held = (await StoredRows.ChairClaimsAsync(App, clinic.ClinicId)).Where(c => c.SessionId == id).Select(c => c.Key.Split('|')[1]).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, held);
        Assert.Empty(await StoredRows.PartitionAsync(App, clinic.ClinicId, Keys.ClaimReleasePrefix));
    }

    [Fact]
    public async Task A_release_left_by_a_crash_keeps_the_chairs_taken_until_the_sweep_finishes_it()
    {
        var clinic = await AddClinicAsync(new() { SlotMinutes = 5, Chairs = 1, Adjust = b => b["sessionMinutes"] = 240 });
        var id = (await clinic.BookAsync(await clinic.RegisterPatientAsync(), "2026-12-07T09:00")).Expect(201)["id"]!;
        var mondayClaims = (await StoredRows.ChairClaimsAsync(App, clinic.ClinicId)).Select(c => c.Key).ToList();
        Assert.Equal(48, mondayClaims.Count);
        (await clinic.PostAsync($"/sessions/{id}/reschedule", new { start = "2026-12-08T09:00" })).Expect(200);

        // As if the process died between the move's commit and the deletion of the old claims.
        var store = App.Services.GetRequiredService<IDocumentStore>();
        var left = new List<Change>(mondayClaims.Select(k => new Change.Insert(k, new ChairClaim(id))));
        left.Add(new Change.Insert(Keys.ClaimRelease(id, "crashed"), new ClaimRelease(id, mondayClaims)));
        foreach (var chunk in left.Chunk(IDocumentStore.MaxChangesPerCommit))
        {
            await store.CommitAsync(clinic.ClinicId, chunk, CancellationToken.None);
        }

        // The only chair looks taken on Monday morning: never double-booked, only not yet offered.
        var other = await clinic.RegisterPatientAsync();
        (await clinic.BookAsync(other, "2026-12-07T09:00")).ExpectProblem(409, "capacity");

        await App.RunFunctionAsync("SweepMissedSessions");
        Assert.Empty(await StoredRows.PartitionAsync(App, clinic.ClinicId, Keys.ClaimReleasePrefix));
        Assert.All(await StoredRows.ChairClaimsAsync(App, clinic.ClinicId), c => Assert.StartsWith("chair|20261208", c.Key));
        (await clinic.BookAsync(other, "2026-12-07T09:00")).Expect(201);
    }
}
