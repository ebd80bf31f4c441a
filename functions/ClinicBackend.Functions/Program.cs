using ClinicBackend.Functions.Auth;
using ClinicBackend.Functions.Configuration;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseWhen<AuthenticationMiddleware>(context =>
    context.FunctionDefinition.InputBindings.Values.Any(b => b.Type.Equals("httpTrigger", StringComparison.OrdinalIgnoreCase)));
builder.Services.AddClinicBackend(builder.Configuration, builder.Environment);
builder.Build().Run();
