// Production environment of the clinic backend: one `az deployment group create` of this file with a
// parameters file gives a working Flex Consumption function app whose every connection is
// identity-based. See README.md beside this file.
targetScope = 'resourceGroup'

@description('Azure region for every resource. Defaults to the resource group\'s region.')
param location string = resourceGroup().location

@description('Short environment name used in resource names and tags (dev, test, prod).')
@minLength(2)
@maxLength(8)
param environmentName string

@description('Short prefix for resource names.')
@minLength(2)
@maxLength(10)
param namePrefix string = 'clinic'

@description('Twilio account SID (AC...). Not a secret; the auth token is.')
param twilioAccountSid string

@description('Twilio auth token. Stored only in Key Vault; the app reads it through a Key Vault reference.')
@secure()
param twilioAuthToken string

@description('Public base URL Twilio calls, when a custom domain or a proxy fronts the app (https://api.example.org). Empty: the app\'s default host name.')
param twilioPublicBaseUrl string = ''

@description('Entra ID authority instance for the API.')
param azureAdInstance string = environment().authentication.loginEndpoint

@description('Entra ID tenant id of the API app registration. Defaults to the deployment\'s tenant.')
param azureAdTenantId string = tenant().tenantId

@description('Client (application) id of the API app registration (see README: Register the API in Entra ID).')
param azureAdClientId string

@description('NCRONTAB schedule (six fields, UTC) of the NightlyReminders timer.')
param nightlyRemindersSchedule string = '0 30 0 * * *'

@description('NCRONTAB schedule (six fields, UTC) of the DispatchSms timer.')
param dispatchSmsSchedule string = '0 * * * * *'

@description('NCRONTAB schedule (six fields, UTC) of the SweepMissedSessions timer.')
param sweepMissedSessionsSchedule string = '0 15 * * * *'

@description('NCRONTAB schedule (six fields, UTC) of the EscalateFlags timer.')
param escalateFlagsSchedule string = '0 * * * * *'

@description('NCRONTAB schedule (six fields, UTC) of the ExpireOffers timer.')
param expireOffersSchedule string = '0 * * * * *'

@description('NCRONTAB schedule (six fields, UTC) of the ExportRecords timer: every clinic\'s rows to the records container, after the nightly planning.')
param exportRecordsSchedule string = '0 0 2 * * *'

@description('Email addresses of the operators the alert rules notify (README: Alerts and runbook).')
@minLength(1)
param alertEmailAddresses array

@description('Redundancy of the storage accounts (clinic tables and host; records). Geo-zone-redundant by default: a lost zone or region keeps the data; dev parameters choose LRS.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param storageSkuName string = 'Standard_GZRS'

@description('Days each nightly export stays immutable in the records container (2,190 days: the six years of HIPAA documentation; the DEA asks two).')
@minValue(1)
@maxValue(146000)
param recordsImmutabilityDays int = 2190

@description('Upper bound of function app instances.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory of each function app instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Days Log Analytics keeps data.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Daily Log Analytics ingestion cap in GB; -1 for no cap.')
param logDailyQuotaGb int = -1

@description('Tags applied to every resource.')
param tags object = {}

var token = uniqueString(resourceGroup().id)
var baseName = '${namePrefix}-${environmentName}'
var allTags = union(tags, {
  application: 'clinic-backend'
  environment: environmentName
})

// Entity names the app uses by default (Outbox__QueueName, Outbox__EventsTopicName): not settings.
var outboxQueueName = 'sms-outbox'
var eventsTopicName = 'clinic-events'
var twilioAuthTokenSecretName = 'twilio-auth-token'
var recordsContainerName = 'records'

var names = {
  identity: 'id-${baseName}-${token}'
  storage: take(toLower('st${replace(namePrefix, '-', '')}${token}'), 24)
  records: take(toLower('rec${replace(namePrefix, '-', '')}${token}'), 24)
  deploymentContainer: 'app-package'
  serviceBus: 'sb-${baseName}-${token}'
  keyVault: take('kv-${environmentName}-${token}', 24)
  logAnalytics: 'log-${baseName}-${token}'
  appInsights: 'appi-${baseName}-${token}'
  plan: 'plan-${baseName}-${token}'
  functionApp: 'func-${baseName}-${token}'
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: names.identity
    location: location
    tags: allTags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: names.logAnalytics
    appInsightsName: names.appInsights
    location: location
    retentionInDays: logRetentionInDays
    dailyQuotaGb: logDailyQuotaGb
    tags: allTags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: names.storage
    location: location
    skuName: storageSkuName
    deploymentContainerName: names.deploymentContainer
    tags: allTags
  }
}

module records 'modules/records.bicep' = {
  name: 'records'
  params: {
    name: names.records
    location: location
    skuName: storageSkuName
    containerName: recordsContainerName
    immutabilityPeriodInDays: recordsImmutabilityDays
    tags: allTags
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  params: {
    namespaceName: names.serviceBus
    location: location
    outboxQueueName: outboxQueueName
    eventsTopicName: eventsTopicName
    logAnalyticsWorkspaceId: monitoring.outputs.workspaceId
    tags: allTags
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    name: names.keyVault
    location: location
    twilioAuthToken: twilioAuthToken
    twilioAuthTokenSecretName: twilioAuthTokenSecretName
    logAnalyticsWorkspaceId: monitoring.outputs.workspaceId
    tags: allTags
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  params: {
    // The principal id of a new identity exists only at run time: What-If cannot predict these
    // assignments' names before the identity exists, which is expected.
    #disable-next-line what-if-short-circuiting
    principalId: identity.outputs.principalId
    storageAccountName: names.storage
    recordsAccountName: names.records
    recordsContainerName: recordsContainerName
    serviceBusNamespaceName: names.serviceBus
    outboxQueueName: outboxQueueName
    eventsTopicName: eventsTopicName
    keyVaultName: names.keyVault
    appInsightsName: names.appInsights
  }
  dependsOn: [
    storage
    records
    serviceBus
    keyVault
    monitoring
  ]
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    identityName: names.identity
    storageAccountName: names.storage
    deploymentContainerName: names.deploymentContainer
    serviceBusNamespaceName: names.serviceBus
    keyVaultName: names.keyVault
    twilioAuthTokenSecretName: twilioAuthTokenSecretName
    appInsightsName: names.appInsights
    twilioAccountSid: twilioAccountSid
    twilioPublicBaseUrl: twilioPublicBaseUrl
    azureAdInstance: azureAdInstance
    azureAdTenantId: azureAdTenantId
    azureAdClientId: azureAdClientId
    nightlyRemindersSchedule: nightlyRemindersSchedule
    dispatchSmsSchedule: dispatchSmsSchedule
    sweepMissedSessionsSchedule: sweepMissedSessionsSchedule
    escalateFlagsSchedule: escalateFlagsSchedule
    expireOffersSchedule: expireOffersSchedule
    exportRecordsSchedule: exportRecordsSchedule
    recordsContainerUri: records.outputs.containerUri
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    tags: allTags
  }
  // The identity must hold its roles (Key Vault Secrets User above all, for the Twilio__AuthToken
  // reference, and the storage roles for the host) before the app starts; the other modules create
  // what the app's existing references read.
  dependsOn: [
    identity
    storage
    serviceBus
    keyVault
    monitoring
    roles
  ]
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    baseName: baseName
    location: location
    alertEmailAddresses: alertEmailAddresses
    appInsightsId: monitoring.outputs.appInsightsId
    serviceBusNamespaceId: serviceBus.outputs.namespaceId
    outboxQueueName: outboxQueueName
    tags: allTags
  }
}

@description('Name of the function app (for `az functionapp deployment source config-zip -n`).')
output functionAppName string = functionApp.outputs.name

@description('URL of the function app.')
output functionAppUrl string = 'https://${functionApp.outputs.defaultHostName}'

@description('Paste into Twilio: the phone number\'s (or Messaging Service\'s) incoming message webhook, HTTP POST.')
output twilioInboundWebhookUrl string = '${functionApp.outputs.publicBaseUrl}/api/sms/inbound'

@description('Paste into Twilio: the status callback URL, HTTP POST.')
output twilioStatusCallbackUrl string = '${functionApp.outputs.publicBaseUrl}/api/sms/status'

@description('Client id of the app\'s user-assigned identity.')
output identityClientId string = identity.outputs.clientId

@description('Name of the key vault holding the Twilio auth token.')
output keyVaultName string = names.keyVault
