using ClinicBackend.Functions.Triggers;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace ClinicBackend.Functions.Pipeline;

/// <summary>
/// The worker's middleware for HTTP functions: runs the <see cref="HttpPipeline"/> around the function. A
/// refusal or a failure is written to the HTTP response and the function's own result is left unset, so the
/// ASP.NET Core integration has nothing more to write.
/// </summary>
public sealed class HttpPipelineMiddleware(HttpPipeline pipeline) : IFunctionsWorkerMiddleware
{
    public Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var function = FunctionCatalog.Find(context.FunctionDefinition.Name)
            ?? throw new InvalidOperationException($"Function {context.FunctionDefinition.Name} is not in the catalog.");
        // Fail closed: an HTTP function never runs without the request it must check.
        var http = context.GetHttpContext()
            ?? throw new InvalidOperationException($"HTTP function {function.Name} was invoked without an HttpContext; refusing to run it.");
        return pipeline.RunAsync(function, http, () => next(context));
    }

    /// <summary>The functions this middleware runs for (Program.cs: UseWhen).</summary>
    public static bool AppliesTo(FunctionContext context) =>
        context.FunctionDefinition.InputBindings.Values.Any(b => b.Type.Equals("httpTrigger", StringComparison.OrdinalIgnoreCase));
}
