using ClinicBackend.Functions.Configuration;
using ClinicBackend.Functions.Pipeline;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseWhen<HttpPipelineMiddleware>(HttpPipelineMiddleware.AppliesTo);
builder.Services.AddClinicBackend(builder.Configuration, builder.Environment);
if (Telemetry.ExportsToAzureMonitor(builder.Configuration))
{
    // The worker exports its own logs, traces and metrics (see Telemetry); the host stops sending its logs on its behalf.
    builder.Services.AddOpenTelemetry().UseFunctionsWorkerDefaults();
}
builder.Build().Run();
