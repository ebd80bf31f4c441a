using ClinicBackend.Domain.Common;

namespace ClinicBackend.Application.Persistence;

/// <summary>Read, decide, commit; when the commit loses a race, read and decide again on fresh data.</summary>
public static class Concurrency
{
    public const int MaxAttempts = 8;

    /// <summary>
    /// Runs <paramref name="attempt"/> until it completes without a <see cref="CommitConflictException"/>,
    /// at most <paramref name="attempts"/> times (with a short random pause after the first races); then
    /// returns <paramref name="exhausted"/>, or, when that is null, lets the last conflict through.
    /// Only conflicts that <paramref name="retryWhen"/> accepts (all when null) are tried again; others pass through at once.
    /// </summary>
    public static async Task<T> RetryAsync<T>(Func<Task<T>> attempt, Func<T>? exhausted, int attempts = MaxAttempts,
        Func<CommitConflictException, bool>? retryWhen = null)
    {
        for (var i = 0; ; i++)
        {
            try
            {
                return await attempt();
            }
            catch (CommitConflictException conflict) when ((retryWhen is null || retryWhen(conflict)) && (i + 1 < attempts || exhausted is not null))
            {
                if (i + 1 >= attempts)
                {
                    return exhausted!();
                }
                if (i >= 2)
                {
                    await Task.Delay(Random.Shared.Next(5, 20 * i));
                }
            }
        }
    }

    /// <summary>An API operation: after <see cref="MaxAttempts"/> lost races the caller is told to try again.</summary>
    public static Task<Result<T>> RetryOnConflictAsync<T>(Func<Task<Result<T>>> attempt) =>
        RetryAsync(attempt, () => Busy);

    /// <summary>A stale <c>If-Match</c> is a conflict; an absent one matches anything.</summary>
    public static Problem? CheckIfMatch(int? expected, int current) =>
        expected is { } v && v != current ? Problem.StaleVersion(current) : null;

    public static Problem Busy => Problem.Conflict("busy", "Too many changes at once.",
        "Others changed the same data at the same moment; send the request again.");
}
