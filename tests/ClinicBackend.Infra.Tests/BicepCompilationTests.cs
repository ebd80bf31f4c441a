using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ClinicBackend.Infra.Tests.Support;

namespace ClinicBackend.Infra.Tests;

/// <summary>The templates compile and lint clean, with only local modules and an enforcing linter config.</summary>
[Collection(InfraCollection.Name)]
public sealed class BicepCompilationTests(InfraFixture fixture)
{
    private readonly CompiledInfra infra = fixture.Infra;

    [Fact]
    public void Every_bicep_file_compiles_without_warnings_or_errors()
    {
        Assert.Contains("main.bicep", infra.CompiledFiles.Keys);
        Assert.True(infra.CompiledFiles.Keys.Count(k => k.StartsWith("modules", StringComparison.Ordinal)) >= 6,
            "main.bicep composes small modules under infra/modules/.");
        foreach (var (source, json) in infra.CompiledFiles)
        {
            Assert.True(File.Exists(json), $"{source} did not compile.");
        }
        var build = infra.Runs.Single(r => r.Arguments.StartsWith("build ", StringComparison.Ordinal));
        Assert.Equal(0, build.ExitCode);
        Assert.Empty(build.Diagnostics);
    }

    [Fact]
    public void Every_bicep_and_bicepparam_file_lints_clean()
    {
        var lint = infra.Runs.Single(r => r.Arguments.StartsWith("lint ", StringComparison.Ordinal));
        Assert.Equal(0, lint.ExitCode);
        Assert.Empty(lint.Diagnostics);
    }

    [Fact]
    public void The_dev_parameters_file_builds_clean()
    {
        var runs = infra.Runs.Where(r => r.Arguments.StartsWith("build-params ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(runs);
        Assert.All(runs, r => Assert.Equal(0, r.ExitCode));
        Assert.All(runs, r => Assert.Empty(r.Diagnostics));
        Assert.Contains("main.dev.parameters.json", infra.ParameterValues.Keys);
    }

    [Fact]
    public void Only_local_modules_are_used()
    {
        foreach (var file in infra.BicepFiles)
        {
            foreach (var line in File.ReadLines(file))
            {
                var match = Regex.Match(line, @"^\s*module\s+\w+\s+'([^']+)'");
                if (match.Success)
                {
                    var reference = match.Groups[1].Value;
                    Assert.False(reference.Contains(':', StringComparison.Ordinal),
                        $"{Path.GetFileName(file)}: module '{reference}' comes from a registry; only local modules are allowed.");
                    Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(file)!, reference)), $"{reference} is missing.");
                }
            }
        }
    }

    [Theory]
    [InlineData("use-recent-api-versions")]
    [InlineData("no-hardcoded-env-urls")]
    [InlineData("secure-parameter-default")]
    [InlineData("outputs-should-not-contain-secrets")]
    [InlineData("use-secure-value-for-secure-inputs")]
    [InlineData("secure-params-in-nested-deploy")]
    [InlineData("no-unused-params")]
    [InlineData("no-unused-vars")]
    [InlineData("use-resource-symbol-reference")]
    public void The_linter_config_enforces_the_rules_the_templates_rely_on(string rule)
    {
        var config = JsonNode.Parse(
            File.ReadAllText(Path.Combine(infra.InfraDirectory, "bicepconfig.json")),
            documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!;
        Assert.True(config["analyzers"]?["core"]?["enabled"]?.GetValue<bool>() ?? true, "The core analyzer is enabled.");
        var level = config["analyzers"]?["core"]?["rules"]?[rule]?["level"]?.GetValue<string>();
        Assert.True(level is "warning" or "error", $"{rule} must be at level warning or error (is '{level}').");
    }

    [Fact]
    public void Suppressions_are_limited_to_the_documented_ones()
    {
        // Allowed: the diagnosticSettings API has no GA version newer than its preview, and the role
        // assignment names use the principal id of an identity created in the same deployment.
        string[] allowed = ["use-recent-api-versions", "what-if-short-circuiting"];
        foreach (var file in infra.BicepFiles.Concat(infra.ParameterFiles))
        {
            foreach (Match match in Regex.Matches(File.ReadAllText(file), @"#disable-(next-line|diagnostics)\s+([^\r\n]+)"))
            {
                foreach (var rule in match.Groups[2].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    Assert.True(allowed.Contains(rule), $"{Path.GetFileName(file)} suppresses '{rule}'.");
                }
            }
        }
    }

    [Fact]
    public void Api_versions_are_stable_except_diagnostic_settings()
    {
        foreach (var resource in infra.Resources)
        {
            var version = resource.Node["apiVersion"]?.GetValue<string>() ?? "";
            if (version.Contains("preview", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Equal("Microsoft.Insights/diagnosticSettings", resource.Type);
            }
        }
    }
}
