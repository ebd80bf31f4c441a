using ClinicBackend.Functions.Configuration;
using ClinicBackend.Functions.Pipeline;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseWhen<HttpPipelineMiddleware>(HttpPipelineMiddleware.AppliesTo);
builder.Services.AddClinicBackend(builder.Configuration, builder.Environment);
builder.Build().Run();
