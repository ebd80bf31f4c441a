using System.Collections.Immutable;
using System.Text.Json.Nodes;
using ClinicBackend.Functions.Auth;
using ClinicBackend.Functions.Pipeline;
using ClinicBackend.Functions.Sms;
using ClinicBackend.Infrastructure.Messaging;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClinicBackend.Functions.Tests;

/// <summary>The Azure path: the worker's own middleware class, driven with a FunctionContext as the worker would.</summary>
public sealed class WorkerMiddlewareTests
{
    private readonly ListLogger<HttpPipeline> _log = new();

    [Fact]
    public async Task A_request_without_a_token_is_refused_and_the_function_never_runs()
    {
        var (context, http) = Invocation("GetClinic");
        var ran = false;
        await Middleware().Invoke(context, _ => { ran = true; return Task.CompletedTask; });
        Assert.False(ran);
        Assert.Equal(401, http.Response.StatusCode);
        Assert.StartsWith("application/problem+json", http.Response.ContentType);
        Assert.Equal("https://clinic-backend.dev/problems/unauthorized", (await BodyAsync(http))["type"]!.ToString());
    }

    [Fact]
    public async Task An_unexpected_exception_is_a_problem_500_with_the_correlation_id_in_body_and_log_and_no_request_data()
    {
        var (context, http) = Invocation("Health");
        http.TraceIdentifier = "trace-42";
        await Middleware().Invoke(context, _ => throw new InvalidOperationException("patient +12125550123 said hello"));
        Assert.Equal(500, http.Response.StatusCode);
        var body = await BodyAsync(http);
        Assert.Equal("https://clinic-backend.dev/problems/internal-error", body["type"]!.ToString());
        var correlationId = body["correlationId"]!.ToString();
        Assert.False(string.IsNullOrEmpty(correlationId));
        Assert.DoesNotContain("+12125550123", body.ToJsonString());
        var error = Assert.Single(_log.Entries, e => e.Level == LogLevel.Error);
        Assert.Contains(correlationId, error.Message);
        Assert.DoesNotContain("+12125550123", error.Message);
    }

    [Fact]
    public async Task A_public_function_runs_without_a_token()
    {
        var (context, _) = Invocation("Health");
        var ran = false;
        await Middleware().Invoke(context, _ => { ran = true; return Task.CompletedTask; });
        Assert.True(ran);
    }

    [Fact]
    public async Task A_webhook_without_twilio_signature_is_refused_before_the_function()
    {
        var (context, http) = Invocation("SmsInbound");
        http.Request.Method = "POST";
        http.Request.ContentType = "application/x-www-form-urlencoded";
        http.Request.Body = new MemoryStream("From=%2B12125550123&Body=hi"u8.ToArray());
        var ran = false;
        await Middleware().Invoke(context, _ => { ran = true; return Task.CompletedTask; });
        Assert.False(ran);
        Assert.Equal(403, http.Response.StatusCode);
    }

    [Fact]
    public async Task Without_an_http_context_the_function_is_refused_not_run()
    {
        var context = new TestFunctionContext("GetClinic", http: null);
        var ran = false;
        await Assert.ThrowsAsync<InvalidOperationException>(() => Middleware().Invoke(context, _ => { ran = true; return Task.CompletedTask; }));
        Assert.False(ran);
    }

    private HttpPipelineMiddleware Middleware()
    {
        var schemes = new AuthenticationSchemeProvider(Options.Create(new AuthenticationOptions()));
        var authenticator = new RequestAuthenticator(schemes, new ListLogger<RequestAuthenticator>());
        var twilio = new TwilioOptions { AccountSid = "AC0123456789abcdef0123456789abcdef", AuthToken = "0123456789abcdef0123456789abcdef", PublicBaseUrl = "https://clinic.example.org" };
        var gate = new TwilioWebhookGate(new TwilioSignature(twilio), twilio);
        return new HttpPipelineMiddleware(new HttpPipeline(authenticator, gate, _log));
    }

    private static (TestFunctionContext Context, DefaultHttpContext Http) Invocation(string function)
    {
        var http = new DefaultHttpContext { RequestServices = new ServiceCollection().BuildServiceProvider() };
        http.Response.Body = new MemoryStream();
        return (new TestFunctionContext(function, http), http);
    }

    private static async Task<JsonObject> BodyAsync(HttpContext http)
    {
        http.Response.Body.Position = 0;
        return (await JsonNode.ParseAsync(http.Response.Body))!.AsObject();
    }

    /// <summary>A FunctionContext as the worker hands one to middleware, with the HttpContext where the ASP.NET Core integration puts it.</summary>
    private sealed class TestFunctionContext : FunctionContext
    {
        public TestFunctionContext(string function, HttpContext? http)
        {
            FunctionDefinition = new TestFunctionDefinition(function);
            if (http is not null)
            {
                Items["HttpRequestContext"] = http;
            }
        }

        public override string InvocationId { get; } = Guid.NewGuid().ToString();
        public override string FunctionId => FunctionDefinition.Id;
        public override TraceContext TraceContext => null!;
        public override BindingContext BindingContext => null!;
        public override RetryContext RetryContext => null!;
        public override IServiceProvider InstanceServices { get; set; } = new ServiceCollection().BuildServiceProvider();
        public override FunctionDefinition FunctionDefinition { get; }
        public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();
        public override IInvocationFeatures Features => null!;
    }

    private sealed class TestFunctionDefinition(string name) : FunctionDefinition
    {
        public override ImmutableArray<FunctionParameter> Parameters => [];
        public override string PathToAssembly => typeof(HttpPipeline).Assembly.Location;
        public override string EntryPoint => name;
        public override string Id => name;
        public override string Name => name;
        public override IImmutableDictionary<string, BindingMetadata> InputBindings => ImmutableDictionary<string, BindingMetadata>.Empty;
        public override IImmutableDictionary<string, BindingMetadata> OutputBindings => ImmutableDictionary<string, BindingMetadata>.Empty;
    }
}

/// <summary>Keeps log entries in memory, rendered, for assertions.</summary>
public sealed class ListLogger<T> : ILogger<T>
{
    public List<(LogLevel Level, string Message, Exception? Exception)> Entries { get; } = [];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Entries)
        {
            Entries.Add((logLevel, formatter(state, exception), exception));
        }
    }
}
