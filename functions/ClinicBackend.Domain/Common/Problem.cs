namespace ClinicBackend.Domain.Common;

/// <summary>What kind of refusal a problem is; the HTTP layer maps each kind to one status code.</summary>
public enum ProblemKind
{
    /// <summary>Malformed input or invalid fields (400).</summary>
    Invalid,
    /// <summary>Authenticated but not allowed (403).</summary>
    Forbidden,
    /// <summary>Unknown resource, or one the caller may not know of (404).</summary>
    NotFound,
    /// <summary>Conflicts with current state: capacity, double booking, stale version (409).</summary>
    Conflict,
    /// <summary>Well-formed but against a clinical or business rule (422).</summary>
    RuleViolation,
    /// <summary>The body is larger than allowed (413).</summary>
    TooLarge,
    /// <summary>The body is not in a media type the route reads (415).</summary>
    UnsupportedMediaType,
}

/// <summary>An RFC 9457 problem, independent of HTTP types. <see cref="Code"/> becomes the last segment of its type URI.</summary>
public sealed record Problem(
    ProblemKind Kind,
    string Code,
    string Title,
    string Detail,
    IReadOnlyDictionary<string, string[]>? Errors = null)
{
    public static Problem Validation(IReadOnlyDictionary<string, string[]> errors) =>
        new(ProblemKind.Invalid, "validation", "The request has invalid fields.",
            "Correct the fields listed in 'errors' and send the request again.", errors);

    public static Problem Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static Problem NotFound(string what) =>
        new(ProblemKind.NotFound, "not-found", "Not found.", $"No {what} with that id exists here.");

    public static Problem Forbidden(string detail) =>
        new(ProblemKind.Forbidden, "forbidden", "Not allowed.", detail);

    public static Problem Rule(string code, string title, string detail) =>
        new(ProblemKind.RuleViolation, code, title, detail);

    public static Problem Conflict(string code, string title, string detail) =>
        new(ProblemKind.Conflict, code, title, detail);

    public static Problem StaleVersion(int current) =>
        Conflict("stale-version", "The resource has changed.",
            $"The resource is now at version {current}. Read it again and repeat the change with If-Match: {current}.");
}

/// <summary>A value or the problem that prevented it.</summary>
public readonly struct Result<T>
{
    private readonly T? _value;

    private Result(T? value, Problem? problem)
    {
        _value = value;
        Problem = problem;
    }

    public Problem? Problem { get; }

    public bool IsSuccess => Problem is null;

    public T Value => Problem is null ? _value! : throw new InvalidOperationException($"No value: {Problem.Code}");

    public static implicit operator Result<T>(T value) => new(value, null);

    public static implicit operator Result<T>(Problem problem) => new(default, problem);
}
