using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ClinicBackend.Infra.Tests.Support;

namespace ClinicBackend.Infra.Tests;

[Collection(InfraCollection.Name)]
public sealed class ParametersAndOutputsTests(InfraFixture fixture)
{
    private readonly CompiledInfra infra = fixture.Infra;

    private JsonObject Outputs => infra.Main.Outputs;

    private string Output(string name)
    {
        Assert.True(Outputs.ContainsKey(name), $"main.bicep has no output '{name}' (has: {string.Join(", ", Outputs.Select(o => o.Key))}).");
        return CompiledInfra.Text(Outputs[name]!["value"]);
    }

    [Fact]
    public void Outputs_include_the_app_url()
    {
        var url = Output("functionAppUrl");
        Assert.StartsWith("[format('https://{0}', ", url, StringComparison.Ordinal);
        Assert.EndsWith(".outputs.defaultHostName.value)]", url, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("twilioInboundWebhookUrl", "/api/sms/inbound")]
    [InlineData("twilioStatusCallbackUrl", "/api/sms/status")]
    public void Outputs_include_the_twilio_webhook_urls(string output, string path)
    {
        var url = Output(output);
        Assert.StartsWith($"[format('{{0}}{path}', ", url, StringComparison.Ordinal);
        Assert.EndsWith(".outputs.publicBaseUrl.value)]", url, StringComparison.Ordinal);
        // The base is the same public URL the app validates Twilio's signatures against.
        var app = infra.Single("Microsoft.Web/sites").Template;
        Assert.Contains($"'{app.DeploymentName}'", url, StringComparison.Ordinal);
        Assert.Equal(
            CompiledInfra.Text(infra.AppSettings["Twilio__PublicBaseUrl"].Value),
            CompiledInfra.Text(app.Outputs["publicBaseUrl"]!["value"]));
    }

    [Fact]
    public void Outputs_carry_no_secrets()
    {
        foreach (var template in infra.Main.AllTemplates())
        {
            foreach (var (name, output) in template.Outputs)
            {
                Assert.NotEqual("securestring", output!["type"]?.GetValue<string>());
                Assert.DoesNotContain("twilioAuthToken')", CompiledInfra.Text(output["value"]), StringComparison.Ordinal);
                Assert.DoesNotContain("ConnectionString", CompiledInfra.Text(output["value"]), StringComparison.Ordinal);
                Assert.False(Regex.IsMatch(name, "(?i)(password|secret$|token$|key$)"), $"{template.DeploymentName} outputs '{name}'.");
            }
        }
    }

    [Fact]
    public void The_twilio_auth_token_parameter_is_secure_everywhere_it_passes()
    {
        Assert.Equal("securestring", infra.Main.Parameters["twilioAuthToken"]!["type"]!.GetValue<string>());
        foreach (var template in infra.Main.AllTemplates())
        {
            foreach (var (name, parameter) in template.Parameters)
            {
                var secure = parameter!["type"]!.GetValue<string>() is "securestring" or "secureObject";
                if (secure)
                {
                    Assert.Null(parameter["defaultValue"]);
                }
                // A value handed from a secure parameter must land in a secure parameter.
                if (template.Deployment?["properties"]?["parameters"]?[name]?["value"] is JsonValue passed
                    && ArmTemplate.ParseCall(CompiledInfra.Text(passed)) is ("parameters", var args)
                    && template.Parent!.Parameters[args[0].Trim('\'')]?["type"]?.GetValue<string>() == "securestring")
                {
                    Assert.True(secure, $"{template.DeploymentName}: parameter '{name}' receives a secure value but is not @secure().");
                }
            }
        }
    }

    [Fact]
    public void Parameters_named_like_secrets_are_secure()
    {
        foreach (var template in infra.Main.AllTemplates())
        {
            foreach (var (name, parameter) in template.Parameters)
            {
                // Names of secrets (…SecretName) and URLs are not secrets; tokens, passwords and keys are.
                if (Regex.IsMatch(name, "(?i)(token|password|secret|apikey|accountkey)$"))
                {
                    Assert.Equal("securestring", parameter!["type"]!.GetValue<string>());
                }
            }
        }
    }

    [Fact]
    public void Every_parameter_has_a_description()
    {
        foreach (var template in infra.Main.AllTemplates())
        {
            foreach (var (name, parameter) in template.Parameters)
            {
                Assert.False(string.IsNullOrWhiteSpace(parameter!["metadata"]?["description"]?.GetValue<string>()),
                    $"{template.DeploymentName}: parameter '{name}' has no @description.");
            }
        }
    }

    [Fact]
    public void The_dev_parameters_file_reads_the_auth_token_from_the_environment()
    {
        var file = infra.ParameterFiles.Single(f => Path.GetFileName(f) == "main.dev.bicepparam");
        Assert.Matches(@"param\s+twilioAuthToken\s*=\s*readEnvironmentVariable\('TWILIO_AUTH_TOKEN'\)", File.ReadAllText(file));
        var built = infra.ParameterValues["main.dev.parameters.json"]["parameters"]!;
        Assert.Equal(CompiledInfra.PlaceholderTwilioAuthToken, built["twilioAuthToken"]!["value"]!.GetValue<string>());
    }

    [Fact]
    public void The_dev_parameters_file_sets_every_required_parameter()
    {
        var built = infra.ParameterValues["main.dev.parameters.json"]["parameters"]!.AsObject();
        foreach (var (name, parameter) in infra.Main.Parameters)
        {
            if (parameter!["defaultValue"] is null)
            {
                Assert.True(built.ContainsKey(name), $"main.dev.bicepparam does not set the required parameter '{name}'.");
            }
        }
    }

    [Fact]
    public void Resource_names_are_derived_from_unique_string_of_the_resource_group()
    {
        Assert.Equal("[uniqueString(resourceGroup().id)]", CompiledInfra.Text(infra.Main.Variables["token"]));
        foreach (var (name, value) in infra.Main.Variables["names"]!.AsObject())
        {
            var text = CompiledInfra.Text(value);
            Assert.True(name == "deploymentContainer" || text.Contains("variables('token')", StringComparison.Ordinal),
                $"Resource name '{name}' ({text}) is not unique to the resource group.");
        }
    }
}
