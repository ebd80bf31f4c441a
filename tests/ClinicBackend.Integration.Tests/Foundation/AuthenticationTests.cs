using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace ClinicBackend.Integration.Tests.Foundation;

public sealed class AuthenticationTests
{
    /// <summary>An app with Entra ID configured, whose JwtBearer options trust the test key set instead of fetching Entra's.</summary>
    private static Task<TestApp> StartWithEntraAsync(string environment = "Development") => TestApp.StartAsync(
        environment: environment,
        settings: new Dictionary<string, string?>
        {
            ["AzureAd:Instance"] = "https://login.microsoftonline.com/",
            ["AzureAd:TenantId"] = Tokens.TenantId,
            ["AzureAd:ClientId"] = Tokens.ClientId,
            ["Auth:DevSigningKey"] = environment == "Development" ? TestApp.DevKey : null,
            ["Twilio:AccountSid"] = TwilioStandIn.AccountSid,
            ["Twilio:AuthToken"] = TwilioStandIn.AuthToken,
        },
        services: services => services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options =>
        {
            var configuration = new OpenIdConnectConfiguration { Issuer = Tokens.EntraIssuer };
            configuration.SigningKeys.Add(Tokens.EntraKey);
            options.Configuration = configuration;
            options.ConfigurationManager = new StaticConfigurationManager<OpenIdConnectConfiguration>(configuration);
            options.TokenValidationParameters.ValidIssuer = Tokens.EntraIssuer;
            options.TokenValidationParameters.IssuerValidator = (issuer, _, _) =>
                issuer == Tokens.EntraIssuer ? issuer : throw new SecurityTokenInvalidIssuerException("unexpected issuer");
        }));

    private static async Task<int> CreateClinicStatusAsync(TestApp app, string? authorization)
    {
        using var request = app.Request(HttpMethod.Post, "/api/clinics", null, Fixtures.ClinicBody());
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }
        using var response = await app.Http.SendAsync(request);
        var reply = await Reply.ReadAsync(response);
        if (reply.Status == 401)
        {
            reply.ExpectProblem(401, "unauthorized");
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
        }
        return reply.Status;
    }

    [Fact]
    public async Task Requests_without_a_valid_token_are_401()
    {
        await using var app = await TestApp.StartAsync();
        Assert.Equal(401, await CreateClinicStatusAsync(app, null));
        Assert.Equal(401, await CreateClinicStatusAsync(app, "Bearer"));
        Assert.Equal(401, await CreateClinicStatusAsync(app, "Basic dXNlcjpwYXNz"));
        Assert.Equal(401, await CreateClinicStatusAsync(app, "Bearer not-a-jwt"));
        Assert.Equal(401, await CreateClinicStatusAsync(app, "Bearer " + Tokens.Dev("another-key-of-sufficient-length-0123456789", "u1", Roles.PlatformAdmin)));
        Assert.Equal(201, await CreateClinicStatusAsync(app, "Bearer " + app.Token("u1", Roles.PlatformAdmin)));
    }

    [Fact]
    public async Task Entra_tokens_are_validated_with_the_configured_keys()
    {
        await using var app = await StartWithEntraAsync("Production");
        Assert.Equal(201, await CreateClinicStatusAsync(app, "Bearer " + Tokens.Entra("admin", [Roles.PlatformAdmin])));
        Assert.Equal(401, await CreateClinicStatusAsync(app, "Bearer " + Tokens.Entra("admin", [Roles.PlatformAdmin], key: new RsaSecurityKey(RSA.Create(2048)) { KeyId = "test-entra-key" })));
        Assert.Equal(401, await CreateClinicStatusAsync(app, "Bearer " + Tokens.Entra("admin", [Roles.PlatformAdmin], audience: "api://someone-else")));
        Assert.Equal(401, await CreateClinicStatusAsync(app, "Bearer " + Tokens.Entra("admin", [Roles.PlatformAdmin], issuer: "https://login.microsoftonline.com/other/v2.0")));
        Assert.Equal(401, await CreateClinicStatusAsync(app, "Bearer " + Tokens.Entra("admin", [Roles.PlatformAdmin], expires: DateTime.UtcNow.AddHours(-1))));
        // Outside Development a token signed with a development key is refused like any unknown token.
        Assert.Equal(401, await CreateClinicStatusAsync(app, "Bearer " + app.Token("admin", Roles.PlatformAdmin)));
    }

    [Fact]
    public async Task In_development_both_kinds_of_token_work()
    {
        await using var app = await StartWithEntraAsync();
        Assert.Equal(201, await CreateClinicStatusAsync(app, "Bearer " + Tokens.Entra("admin", [Roles.PlatformAdmin])));
        Assert.Equal(201, await CreateClinicStatusAsync(app, "Bearer " + app.Token("admin", Roles.PlatformAdmin)));
    }

    [Fact]
    public async Task Roles_decide_what_an_authenticated_caller_may_do()
    {
        await using var app = await TestApp.StartAsync();
        Assert.Equal(403, await CreateClinicStatusAsync(app, "Bearer " + app.Token("u1", Roles.ClinicAdmin)));
        Assert.Equal(403, await CreateClinicStatusAsync(app, "Bearer " + app.Token("u1", Roles.ClinicStaff)));
    }
}
