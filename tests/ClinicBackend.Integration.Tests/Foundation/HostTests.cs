using System.Text.Json;
using ClinicBackend.Functions.Triggers;
using ClinicBackend.LocalHost;
using Microsoft.AspNetCore.Routing;

namespace ClinicBackend.Integration.Tests.Foundation;

public sealed class HostTests
{
    [Fact]
    public async Task Health_answers_ok_when_storage_answers()
    {
        await using var app = await TestApp.StartAsync();
        var reply = await app.GetAsync("/api/health", token: null);
        reply.Expect(200);
        Assert.Equal("ok", reply["status"]);
    }

    [Fact]
    public async Task Health_answers_503_when_storage_does_not()
    {
        var closedPort = FreePort();
        await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?>
        {
            ["ClinicStorage:ConnectionString"] =
                $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AzuriteProcess.AccountKey};TableEndpoint=http://127.0.0.1:{closedPort}/devstoreaccount1;",
        });
        var reply = await app.GetAsync("/api/health", token: null);
        reply.Expect(503);
        Assert.Equal("unavailable", reply["status"]);
    }

    [Fact]
    public async Task Local_host_serves_every_function_the_Functions_host_would_index()
    {
        var metadata = FunctionsMetadata.Load();
        Assert.Equal(
            metadata.Select(f => f.Name).Order(StringComparer.Ordinal),
            FunctionCatalog.All.Select(f => f.Name).Order(StringComparer.Ordinal));

        await using var app = await TestApp.StartAsync();
        var endpoints = app.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => !e.RoutePattern.RawText!.StartsWith("admin/", StringComparison.Ordinal))
            .Select(e => (Route: e.RoutePattern.RawText!, Methods: e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Single(), Name: e.DisplayName))
            .ToHashSet();
        var expected = metadata.Where(f => f.Route is not null)
            .SelectMany(f => f.Methods.Select(m => (Route: "api/" + f.Route, Methods: m.ToUpperInvariant(), Name: (string?)f.Name)))
            .ToHashSet();
        Assert.Equal(expected.OrderBy(e => e.ToString()), endpoints.OrderBy(e => e.ToString()));
    }

    [Fact]
    public void Timers_take_their_schedules_from_the_contract_settings()
    {
        var timers = FunctionsMetadata.Load().Where(f => f.Schedule is not null).ToDictionary(f => f.Name, f => f.Schedule);
        Assert.Equal(new Dictionary<string, string?>
        {
            ["DispatchSms"] = "%Schedules__DispatchSms%",
            ["EscalateFlags"] = "%Schedules__EscalateFlags%",
            ["ExpireOffers"] = "%Schedules__ExpireOffers%",
            ["ExportRecords"] = "%Schedules__ExportRecords%",
            ["NightlyReminders"] = "%Schedules__NightlyReminders%",
            ["SweepMissedSessions"] = "%Schedules__SweepMissedSessions%",
        }, timers);

        var builder = LocalFunctionsHost.CreateBuilder([], new Dictionary<string, string?> { ["Schedules:DispatchSms"] = "*/20 * * * * *" });
        Assert.Equal("*/20 * * * * *", LocalFunctionsHost.ResolveSchedule("%Schedules__DispatchSms%", builder.Configuration));
        Assert.Equal("0 30 0 * * *", LocalFunctionsHost.ResolveSchedule("%Schedules__NightlyReminders%", builder.Configuration));
        Assert.Throws<InvalidOperationException>(() => LocalFunctionsHost.ResolveSchedule("%Schedules__Missing%", builder.Configuration));
    }

    [Theory]
    [InlineData("NightlyReminders", 202)]
    [InlineData("DispatchSms", 202)]
    [InlineData("SweepMissedSessions", 202)]
    [InlineData("EscalateFlags", 202)]
    [InlineData("ExpireOffers", 202)]
    [InlineData("Health", 404)]
    [InlineData("NoSuchFunction", 404)]
    public async Task Admin_endpoint_runs_non_http_functions(string name, int status)
    {
        await using var app = await TestApp.StartAsync();
        using var response = await app.Http.PostAsync($"/admin/functions/{name}", new StringContent("{}"));
        Assert.Equal(status, (int)response.StatusCode);
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

/// <summary>The functions.metadata file the Functions SDK writes at build time: what the Azure Functions host indexes.</summary>
public sealed record FunctionsMetadata(string Name, string? Route, string[] Methods, string? Schedule)
{
    public static IReadOnlyList<FunctionsMetadata> Load()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // .../bin/<Configuration>/net10.0/
        var path = Path.Combine(RepositoryRoot.Find(), "functions", "ClinicBackend.Functions", "bin", configuration, "net10.0", "functions.metadata");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.EnumerateArray().Select(f =>
        {
            var trigger = f.GetProperty("bindings").EnumerateArray().First(b => b.GetProperty("direction").GetString() == "In");
            var type = trigger.GetProperty("type").GetString();
            return new FunctionsMetadata(
                f.GetProperty("name").GetString()!,
                type == "httpTrigger" ? trigger.GetProperty("route").GetString() : null,
                type == "httpTrigger" ? trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!).ToArray() : [],
                type == "timerTrigger" ? trigger.GetProperty("schedule").GetString() : null);
        }).ToList();
    }
}
