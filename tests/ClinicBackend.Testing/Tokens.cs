using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using ClinicBackend.Functions.Auth;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ClinicBackend.Testing;

/// <summary>Tokens minted in the tests: Development HS256, and Entra-style RS256 with a test key set on the JwtBearer options.</summary>
public static class Tokens
{
    // Wide validity: the app's clock is faked and moved by days in some tests.
    private static readonly DateTime NotBefore = new(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Expires = new(2035, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public const string TenantId = "7f1f7d8e-3a44-4b7e-9d3c-2b1a0c9e8f10";
    public const string ClientId = "3c0d6a2b-9e1f-4d5c-8b7a-6f5e4d3c2b1a";
    public static string EntraIssuer => $"https://login.microsoftonline.com/{TenantId}/v2.0";

    /// <summary>The key pair that stands in for Entra ID's signing keys.</summary>
    public static readonly RsaSecurityKey EntraKey = new(RSA.Create(2048)) { KeyId = "test-entra-key" };

    public static string Dev(string key, string oid, params string[] roles) =>
        Create(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256, DevTokens.Issuer, DevTokens.Audience, oid, roles);

    public static string Entra(string oid, string[] roles, RsaSecurityKey? key = null, string? audience = null, string? issuer = null, DateTime? expires = null) =>
        Create(key ?? EntraKey, SecurityAlgorithms.RsaSha256, issuer ?? EntraIssuer, audience ?? ClientId, oid, roles,
            [new Claim("tid", TenantId), new Claim("ver", "2.0")], expires);

    private static string Create(SecurityKey key, string algorithm, string issuer, string audience, string oid, string[] roles,
        IEnumerable<Claim>? extra = null, DateTime? expires = null)
    {
        var claims = new List<Claim> { new("oid", oid), new("sub", oid) };
        claims.AddRange(roles.Select(r => new Claim("roles", r)));
        claims.AddRange(extra ?? []);
        var exp = expires ?? Expires;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity(claims),
            NotBefore = exp < NotBefore ? exp.AddHours(-2) : NotBefore,
            IssuedAt = exp < NotBefore ? exp.AddHours(-2) : NotBefore,
            Expires = exp,
            SigningCredentials = new SigningCredentials(key, algorithm),
        });
    }
}
