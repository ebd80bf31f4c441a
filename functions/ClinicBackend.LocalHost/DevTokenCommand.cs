using System.Security.Claims;
using System.Text;
using ClinicBackend.Functions.Auth;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ClinicBackend.LocalHost;

/// <summary>
/// <c>mint-token --oid ID --roles Role[,Role] [--minutes N]</c>: prints a Development token signed with
/// Auth__DevSigningKey, for calling the local host by hand. The token is the only thing written to stdout.
/// </summary>
public static class DevTokenCommand
{
    public static int Run(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            options[args[i]] = args[i + 1];
        }
        var key = ReadSigningKey();
        if (string.IsNullOrEmpty(key) || !options.TryGetValue("--oid", out var oid) || !options.TryGetValue("--roles", out var roles))
        {
            Console.Error.WriteLine("usage: mint-token --oid <object id> --roles Platform.Admin|Clinic.Admin|Clinic.Staff[,...] [--minutes 60]");
            Console.Error.WriteLine("Auth__DevSigningKey must be set (local.settings.json sets one for Development).");
            return 2;
        }
        var minutes = options.TryGetValue("--minutes", out var m) ? int.Parse(m, System.Globalization.CultureInfo.InvariantCulture) : 60;
        Console.WriteLine(Mint(key, oid, roles.Split(',', StringSplitOptions.RemoveEmptyEntries), TimeSpan.FromMinutes(minutes), DateTime.UtcNow));
        return 0;
    }

    /// <summary>
    /// Auth:DevSigningKey from local.settings.json and the environment, as the host would read it, without
    /// building the host: nothing but the token may reach stdout.
    /// </summary>
    private static string? ReadSigningKey() =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(LocalFunctionsHost.ReadLocalSettings())
            .AddEnvironmentVariables()
            .Build()["Auth:DevSigningKey"];

    public static string Mint(string signingKey, string oid, IEnumerable<string> roles, TimeSpan lifetime, DateTime nowUtc)
    {
        var claims = new List<Claim> { new("oid", oid), new("sub", oid) };
        claims.AddRange(roles.Select(r => new Claim("roles", r)));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = DevTokens.Issuer,
            Audience = DevTokens.Audience,
            Subject = new ClaimsIdentity(claims),
            NotBefore = nowUtc.AddMinutes(-1),
            IssuedAt = nowUtc,
            Expires = nowUtc + lifetime,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey)), SecurityAlgorithms.HmacSha256),
        });
    }
}
