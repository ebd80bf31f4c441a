// Service Bus (Standard): the sms-outbox queue the reminder planner fills and the SMS dispatcher
// drains, and the clinic-events topic. SAS (local) authentication is disabled: only Entra ID
// identities with data roles on the queue or topic can send or receive.

@description('Name of the Service Bus namespace.')
@minLength(6)
@maxLength(50)
param namespaceName string

@description('Azure region for the namespace.')
param location string

@description('Name of the outbox queue (the app\'s Outbox__QueueName default).')
param outboxQueueName string = 'sms-outbox'

@description('Name of the clinic events topic (the app\'s Outbox__EventsTopicName default).')
param eventsTopicName string = 'clinic-events'

@description('Name of the sample subscription on the clinic events topic.')
param sampleSubscriptionName string = 'all-events'

@description('Resource id of the Log Analytics workspace receiving the namespace\'s diagnostics.')
param logAnalyticsWorkspaceId string

@description('Tags applied to the namespace.')
param tags object = {}

// The dispatcher retries a message with exponential backoff for up to about 24 hours, and every
// retry re-sends with the same MessageId (the ledger key). The duplicate detection window must cover
// that whole period, so it is two days (the Standard tier allows up to seven).
var duplicateDetectionWindow = 'P2D'

resource namespace 'Microsoft.ServiceBus/namespaces@2026-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource outboxQueue 'Microsoft.ServiceBus/namespaces/queues@2026-01-01' = {
  parent: namespace
  name: outboxQueueName
  properties: {
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: duplicateDetectionWindow
    maxDeliveryCount: 10
    lockDuration: 'PT1M'
    defaultMessageTimeToLive: 'P14D'
    deadLetteringOnMessageExpiration: true
    enableBatchedOperations: true
    enablePartitioning: false
    requiresSession: false
    maxSizeInMegabytes: 1024
  }
}

resource eventsTopic 'Microsoft.ServiceBus/namespaces/topics@2026-01-01' = {
  parent: namespace
  name: eventsTopicName
  properties: {
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: duplicateDetectionWindow
    defaultMessageTimeToLive: 'P14D'
    enableBatchedOperations: true
    enablePartitioning: false
    maxSizeInMegabytes: 1024
  }
}

// A sample subscription receiving every clinic event, for a downstream consumer (analytics, EHR
// sync) to start from. Unread events expire after a week and are dropped rather than dead-lettered,
// so an idle sample subscription does not grow without bound.
resource sampleSubscription 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2026-01-01' = {
  parent: eventsTopic
  name: sampleSubscriptionName
  properties: {
    maxDeliveryCount: 10
    lockDuration: 'PT1M'
    defaultMessageTimeToLive: 'P7D'
    deadLetteringOnMessageExpiration: false
    deadLetteringOnFilterEvaluationExceptions: true
    enableBatchedOperations: true
  }
}

// The newest diagnosticSettings API is a preview; no later GA version exists in the Bicep type library.
#disable-next-line use-recent-api-versions
resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: namespace
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

@description('Resource id of the namespace (scope of the dead-letter alert).')
output namespaceId string = namespace.id

@description('Name of the namespace.')
output namespaceName string = namespace.name

@description('Name of the outbox queue.')
output outboxQueueName string = outboxQueue.name

@description('Name of the clinic events topic.')
output eventsTopicName string = eventsTopic.name

@description('Name of the sample subscription.')
output sampleSubscriptionName string = sampleSubscription.name
