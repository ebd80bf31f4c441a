using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Messaging;
using Twilio.Clients;
using Twilio.Exceptions;
using Twilio.Http;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;

namespace ClinicBackend.Infrastructure.Messaging;

/// <summary>
/// Sends through Twilio's REST API with the SDK, from an injected client (no static TwilioClient.Init).
/// The SDK always builds https://api.twilio.com URLs, so a handler sends them to <c>Twilio__ApiBaseUrl</c>
/// when that points elsewhere (a local stand-in).
/// </summary>
public sealed class TwilioSmsGateway : ISmsGateway
{
    private readonly TwilioRestClient _client;

    public TwilioSmsGateway(TwilioOptions options, HttpMessageHandler? inner = null)
    {
        var handler = new ApiBaseRewriter(new Uri(options.ApiBaseUrl)) { InnerHandler = inner ?? new SocketsHttpHandler() };
        var http = new System.Net.Http.HttpClient(handler) { Timeout = options.RequestTimeout };
        _client = new TwilioRestClient(options.AccountSid, options.AuthToken, options.AccountSid, httpClient: new SystemNetHttpClient(http));
    }

    public async Task<SendResult> SendAsync(SmsRequest request, CancellationToken ct)
    {
        var options = new CreateMessageOptions(new PhoneNumber(request.To)) { Body = request.Body, StatusCallback = request.StatusCallback };
        if (ClinicRules.IsMessagingServiceSid(request.From))
        {
            options.MessagingServiceSid = request.From;
        }
        else
        {
            options.From = new PhoneNumber(request.From);
        }
        try
        {
            var message = await MessageResource.CreateAsync(options, _client).WaitAsync(ct);
            return new SendResult.Accepted(message.Sid, message.Status?.ToString() ?? SmsStatus.Queued);
        }
        catch (ApiException e) when (e.Status == 429 || e.Code == 20429 || e.Status >= 500)
        {
            return new SendResult.Transient(e.Status == 429 ? "429" : e.Code != 0 ? e.Code.ToString(System.Globalization.CultureInfo.InvariantCulture) : e.Status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (ApiException e)
        {
            return new SendResult.Permanent(e.Code.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
        }
        catch (ApiConnectionException e) when (!ct.IsCancellationRequested)
        {
            return new SendResult.Transient(e.InnerException is TaskCanceledException or TimeoutException ? "timeout" : "connection");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or TimeoutException && !ct.IsCancellationRequested)
        {
            return new SendResult.Transient("timeout");
        }
    }

    private sealed class ApiBaseRewriter(Uri apiBase) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri is { } uri && uri.Host.EndsWith("twilio.com", StringComparison.OrdinalIgnoreCase))
            {
                request.RequestUri = new UriBuilder(uri) { Scheme = apiBase.Scheme, Host = apiBase.Host, Port = apiBase.Port }.Uri;
            }
            return base.SendAsync(request, cancellationToken);
        }
    }
}

/// <summary>No Twilio credentials (local runs): texts are recorded as simulated, nothing is sent.</summary>
public sealed class SimulatedSmsGateway : ISmsGateway
{
    public Task<SendResult> SendAsync(SmsRequest request, CancellationToken ct) => Task.FromResult<SendResult>(new SendResult.Simulated());
}
