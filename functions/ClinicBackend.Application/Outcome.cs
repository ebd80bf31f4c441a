using ClinicBackend.Application.Clinics;
using ClinicBackend.Application.Flags;
using ClinicBackend.Application.Patients;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Sessions;
using ClinicBackend.Domain.Common;

namespace ClinicBackend.Application;

public enum OutcomeKind
{
    Ok,
    Created,
    NoContent,
}

/// <summary>A successful answer: the body, and for a new resource its path below the API prefix.</summary>
public sealed record Outcome(OutcomeKind Kind, object? Body, string? Location = null, int? Version = null)
{
    public static Outcome Ok(object body, int? version = null) => new(OutcomeKind.Ok, body, null, version);

    public static Outcome Created(object body, string location, int? version = null) => new(OutcomeKind.Created, body, location, version);

    public static Outcome NoContent() => new(OutcomeKind.NoContent, null);
}

public static class Concurrency
{
    public const int MaxAttempts = 8;

    /// <summary>
    /// Runs an operation that reads, decides and commits; when its commit loses a race it runs again on
    /// fresh data, where the decision sees the winner's change.
    /// </summary>
    public static async Task<Result<T>> RetryOnConflictAsync<T>(Func<int, Task<Result<T>>> attempt, Func<Problem> exhausted)
    {
        for (var i = 0; i < MaxAttempts; i++)
        {
            try
            {
                return await attempt(i);
            }
            catch (CommitConflictException)
            {
                if (i >= 2)
                {
                    await Task.Delay(Random.Shared.Next(5, 20 * i));
                }
            }
        }
        return exhausted();
    }

    /// <summary>A stale <c>If-Match</c> is a conflict; an absent one matches anything.</summary>
    public static Problem? CheckIfMatch(int? expected, int current) =>
        expected is { } v && v != current ? Problem.StaleVersion(current) : null;

    public static readonly Func<Problem> Busy = () => Problem.Conflict("busy", "Too many changes at once.",
        "Others changed the same data at the same moment; send the request again.");
}
