using ClinicBackend.Functions.Configuration;
using ClinicBackend.Infrastructure.Storage;
using ClinicBackend.LocalHost;

if (args.Length > 0 && args[0] == "mint-token")
{
    return DevTokenCommand.Run(args[1..]);
}
if (args.Length > 0 && args[0] == "restore")
{
    return await RestoreCommand.RunAsync(args[1..]);
}

var builder = LocalFunctionsHost.CreateBuilder(args);
await using var azurite = await StartAzuriteIfNeededAsync(builder);
var app = LocalFunctionsHost.Build(builder);
var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("LocalHost");
foreach (var line in ServiceRegistration.DescribeModes(app.Services))
{
    log.LogInformation("{Mode}", line);
}
log.LogInformation("Serving {Count} functions under /{Prefix}; run a timer with POST /admin/functions/{{name}}.",
    ClinicBackend.Functions.Triggers.FunctionCatalog.All.Count, LocalFunctionsHost.RoutePrefix());
await app.RunAsync();
return 0;

// With the default storage (UseDevelopmentStorage=true) and nothing listening on the Azurite table port,
// start Azurite for the lifetime of this host, its data in the git-ignored .azurite folder.
static async Task<AzuriteProcess?> StartAzuriteIfNeededAsync(WebApplicationBuilder builder)
{
    var storage = builder.Configuration.GetSection(ClinicStorageOptions.Section).Get<ClinicStorageOptions>() ?? new();
    if (!storage.IsDevelopmentStorageDefault || await AzuriteProcess.IsListeningAsync(10002))
    {
        return null;
    }
    var dataFolder = Path.Combine(RepositoryRoot.Find(), ".azurite");
    return await AzuriteProcess.StartAsync(dataFolder, defaultPorts: true, Console.WriteLine);
}
