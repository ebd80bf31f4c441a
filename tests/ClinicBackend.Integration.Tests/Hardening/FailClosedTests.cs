using System.Net;
using System.Text;
using ClinicBackend.LocalHost;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClinicBackend.Integration.Tests.Hardening;

/// <summary>
/// Issue #12, finding 10: the local host fails closed. Its admin endpoint serves only loopback callers (an unknown caller is
/// not local), it refuses to start with a development signing key while listening beyond loopback, and development tokens
/// arriving on a non-loopback connection are refused. A socket from elsewhere cannot be opened in a test, so the requests
/// with non-loopback addresses are handed to the host's own endpoints as Kestrel would hand them over.
/// </summary>
public sealed class FailClosedTests
{
    public static TheoryData<string[], string> Exposed => new()
    {
        { [], "http://0.0.0.0:0" },
        { [], "http://*:7071" },
        { [], "http://+:7071" },
        { [], "http://[::]:0" },
        { [], "http://192.0.2.10:7071" },
        { [], "http://127.0.0.1:0;http://0.0.0.0:0" },
        { ["--urls", "http://0.0.0.0:7071"], "" },
    };

    [Theory]
    [MemberData(nameof(Exposed))]
    public void With_a_development_key_the_host_refuses_to_listen_beyond_loopback(string[] args, string urls)
    {
        var settings = new Dictionary<string, string?> { ["Auth:DevSigningKey"] = TestApp.DevKey };
        if (urls.Length > 0)
        {
            settings["urls"] = urls;
        }
        var error = Assert.Throws<InvalidOperationException>(() => LocalFunctionsHost.CreateBuilder(args, settings, "Development"));
        Assert.Contains("Auth__DevSigningKey", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:0", true)]
    [InlineData("http://localhost:7071", true)]
    [InlineData("http://[::1]:0", true)]
    [InlineData("http://0.0.0.0:0", false)]
    public void Loopback_with_the_key_or_any_address_without_it_builds(string urls, bool withKey)
    {
        var settings = new Dictionary<string, string?> { ["urls"] = urls, ["Auth:DevSigningKey"] = withKey ? TestApp.DevKey : null };
        Assert.NotNull(LocalFunctionsHost.CreateBuilder([], settings, "Development"));
    }

    [Fact]
    public async Task The_admin_endpoint_refuses_callers_without_a_loopback_address()
    {
        await using var app = await TestApp.StartAsync();
        Assert.Equal(403, await InvokeAsync(app, "admin/functions/{name}", "POST", remote: null, IPAddress.Loopback, route: ("name", "SweepMissedSessions")));
        Assert.Equal(403, await InvokeAsync(app, "admin/functions/{name}", "POST", remote: IPAddress.Parse("10.1.2.3"), IPAddress.Loopback, route: ("name", "SweepMissedSessions")));
        Assert.Equal(403, await InvokeAsync(app, "admin/functions/{name}", "POST", remote: IPAddress.Parse("2001:db8::5"), IPAddress.IPv6Loopback, route: ("name", "SweepMissedSessions")));
        Assert.Equal(202, await InvokeAsync(app, "admin/functions/{name}", "POST", remote: IPAddress.Loopback, IPAddress.Loopback, route: ("name", "SweepMissedSessions")));
        Assert.Equal(202, await InvokeAsync(app, "admin/functions/{name}", "POST", remote: IPAddress.IPv6Loopback, IPAddress.IPv6Loopback, route: ("name", "SweepMissedSessions")));
        // And over a real loopback socket.
        await app.RunFunctionAsync("SweepMissedSessions");
    }

    [Fact]
    public async Task Development_tokens_are_refused_on_a_connection_that_is_not_loopback()
    {
        await using var app = await TestApp.StartAsync();
        var token = app.Token("platform-admin", Roles.PlatformAdmin);
        var body = System.Text.Json.JsonSerializer.Serialize(Fixtures.ClinicBody());
        var refused = new MemoryStream();
        Assert.Equal(401, await InvokeAsync(app, "api/clinics", "POST", IPAddress.Parse("10.1.2.3"), local: IPAddress.Parse("10.1.2.4"), token: token, json: body, response: refused));
        Assert.Contains("loopback", Encoding.UTF8.GetString(refused.ToArray()), StringComparison.Ordinal);
        Assert.Equal(401, await InvokeAsync(app, "api/clinics", "POST", IPAddress.Loopback, local: null, token: token, json: body));
        Assert.Equal(201, await InvokeAsync(app, "api/clinics", "POST", IPAddress.Loopback, local: IPAddress.Loopback, token: token, json: body));
    }

    /// <summary>Runs the host's endpoint for <paramref name="route"/> on a request from <paramref name="remote"/> to <paramref name="local"/>.</summary>
    private static async Task<int> InvokeAsync(TestApp app, string pattern, string method, IPAddress? remote, IPAddress? local,
        (string Name, string Value)? route = null, string? token = null, string? json = null, Stream? response = null)
    {
        var endpoint = app.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Single(e => e.RoutePattern.RawText == pattern && e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Contains(method));
        await using var scope = app.Services.CreateAsyncScope();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        http.Connection.RemoteIpAddress = remote;
        http.Connection.LocalIpAddress = local;
        http.Request.Method = method;
        http.Request.Path = "/" + pattern;
        if (route is { } value)
        {
            http.Request.RouteValues[value.Name] = value.Value;
        }
        if (token is not null)
        {
            http.Request.Headers.Authorization = $"Bearer {token}";
        }
        if (json is not null)
        {
            http.Request.ContentType = "application/json";
            http.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(json));
        }
        http.Response.Body = response ?? new MemoryStream();
        http.SetEndpoint(endpoint);
        await endpoint.RequestDelegate!(http);
        return http.Response.StatusCode;
    }
}
