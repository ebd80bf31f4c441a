using System.Globalization;
using ClinicBackend.Application.Records;
using ClinicBackend.Functions.Configuration;

namespace ClinicBackend.LocalHost;

/// <summary>
/// <c>restore --clinic ID --from FILE [--to-clinic ID]</c>: puts a clinic's rows back from a nightly export (a local
/// file, or a blob name in the records container such as <c>c123/2026-12-01.jsonl.gz</c>), with the storage settings
/// the host would use (local.settings.json, then the environment: the same command reaches Azure when they name its
/// endpoints). Prints only what it restored; a refusal goes to stderr with exit code 1 and nothing written.
/// </summary>
public static class RestoreCommand
{
    public const string Usage = "usage: restore --clinic <clinic id> --from <file or blob name> [--to-clinic <new clinic id>]";

    public static async Task<int> RunAsync(string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(LocalFunctionsHost.ReadLocalSettings())
            .AddEnvironmentVariables()
            .Build();
        var environment = new Microsoft.Extensions.Hosting.Internal.HostingEnvironment
        {
            EnvironmentName = Environment.GetEnvironmentVariable("AZURE_FUNCTIONS_ENVIRONMENT") ?? Environments.Development,
            ApplicationName = "ClinicBackend.LocalHost",
            ContentRootPath = AppContext.BaseDirectory,
        };
        var problems = SettingsValidator.Validate(configuration, environment);
        if (problems.Count > 0)
        {
            problems.ToList().ForEach(Console.Error.WriteLine);
            return 2;
        }
        await using var services = new ServiceCollection().AddLogging().AddClinicBackend(configuration, environment).BuildServiceProvider();
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        return await RunAsync(args, services, Console.Out, Console.Error, cancel.Token);
    }

    /// <summary>The command on a built service provider: what the tests and the drill run.</summary>
    public static async Task<int> RunAsync(string[] args, IServiceProvider services, TextWriter output, TextWriter errors, CancellationToken ct)
    {
        if (Parse(args) is not { } request)
        {
            await errors.WriteLineAsync(Usage);
            return 2;
        }
        RestoreReport report;
        try
        {
            report = await services.GetRequiredService<IRecordRestore>().RestoreAsync(request, ct);
        }
        catch (RestoreRefusedException e)
        {
            await errors.WriteLineAsync($"restore refused: {e.Message}");
            return 1;
        }
        var manifest = report.Manifest;
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"restored clinic {manifest.ClinicId} as {report.TargetClinicId} from {request.From} (exported {manifest.StartedAt}; SHA-256 and {manifest.RowCount} rows checked)"));
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"  partition {report.TargetClinicId}: {report.PartitionRows} rows in {report.Transactions} transactions"));
        await output.WriteLineAsync(report.DirectoryRowsLeftOut > 0
            ? string.Create(CultureInfo.InvariantCulture, $"  directory: {report.DirectoryRowsLeftOut} rows of {manifest.ClinicId} left out: the copy is not listed, so no scheduled run and no inbound text reaches it")
            : string.Create(CultureInfo.InvariantCulture, $"  directory: {report.DirectoryRowsWritten} rows written, {report.DirectoryRowsAlreadyThere} already there"));
        return 0;
    }

    internal static RestoreRequest? Parse(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (args[i] is not ("--clinic" or "--from" or "--to-clinic") || i + 1 >= args.Length || !options.TryAdd(args[i], args[i + 1]))
            {
                return null;
            }
        }
        return options.TryGetValue("--clinic", out var clinic) && options.TryGetValue("--from", out var from)
            ? new RestoreRequest(clinic, from, options.GetValueOrDefault("--to-clinic"))
            : null;
    }
}
