using ClinicBackend.Infra.Tests.Support;

namespace ClinicBackend.Infra.Tests;

[Collection(InfraCollection.Name)]
public sealed class KeyVaultTests(InfraFixture fixture)
{
    private readonly CompiledInfra infra = fixture.Infra;

    private ArmResource Vault => infra.Single("Microsoft.KeyVault/vaults");

    [Fact]
    public void Vault_uses_rbac_authorization()
    {
        Assert.True(Vault.Properties["enableRbacAuthorization"]!.GetValue<bool>());
        Assert.Null(Vault.Properties["accessPolicies"]);
    }

    [Fact]
    public void Purge_protection_is_enabled()
    {
        Assert.True(Vault.Properties["enablePurgeProtection"]!.GetValue<bool>());
    }

    [Fact]
    public void Soft_delete_is_enabled()
    {
        Assert.True(Vault.Properties["enableSoftDelete"]?.GetValue<bool>() ?? true);
        var days = Vault.Resolve(Vault.Properties["softDeleteRetentionInDays"])!.GetValue<int>();
        Assert.InRange(days, 7, 90);
    }

    [Fact]
    public void The_twilio_auth_token_secret_comes_from_a_secure_parameter()
    {
        var secret = infra.Single("Microsoft.KeyVault/vaults/secrets");
        var value = CompiledInfra.Text(secret.Properties["value"]);
        var call = ArmTemplate.ParseCall(value);
        Assert.True(call is ("parameters", _), $"The secret's value must be a parameter, not '{value}'.");
        var parameter = call!.Value.Arguments[0].Trim('\'');
        Assert.Equal("securestring", secret.Template.Parameters[parameter]!["type"]!.GetValue<string>());
        Assert.Null(secret.Template.Parameters[parameter]!["defaultValue"]);
    }
}
