using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace ClinicBackend.Infra.Tests.Support;

/// <summary>
/// Runs the Bicep CLI shipped in the NuGet package Azure.Bicep.CommandLine.linux-x64. The project file
/// hands its path to the tests as the assembly metadata "BicepPath"; nothing is downloaded.
/// </summary>
public static partial class BicepCli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    /// <summary>What one CLI run printed.</summary>
    public sealed record Result(string Arguments, int ExitCode, string Output)
    {
        /// <summary>Lines reporting a warning or an error (compiler or linter), in Bicep's format or any other.</summary>
        public IReadOnlyList<string> Diagnostics =>
            Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(line => DiagnosticLine().IsMatch(line))
                .ToList();

        public override string ToString() => $"bicep {Arguments} (exit {ExitCode})\n{Output}";
    }

    public static string ExecutablePath { get; } = Locate();

    public static string InfraDirectory { get; } = LocateInfra();

    /// <summary>Runs the CLI, failing on a timeout (a hang is how a network access shows on this machine).</summary>
    public static Result Run(IReadOnlyDictionary<string, string?>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(ExecutablePath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = InfraDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        // No tracing output, and no telemetry from the .NET runtime inside the CLI.
        start.Environment["BICEP_TRACING_ENABLED"] = "false";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {ExecutablePath}.");
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException(
                $"bicep {string.Join(' ', arguments)} did not finish within {Timeout.TotalSeconds:0} s. " +
                "On this machine a hang usually means the CLI is trying to reach the network (a registry module " +
                "restore or similar): keep infra/ on local modules and pass --no-restore.");
        }
        process.WaitForExit();
        output.Append(stdout.GetAwaiter().GetResult()).Append(stderr.GetAwaiter().GetResult());
        return new Result(string.Join(' ', arguments), process.ExitCode, output.ToString());
    }

    private static string Locate()
    {
        var path = Metadata("BicepPath");
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            throw new InvalidOperationException(
                $"The Bicep CLI was not found at '{path}'. It comes from the NuGet package " +
                "Azure.Bicep.CommandLine.linux-x64 (tools/bicep); run `dotnet restore` for this project.");
        }
        if (!OperatingSystem.IsWindows())
        {
            // NuGet extraction can drop the executable bit; the project's MSBuild target sets it too.
            var mode = File.GetUnixFileMode(path);
            const UnixFileMode exec = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            if ((mode & UnixFileMode.UserExecute) == 0)
            {
                File.SetUnixFileMode(path, mode | exec);
            }
        }
        return path;
    }

    private static string LocateInfra()
    {
        var configured = Metadata("InfraDirectory");
        if (!string.IsNullOrEmpty(configured) && File.Exists(Path.Combine(configured, "main.bicep")))
        {
            return configured;
        }
        // The output folder moved with the clone: look upwards for the repository's infra/.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "infra");
            if (File.Exists(Path.Combine(candidate, "main.bicep")))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException($"infra/main.bicep not found (configured: '{configured}').");
    }

    private static string? Metadata(string key) =>
        typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == key)?.Value;

    [GeneratedRegex(@"\b(Warning|Error)\b")]
    private static partial Regex DiagnosticLine();
}
