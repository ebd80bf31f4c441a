// Least-privilege role assignments for the app's user-assigned identity. Each assignment is scoped to
// the narrowest resource that works and named guid(scope, principal, role), so redeploying is
// idempotent and two assignments never collide.

@description('Object (principal) id of the user-assigned identity.')
param principalId string

@description('Name of the storage account (Functions host storage, deployment container, clinic tables).')
param storageAccountName string

@description('Name of the records storage account.')
param recordsAccountName string

@description('Name of the records container.')
param recordsContainerName string

@description('Name of the Service Bus namespace.')
param serviceBusNamespaceName string

@description('Name of the outbox queue.')
param outboxQueueName string

@description('Name of the clinic events topic.')
param eventsTopicName string

@description('Name of the key vault holding the Twilio secrets.')
param keyVaultName string

@description('Name of the Application Insights component.')
param appInsightsName string

// Built-in role definitions (their ids are the same in every tenant).
// Storage Table Data Contributor
var tableDataContributor = subscriptionResourceId(
  'Microsoft.Authorization/roleDefinitions',
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
)
// Storage Blob Data Owner
var blobDataOwner = subscriptionResourceId(
  'Microsoft.Authorization/roleDefinitions',
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
)
// Storage Blob Data Contributor
var blobDataContributor = subscriptionResourceId(
  'Microsoft.Authorization/roleDefinitions',
  'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
)
// Storage Queue Data Contributor
var queueDataContributor = subscriptionResourceId(
  'Microsoft.Authorization/roleDefinitions',
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
)
// Azure Service Bus Data Sender
var serviceBusDataSender = subscriptionResourceId(
  'Microsoft.Authorization/roleDefinitions',
  '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
)
// Azure Service Bus Data Receiver
var serviceBusDataReceiver = subscriptionResourceId(
  'Microsoft.Authorization/roleDefinitions',
  '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
)
// Key Vault Secrets User
var keyVaultSecretsUser = subscriptionResourceId(
  'Microsoft.Authorization/roleDefinitions',
  '4633458b-17de-408a-b874-0445c86b69e6'
)
// Monitoring Metrics Publisher
var monitoringMetricsPublisher = subscriptionResourceId(
  'Microsoft.Authorization/roleDefinitions',
  '3913510d-42f4-4e42-8a64-420c390055eb'
)

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName
}

resource recordsAccount 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: recordsAccountName

  resource blobs 'blobServices' existing = {
    name: 'default'

    resource container 'containers' existing = {
      name: recordsContainerName
    }
  }
}

resource serviceBus 'Microsoft.ServiceBus/namespaces@2026-01-01' existing = {
  name: serviceBusNamespaceName

  resource outboxQueue 'queues' existing = {
    name: outboxQueueName
  }

  resource eventsTopic 'topics' existing = {
    name: eventsTopicName
  }
}

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' existing = {
  name: keyVaultName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

// Clinic data: read and write entities in the clinic tables (and create the tables on first use).
resource storageTableData 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, principalId, tableDataContributor)
  scope: storage
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: tableDataContributor
    description: 'Clinic data in Table Storage'
  }
}

// Functions host (AzureWebJobsStorage): host keys, timer singleton leases, and the Flex Consumption
// deployment package container.
resource storageBlobData 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, principalId, blobDataOwner)
  scope: storage
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: blobDataOwner
    description: 'Functions host storage and deployment package container'
  }
}

// Functions host (AzureWebJobsStorage): the host's internal queues.
resource storageQueueData 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, principalId, queueDataContributor)
  scope: storage
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: queueDataContributor
    description: 'Functions host queues'
  }
}

// The nightly export writes new blobs to the records container, and nothing else of that account. Data
// Contributor may ask to delete or overwrite, but the container's immutability policy refuses both for
// every version (an overwrite only adds a version), and unlike Data Owner it cannot take a policy off.
resource recordsWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(recordsAccount::blobs::container.id, principalId, blobDataContributor)
  scope: recordsAccount::blobs::container
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: blobDataContributor
    description: 'Write the nightly exports to the records container'
  }
}

// The reminder planner enqueues into the outbox queue.
resource outboxSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(serviceBus::outboxQueue.id, principalId, serviceBusDataSender)
  scope: serviceBus::outboxQueue
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: serviceBusDataSender
    description: 'Send to the sms-outbox queue'
  }
}

// The SMS dispatcher receives from the outbox queue.
resource outboxReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(serviceBus::outboxQueue.id, principalId, serviceBusDataReceiver)
  scope: serviceBus::outboxQueue
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: serviceBusDataReceiver
    description: 'Receive from the sms-outbox queue'
  }
}

// The app publishes clinic events to the topic; it never reads them back.
resource eventsSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(serviceBus::eventsTopic.id, principalId, serviceBusDataSender)
  scope: serviceBus::eventsTopic
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: serviceBusDataSender
    description: 'Publish to the clinic-events topic'
  }
}

// Key Vault references (Twilio__AuthToken) are resolved with this identity.
resource vaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, keyVaultSecretsUser)
  scope: vault
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: keyVaultSecretsUser
    description: 'Read the Twilio secrets through Key Vault references'
  }
}

// Application Insights has local auth disabled: telemetry is sent with this identity.
resource telemetryPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, principalId, monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: monitoringMetricsPublisher
    description: 'Send telemetry to Application Insights with Entra ID authentication'
  }
}
