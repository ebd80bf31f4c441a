using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Flags;
using NodaTime;

namespace ClinicBackend.Integration.Tests.Api;

public sealed class FlagListTests : ClinicAppTest
{
    [Fact]
    public async Task A_kind_filter_pages_through_a_long_history_newest_first_without_gaps_or_repeats()
    {
        var store = App.Services.GetRequiredService<IDocumentStore>();
        var start = Instant.FromUtc(2026, 1, 1, 0, 0);
        // 3 old crisis flags, then 450 newer patient messages: the crisis ones sit three pages deep.
        var flags = Enumerable.Range(0, 3).Select(i => Resolved(FlagKinds.Crisis, $"c{i}", start + Duration.FromMinutes(i)))
            .Concat(Enumerable.Range(0, 450).Select(i => Resolved(FlagKinds.PatientMessage, $"m{i}", start + Duration.FromHours(1) + Duration.FromMinutes(i))))
            .ToList();
        foreach (var chunk in flags.SelectMany(f => new Change[] { new Change.Insert(Keys.Flag(f.Id), f), new Change.Insert(Keys.FlagIndex("resolved", f.CreatedAt, f.Id), f) }).Chunk(100))
        {
            await store.CommitAsync(Clinic.ClinicId, chunk, default);
        }

        var crisis = (await Clinic.GetAsync("/flags?status=resolved&kind=crisis&limit=2")).Expect(200).Json!["flags"]!.AsArray();
        Assert.Equal([Flag.IdFor(FlagKinds.Crisis, "c2"), Flag.IdFor(FlagKinds.Crisis, "c1")], crisis.Select(f => f!["id"]!.ToString()));

        var messages = (await Clinic.GetAsync("/flags?status=resolved&kind=patient-message&limit=500")).Expect(200).Json!["flags"]!.AsArray();
        Assert.Equal(Enumerable.Range(0, 450).Reverse().Select(i => Flag.IdFor(FlagKinds.PatientMessage, $"m{i}")), messages.Select(f => f!["id"]!.ToString()));
    }

    private static Flag Resolved(string kind, string cause, Instant at) =>
        Flag.For(kind, cause, FlagSeverity.Normal, null, null, at, "seeded") with { Status = FlagStatus.Resolved, ResolvedAt = at, ResolvedBy = "test" };
}
