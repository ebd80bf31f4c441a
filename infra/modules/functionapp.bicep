// The Flex Consumption plan and the function app (.NET 10 isolated worker). Every connection is
// identity-based through the user-assigned identity: the host's storage, the clinic tables, Service
// Bus, Application Insights and the Key Vault reference for the Twilio auth token. No key, SAS or
// connection string with a secret is written into the app settings.

@description('Name of the function app.')
param name string

@description('Name of the Flex Consumption plan.')
param planName string

@description('Azure region for the plan and the app.')
param location string

@description('Name of the user-assigned identity the app runs as.')
param identityName string

@description('Name of the storage account (host storage, deployment container, clinic tables).')
param storageAccountName string

@description('Name of the blob container holding the deployment package.')
param deploymentContainerName string

@description('Name of the Service Bus namespace hosting the outbox queue and the events topic.')
param serviceBusNamespaceName string

@description('Name of the key vault holding the Twilio auth token.')
param keyVaultName string

@description('Name of the Key Vault secret holding the Twilio auth token.')
param twilioAuthTokenSecretName string

@description('Name of the Application Insights component.')
param appInsightsName string

@description('Twilio account SID (AC...). Not a secret.')
param twilioAccountSid string

@description('Public base URL Twilio calls (signature validation, status callback URL). Empty: https://<the app\'s default host name>.')
param twilioPublicBaseUrl string = ''

@description('Entra ID authority instance for the API (Microsoft.Identity.Web AzureAd:Instance).')
param azureAdInstance string

@description('Entra ID tenant id of the API app registration.')
param azureAdTenantId string

@description('Client (application) id of the API app registration.')
param azureAdClientId string

@description('NCRONTAB schedule (six fields) of the NightlyReminders timer.')
param nightlyRemindersSchedule string

@description('NCRONTAB schedule (six fields) of the DispatchSms timer.')
param dispatchSmsSchedule string

@description('NCRONTAB schedule (six fields) of the SweepMissedSessions timer.')
param sweepMissedSessionsSchedule string

@description('NCRONTAB schedule (six fields) of the EscalateFlags timer.')
param escalateFlagsSchedule string

@description('NCRONTAB schedule (six fields) of the ExpireOffers timer.')
param expireOffersSchedule string

@description('NCRONTAB schedule of the ExportRecords timer.')
param exportRecordsSchedule string

@description('URL of the records container the nightly exports go to.')
param recordsContainerUri string

@description('Upper bound of instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory of each instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Tags applied to the plan and the app.')
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: identityName
}

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName
}

resource serviceBus 'Microsoft.ServiceBus/namespaces@2026-01-01' existing = {
  name: serviceBusNamespaceName
}

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' existing = {
  name: keyVaultName

  resource twilioAuthToken 'secrets' existing = {
    name: twilioAuthTokenSecretName
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false
    publicNetworkAccess: 'Enabled'
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

// FTP and SCM basic (user name / password) publishing credentials are off: deployments authenticate
// with Entra ID.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

var publicBaseUrl = empty(twilioPublicBaseUrl) ? 'https://${site.properties.defaultHostName}' : twilioPublicBaseUrl

// The app settings live in their own resource (rather than in siteConfig) because
// Twilio__PublicBaseUrl defaults to the site's own default host name, known only once the site exists.
// FUNCTIONS_WORKER_RUNTIME and FUNCTIONS_EXTENSION_VERSION are not set: Flex Consumption takes the
// runtime from functionAppConfig and refuses those settings.
resource appSettings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: site
  name: 'appsettings'
  properties: {
    // Functions host storage, identity-based.
    AzureWebJobsStorage__accountName: storage.name
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identity.properties.clientId

    // The identity DefaultAzureCredential uses in the app.
    AZURE_CLIENT_ID: identity.properties.clientId
    AZURE_FUNCTIONS_ENVIRONMENT: 'Production'

    // Application Insights with Entra ID authentication (local auth is disabled on the component).
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${identity.properties.clientId}'

    // Clinic data and the outbox.
    ClinicStorage__TableServiceUri: storage.properties.primaryEndpoints.table
    Outbox__ServiceBusNamespace: split(split(split(serviceBus.properties.serviceBusEndpoint, '://')[1], '/')[0], ':')[0]

    // Twilio: the auth token is a Key Vault reference resolved with keyVaultReferenceIdentity.
    Twilio__AccountSid: twilioAccountSid
    Twilio__AuthToken: '@Microsoft.KeyVault(SecretUri=${vault::twilioAuthToken.properties.secretUri})'
    Twilio__PublicBaseUrl: publicBaseUrl

    // Entra ID for the clinic API (Microsoft.Identity.Web).
    AzureAd__Instance: azureAdInstance
    AzureAd__TenantId: azureAdTenantId
    AzureAd__ClientId: azureAdClientId

    // Timer schedules (six-field NCRONTAB, UTC).
    Schedules__NightlyReminders: nightlyRemindersSchedule
    Schedules__DispatchSms: dispatchSmsSchedule
    Schedules__SweepMissedSessions: sweepMissedSessionsSchedule
    Schedules__EscalateFlags: escalateFlagsSchedule
    Schedules__ExpireOffers: expireOffersSchedule
    Schedules__ExportRecords: exportRecordsSchedule
    // The records container, reached with the identity (Storage Blob Data Contributor on that container only).
    Records__ContainerUri: recordsContainerUri
  }
}

@description('Name of the function app.')
output name string = site.name

@description('Default host name of the function app.')
output defaultHostName string = site.properties.defaultHostName

@description('Public base URL Twilio calls (Twilio__PublicBaseUrl).')
output publicBaseUrl string = publicBaseUrl
