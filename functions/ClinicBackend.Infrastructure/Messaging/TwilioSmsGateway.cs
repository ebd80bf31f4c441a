using System.Globalization;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Messaging;
using Twilio.Clients;
using Twilio.Exceptions;
using Twilio.Http;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;

namespace ClinicBackend.Infrastructure.Messaging;

/// <summary>
/// Sends and looks up texts through Twilio's REST API with the SDK, from an injected client (no static
/// TwilioClient.Init). The SDK always builds https://api.twilio.com URLs, so a handler sends them to
/// <c>Twilio__ApiBaseUrl</c> when that points elsewhere (a local stand-in).
/// </summary>
public sealed class TwilioSmsGateway : ISmsGateway
{
    /// <summary>How many of the newest texts to a number the lookup reads at most.</summary>
    private const int LookupLimit = 200;
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
        catch (ApiException e) when (IsThrottled(e))
        {
            return new SendResult.Throttled();
        }
        catch (ApiException e) when (IsUnauthorized(e))
        {
            return new SendResult.Unauthorized();
        }
        catch (ApiException e) when (e.Status >= 500)
        {
            return new SendResult.Unsettled(e.Code != 0 ? e.Code.ToString(CultureInfo.InvariantCulture) : e.Status.ToString(CultureInfo.InvariantCulture));
        }
        catch (ApiException e)
        {
            return new SendResult.Permanent(e.Code.ToString(CultureInfo.InvariantCulture), e.Message);
        }
        catch (Exception e) when (e is ApiConnectionException or HttpRequestException or TaskCanceledException or TimeoutException && !ct.IsCancellationRequested)
        {
            // The request may have left before the connection broke or the timeout struck.
            return new SendResult.Unsettled(e is TaskCanceledException or TimeoutException || e.InnerException is TaskCanceledException or TimeoutException ? "timeout" : "connection");
        }
    }

    /// <summary>
    /// Reads the newest texts to the number (and from the clinic's number, unless it sends through a Messaging
    /// Service) and matches the body, created no earlier than the query says. No DateSent filter: a text Twilio
    /// still holds in its queue has no date_sent yet.
    /// </summary>
    public async Task<LookupResult> FindAsync(SentTextQuery query, CancellationToken ct)
    {
        var options = new ReadMessageOptions { To = new PhoneNumber(query.To), PageSize = 50, Limit = LookupLimit };
        if (!ClinicRules.IsMessagingServiceSid(query.From))
        {
            options.From = new PhoneNumber(query.From);
        }
        var notBefore = query.NotBefore.ToDateTimeUtc();
        try
        {
            var page = await MessageResource.ReadAsync(options, _client).WaitAsync(ct);
            foreach (var message in page)
            {
                if (message.DateCreated is { } created && created.ToUniversalTime() < notBefore)
                {
                    break; // newest first: everything after is older still
                }
                // The ledger keeps a link's code masked: compare the texts as the ledger keeps them.
                if (message.Body is { } body && Domain.Assessments.AssessmentCode.Masked(body) == query.Body)
                {
                    return new LookupResult.Found(message.Sid, message.Status?.ToString() ?? SmsStatus.Queued);
                }
            }
            return new LookupResult.NotFound();
        }
        catch (ApiException e)
        {
            return new LookupResult.Unknown(IsUnauthorized(e) ? "credentials refused" : $"Twilio answered {e.Status} ({e.Code})");
        }
        catch (Exception e) when (e is ApiConnectionException or HttpRequestException or TaskCanceledException or TimeoutException && !ct.IsCancellationRequested)
        {
            return new LookupResult.Unknown("no answer");
        }
    }

    private static bool IsThrottled(ApiException e) => e.Status == 429 || e.Code == 20429;

    private static bool IsUnauthorized(ApiException e) => e.Status == 401 || e.Code == 20003;

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

/// <summary>No Twilio credentials (local runs): texts are recorded as simulated, nothing is sent or found.</summary>
public sealed class SimulatedSmsGateway : ISmsGateway
{
    public Task<SendResult> SendAsync(SmsRequest request, CancellationToken ct) => Task.FromResult<SendResult>(new SendResult.Simulated());

    public Task<LookupResult> FindAsync(SentTextQuery query, CancellationToken ct) => Task.FromResult<LookupResult>(new LookupResult.NotFound());
}
