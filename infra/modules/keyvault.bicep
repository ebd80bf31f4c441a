// Key Vault in RBAC mode holding the Twilio auth token. The function app reads it through a Key Vault
// reference resolved with its user-assigned identity (Key Vault Secrets User on this vault).

@description('Name of the key vault (3-24 letters, digits and hyphens).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region for the vault.')
param location string

@description('Twilio auth token, stored as a secret. Never logged or output.')
@secure()
param twilioAuthToken string

@description('Name of the secret holding the Twilio auth token.')
param twilioAuthTokenSecretName string = 'twilio-auth-token'

@description('Days a deleted vault or secret can be recovered (7-90).')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int = 90

@description('Resource id of the Log Analytics workspace receiving the vault\'s audit logs.')
param logAnalyticsWorkspaceId string

@description('Tags applied to the vault.')
param tags object = {}

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: 'Enabled'
  }
}

resource twilioAuthTokenSecret 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = {
  parent: vault
  name: twilioAuthTokenSecretName
  properties: {
    value: twilioAuthToken
    contentType: 'text/plain'
    attributes: {
      enabled: true
    }
  }
}

// The newest diagnosticSettings API is a preview; no later GA version exists in the Bicep type library.
#disable-next-line use-recent-api-versions
resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: vault
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

@description('Name of the vault.')
output name string = vault.name

@description('Name of the Twilio auth token secret.')
output twilioAuthTokenSecretName string = twilioAuthTokenSecret.name
