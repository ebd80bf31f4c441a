namespace ClinicBackend.Integration.Tests.Support;

/// <summary>Asserts on a reply's status and problem details.</summary>
public static class ReplyAssertions
{
    public static Reply Expect(this Reply reply, int status)
    {
        Assert.True(reply.Status == status, reply.StatusMismatch(status));
        return reply;
    }

    /// <summary>Asserts a problem-details refusal with the given status and type code.</summary>
    public static Reply ExpectProblem(this Reply reply, int status, string? code = null)
    {
        reply.Expect(status);
        Assert.StartsWith("application/problem+json", reply.ContentType);
        Assert.False(string.IsNullOrWhiteSpace(reply["detail"]), "a problem says in detail what to change");
        if (code is not null)
        {
            Assert.Equal($"https://clinic-backend.dev/problems/{code}", reply["type"]);
        }
        return reply;
    }
}
