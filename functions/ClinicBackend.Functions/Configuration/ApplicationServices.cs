using Azure.Messaging.ServiceBus;
using Azure.Storage.Queues;
using ClinicBackend.Application.Access;
using ClinicBackend.Application.Assessments;
using ClinicBackend.Application.Clinics;
using ClinicBackend.Application.Escalation;
using ClinicBackend.Application.Flags;
using ClinicBackend.Application.Inbound;
using ClinicBackend.Application.Inventory;
using ClinicBackend.Application.Outbound;
using ClinicBackend.Application.Patients;
using ClinicBackend.Application.Payment;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Application.Records;
using ClinicBackend.Application.Reports;
using ClinicBackend.Application.Runs;
using ClinicBackend.Application.Sessions;
using ClinicBackend.Application.Sweep;
using ClinicBackend.Application.Waitlist;
using ClinicBackend.Domain.Events;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Functions.Fhir;
using ClinicBackend.Functions.Http;
using ClinicBackend.Functions.Pipeline;
using ClinicBackend.Functions.Sms;
using ClinicBackend.Infrastructure.Events;
using ClinicBackend.Infrastructure.Messaging;
using ClinicBackend.Infrastructure.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ClinicBackend.Functions.Configuration;

public static class ApplicationServices
{
    public static IServiceCollection AddApplicationServices(this IServiceCollection services)
    {
        // Persistence floor
        services.AddSingleton<EventRelay>();
        services.AddSingleton<ClinicData>();
        services.AddSingleton<ClinicAccess>();
        services.AddSingleton<ClinicUpdates>();
        services.AddSingleton<PatientReads>();
        services.AddHostedService<PatientReadsFlusher>();
        // Use cases
        services.AddSingleton<ClinicService>();
        services.AddSingleton<MembershipService>();
        services.AddSingleton<PatientService>();
        services.AddSingleton<MessageHistory>();
        services.AddSingleton<SessionUpdater>();
        services.AddSingleton<BookingService>();
        services.AddSingleton<CourseHolds>();
        services.AddSingleton<CourseBookingService>();
        services.AddSingleton<SessionService>();
        services.AddSingleton<SessionHolds>();
        services.AddSingleton<StartSearch>();
        services.AddSingleton<ISessionObserver, SessionSideEffects>();
        services.AddSingleton<FlagService>();
        services.AddSingleton<ReportService>();
        services.AddSingleton<ReportRollups>();
        services.AddSingleton<InboundSmsService>();
        services.AddSingleton<InboundRouter>();
        services.AddSingleton<PatientReplies>();
        services.AddSingleton<StaffReplies>();
        services.AddSingleton<OnCallPager>();
        services.AddSingleton<EscalationService>();
        services.AddSingleton<SelfServiceReplies>();
        services.AddSingleton<WaitlistOffers>();
        services.AddSingleton<WaitlistService>();
        services.AddSingleton<ReminderPlanner>();
        services.AddSingleton<SmsDispatcher>();
        services.AddSingleton(sp => new DispatchSettings(sp.GetRequiredService<IOptions<OutboxOptions>>().Value.DispatchConcurrency));
        services.AddSingleton<OutboxReconciler>();
        services.AddSingleton<DueTextHandler>();
        services.AddSingleton<TextSender>();
        services.AddSingleton<AssessmentLinks>();
        services.AddSingleton<AssessmentService>();
        services.AddSingleton<OptOuts>();
        services.AddSingleton<DeliveryStatusService>();
        services.AddSingleton<SweepService>();
        services.AddSingleton<RecordExports>();
        services.AddSingleton<RemsSweep>();
        services.AddSingleton<InventoryService>();
        services.AddSingleton<ReadinessReader>();
        services.AddSingleton<CoverageService>();
        services.AddSingleton<CoverageSweep>();
        services.AddSingleton<IRenewalEvidence, AssessmentRenewalEvidence>();
        services.AddSingleton<ScheduledRuns>();
        // Paced in real seconds, as Twilio counts them, also where tests fake the clinics' clock.
        services.AddSingleton(new SendRateLimiter(TimeProvider.System));
        // FHIR scheduling over the same services
        services.AddSingleton<FhirScheduling>();
        // HTTP pipeline and Twilio's wire formats
        services.AddSingleton<HttpPipeline>();
        services.AddSingleton(sp => new TwilioWebhookGate(sp.GetRequiredService<TwilioSignature>(), sp.GetRequiredService<IOptions<TwilioOptions>>().Value));
        services.AddSingleton<IStatusCallbacks>(sp => new StatusCallbackUrls(sp.GetRequiredService<IOptions<TwilioOptions>>().Value));
        services.AddSingleton<IAssessmentUrls>(sp => new AssessmentUrls(sp.GetRequiredService<IOptions<TwilioOptions>>().Value));
        services.AddSingleton<CodeLookupLimiter>();
        services.AddSingleton(sp => new TwilioSignature(sp.GetRequiredService<IOptions<TwilioOptions>>().Value));
        services.AddSingleton<ISmsGateway>(sp =>
        {
            var twilio = sp.GetRequiredService<IOptions<TwilioOptions>>().Value;
            return twilio.IsSimulated ? new SimulatedSmsGateway() : new TwilioSmsGateway(twilio);
        });
        services.AddSingleton<ISmsOutbox>(sp =>
        {
            var outbox = sp.GetRequiredService<IOptions<OutboxOptions>>().Value;
            var time = sp.GetRequiredService<TimeProvider>();
            var logger = sp.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>().CreateLogger("ClinicBackend.Infrastructure.Messaging.Outbox");
            if (outbox.UsesServiceBus)
            {
                var client = sp.GetRequiredService<ServiceBusClient>();
                return new ServiceBusOutbox(client.CreateSender(outbox.QueueName), client.CreateReceiver(outbox.QueueName),
                    client.CreateReceiver(outbox.QueueName, new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter }), time, logger);
            }
            var queues = sp.GetRequiredService<QueueServiceClient>();
            var prefix = sp.GetRequiredService<IOptions<ClinicStorageOptions>>().Value.NamePrefix;
            return new StorageQueueOutbox(queues.GetQueueClient($"{prefix}{outbox.QueueName}"), queues.GetQueueClient($"{prefix}{outbox.QueueName}-poison"),
                time, outbox.StorageQueueMaxDelay, logger);
        });

        services.AddSingleton<IClinicEventSink>(sp =>
        {
            var outbox = sp.GetRequiredService<IOptions<OutboxOptions>>().Value;
            if (outbox.UsesServiceBus)
            {
                return new ServiceBusEventSink(sp.GetRequiredService<ServiceBusClient>().CreateSender(outbox.EventsTopicName));
            }
            var prefix = sp.GetRequiredService<IOptions<ClinicStorageOptions>>().Value.NamePrefix;
            return new StorageQueueEventSink(sp.GetRequiredService<QueueServiceClient>().GetQueueClient($"{prefix}{outbox.EventsTopicName}"));
        });
        return services;
    }
}
