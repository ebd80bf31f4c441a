using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClinicBackend.Infra.Tests.Support;

/// <summary>
/// infra/ compiled once per test run: every .bicep built (which runs the linter too) into a temporary
/// folder, every .bicep and .bicepparam linted, and the dev parameters file built. Any warning or error
/// from the CLI fails every test that uses this, with the CLI's output in the message.
/// </summary>
public sealed class CompiledInfra
{
    /// <summary>The value the parameters file reads for the Twilio auth token while the tests build it.</summary>
    public const string PlaceholderTwilioAuthToken = "placeholder-token-set-by-the-infra-tests";

    private static readonly Lazy<CompiledInfra> Shared = new(() => new CompiledInfra(), LazyThreadSafetyMode.ExecutionAndPublication);

    private CompiledInfra()
    {
        InfraDirectory = BicepCli.InfraDirectory;
        OutputDirectory = Directory.CreateTempSubdirectory("clinic-infra-tests-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteOutput();
        var infra = InfraDirectory;
        BicepFiles = Directory.GetFiles(infra, "*.bicep", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        ParameterFiles = Directory.GetFiles(infra, "*.bicepparam", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        if (!BicepFiles.Any(f => Path.GetFileName(f) == "main.bicep") || ParameterFiles.Count == 0)
        {
            throw new InvalidOperationException($"Expected infra/main.bicep and a .bicepparam file in {infra}.");
        }

        // The parameters file reads the secret from the environment; give it a placeholder and clear the
        // optional ones so their documented defaults are what the tests see.
        var environment = new Dictionary<string, string?>
        {
            ["TWILIO_AUTH_TOKEN"] = PlaceholderTwilioAuthToken,
            ["TWILIO_ACCOUNT_SID"] = null,
            ["CLINIC_API_CLIENT_ID"] = null,
        };

        var armDirectory = Path.Combine(OutputDirectory, "arm");
        var runs = new[]
        {
            Task.Run(() => BicepCli.Run(environment, "build", "--pattern", Path.Combine(infra, "**", "*.bicep"), "--outdir", armDirectory, "--no-restore")),
            Task.Run(() => BicepCli.Run(environment, "lint", "--pattern", Path.Combine(infra, "**", "*.bicep*"), "--no-restore")),
        }.Concat(ParameterFiles.Select(file => Task.Run(() => BicepCli.Run(
            environment, "build-params", file, "--outfile",
            Path.Combine(OutputDirectory, "params", Path.GetFileNameWithoutExtension(file) + ".parameters.json"), "--no-restore"))))
        .ToArray();
        Runs = runs.Select(t => t.GetAwaiter().GetResult()).ToList();

        var failures = Runs.Where(r => r.ExitCode != 0 || r.Diagnostics.Count > 0).ToList();
        if (failures.Count > 0)
        {
            throw new InvalidOperationException(
                "The Bicep CLI reported errors or warnings (warnings count as failures here):\n" +
                string.Join("\n", failures));
        }

        CompiledFiles = BicepFiles.ToDictionary(
            f => Path.GetRelativePath(infra, f),
            f => Path.Combine(armDirectory, Path.ChangeExtension(Path.GetRelativePath(infra, f), ".json")));
        var missing = CompiledFiles.Where(p => !File.Exists(p.Value)).Select(p => p.Key).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"bicep build produced no JSON for: {string.Join(", ", missing)}");
        }

        MainJson = File.ReadAllText(CompiledFiles["main.bicep"]);
        Main = ArmTemplate.Root(JsonNode.Parse(MainJson)!.AsObject());
        Resources = Main.AllResources().ToList();
        ParameterValues = Directory.GetFiles(Path.Combine(OutputDirectory, "params"))
            .ToDictionary(f => Path.GetFileName(f), f => JsonNode.Parse(File.ReadAllText(f))!.AsObject());
    }

    public static CompiledInfra Instance => Shared.Value;

    private void DeleteOutput()
    {
        try
        {
            Directory.Delete(OutputDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean; it holds only compiled templates and a placeholder token.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    public string InfraDirectory { get; }

    /// <summary>Temporary folder of the compiled JSON (outside the repository; never committed).</summary>
    public string OutputDirectory { get; }

    public IReadOnlyList<string> BicepFiles { get; }

    public IReadOnlyList<string> ParameterFiles { get; }

    public IReadOnlyList<BicepCli.Result> Runs { get; }

    /// <summary>Path relative to infra/ of each .bicep file -> its compiled JSON.</summary>
    public IReadOnlyDictionary<string, string> CompiledFiles { get; }

    /// <summary>The compiled main.bicep as text (for checks over the whole template).</summary>
    public string MainJson { get; }

    public ArmTemplate Main { get; }

    /// <summary>Every resource of main.json, nested module templates included.</summary>
    public IReadOnlyList<ArmResource> Resources { get; }

    /// <summary>Built parameter files by file name (main.dev.parameters.json).</summary>
    public IReadOnlyDictionary<string, JsonObject> ParameterValues { get; }

    public IEnumerable<ArmResource> OfType(string type) =>
        Resources.Where(r => string.Equals(r.Type, type, StringComparison.OrdinalIgnoreCase));

    public ArmResource Single(string type)
    {
        var matches = OfType(type).ToList();
        Assert.True(matches.Count == 1, $"Expected exactly one {type}, found {matches.Count}.");
        return matches[0];
    }

    public ArmResource Named(string type, string leafName)
    {
        var matches = OfType(type).Where(r => r.LeafName == leafName).ToList();
        Assert.True(matches.Count == 1, $"Expected exactly one {type} named '{leafName}', found {matches.Count} " +
            $"(names: {string.Join(", ", OfType(type).Select(r => r.LeafName ?? r.Name))}).");
        return matches[0];
    }

    /// <summary>
    /// The function app's settings, wherever the template sets them: a sites/config 'appsettings'
    /// resource (name -> value) or siteConfig.appSettings (name/value pairs) on the site.
    /// </summary>
    public IReadOnlyDictionary<string, (JsonNode? Value, ArmResource Owner)> AppSettings
    {
        get
        {
            var settings = new Dictionary<string, (JsonNode?, ArmResource)>(StringComparer.Ordinal);
            foreach (var config in OfType("Microsoft.Web/sites/config").Where(r => r.LeafName == "appsettings"))
            {
                foreach (var (name, value) in config.Properties)
                {
                    settings[name] = (value, config);
                }
            }
            foreach (var site in OfType("Microsoft.Web/sites"))
            {
                if (site.Properties["siteConfig"]?["appSettings"] is JsonArray pairs)
                {
                    foreach (var pair in pairs.OfType<JsonObject>())
                    {
                        settings[pair["name"]!.GetValue<string>()] = (pair["value"], site);
                    }
                }
            }
            return settings;
        }
    }

    public static string Text(JsonNode? node) =>
        node switch
        {
            null => "",
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            _ => node.ToJsonString(new JsonSerializerOptions { WriteIndented = false }),
        };
}

/// <summary>Shares one compilation among all test classes.</summary>
public sealed class InfraFixture
{
    public CompiledInfra Infra { get; } = CompiledInfra.Instance;
}

[CollectionDefinition(Name)]
public sealed class InfraCollection : ICollectionFixture<InfraFixture>
{
    public const string Name = "infra";
}
