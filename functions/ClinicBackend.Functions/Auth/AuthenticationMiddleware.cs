using ClinicBackend.Functions.Triggers;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace ClinicBackend.Functions.Auth;

/// <summary>
/// Worker middleware: authenticates every HTTP function not marked <see cref="PublicEndpointAttribute"/>.
/// A refusal becomes the invocation result, so the function never runs.
/// </summary>
public sealed class AuthenticationMiddleware(RequestAuthenticator authenticator) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var http = context.GetHttpContext();
        if (http is null || FunctionCatalog.IsPublic(context.FunctionDefinition.Name))
        {
            await next(context);
            return;
        }
        var refusal = await authenticator.AuthenticateAsync(http);
        if (refusal is not null)
        {
            context.GetInvocationResult().Value = refusal;
            return;
        }
        await next(context);
    }
}
