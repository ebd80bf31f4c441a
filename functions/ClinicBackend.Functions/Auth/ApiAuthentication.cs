using System.Text;
using ClinicBackend.Functions.Configuration;
using ClinicBackend.Functions.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Identity.Web;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ClinicBackend.Functions.Auth;

/// <summary>The Development-only token kind of the contract.</summary>
public static class DevTokens
{
    public const string Scheme = "LocalDev";
    public const string Issuer = "local-dev";
    public const string Audience = "api://local-dev";
}

public static class ApiAuthentication
{
    /// <summary>
    /// Entra ID bearer tokens through Microsoft.Identity.Web (section <c>AzureAd</c>), and in Development
    /// with <c>Auth__DevSigningKey</c> also locally minted HS256 tokens.
    /// </summary>
    public static void AddApiAuthentication(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var authentication = services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme);
        if (!string.IsNullOrWhiteSpace(configuration["AzureAd:ClientId"]))
        {
            authentication.AddMicrosoftIdentityWebApi(configuration.GetSection("AzureAd"));
        }
        var devKey = configuration[$"{AuthOptions.Section}:{nameof(AuthOptions.DevSigningKey)}"];
        if (environment.IsDevelopment() && devKey is { Length: >= AuthOptions.MinDevKeyLength })
        {
            authentication.AddJwtBearer(DevTokens.Scheme, options =>
            {
                options.MapInboundClaims = false;
                options.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = DevTokens.Issuer,
                    ValidAudience = DevTokens.Audience,
                    IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(devKey)),
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    RoleClaimType = "roles",
                    NameClaimType = "oid",
                    ClockSkew = TimeSpan.FromMinutes(1),
                };
            });
        }
        services.AddSingleton<RequestAuthenticator>();
    }
}

/// <summary>
/// Authenticates one HTTP request for both hosts: the worker middleware and the local host call it before
/// a non-public function runs. On success <c>HttpContext.User</c> holds the caller.
/// </summary>
public sealed class RequestAuthenticator(IAuthenticationSchemeProvider schemes, ILogger<RequestAuthenticator> logger)
{
    public async Task<ApiResult?> AuthenticateAsync(HttpContext http)
    {
        var token = BearerToken(http.Request);
        if (token is null)
        {
            return Unauthorized("Send an Authorization: Bearer <token> header.");
        }
        string? issuer;
        try
        {
            issuer = new JsonWebToken(token).Issuer;
        }
        catch (ArgumentException)
        {
            return Unauthorized("The bearer token is not a JWT.");
        }

        if (issuer == DevTokens.Issuer && await schemes.GetSchemeAsync(DevTokens.Scheme) is not null)
        {
            if (http.Connection.LocalIpAddress is not { } local || !System.Net.IPAddress.IsLoopback(local))
            {
                return Unauthorized("Development tokens are accepted only on a loopback connection.");
            }
            var result = await http.AuthenticateAsync(DevTokens.Scheme);
            if (!result.Succeeded)
            {
                logger.LogInformation("Development token refused: {Reason}", result.Failure?.Message);
                return Unauthorized("The token is not valid (signature, issuer, audience or lifetime).");
            }
            http.User = result.Principal!;
        }
        else if (await schemes.GetSchemeAsync(JwtBearerDefaults.AuthenticationScheme) is not null)
        {
            var (succeeded, _) = await http.AuthenticateAzureFunctionAsync();
            if (!succeeded)
            {
                return Unauthorized("The token is not valid (signature, issuer, audience or lifetime).");
            }
        }
        else
        {
            return Unauthorized("No token issuer is configured for this environment.");
        }

        return Api.CallerOf(http.User) is null
            ? Unauthorized("The token has no object id (oid) claim.")
            : null;
    }

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        return header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && header.Length > prefix.Length
            ? header[prefix.Length..].Trim()
            : null;
    }

    private static ApiResult Unauthorized(string detail)
    {
        var result = ApiResult.Problem(StatusCodes.Status401Unauthorized, "unauthorized", "Authentication required.", detail);
        result.Headers["WWW-Authenticate"] = "Bearer";
        return result;
    }
}
