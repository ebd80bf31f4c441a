// The user-assigned managed identity the function app uses for everything: the Functions host's
// storage, the clinic tables, Service Bus, Key Vault references and Application Insights.

@description('Name of the user-assigned managed identity.')
param name string

@description('Azure region for the identity.')
param location string

@description('Tags applied to the identity.')
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

@description('Resource id of the identity.')
output id string = identity.id

@description('Name of the identity.')
output name string = identity.name

@description('Object (principal) id of the identity, for role assignments.')
output principalId string = identity.properties.principalId

@description('Client (application) id of the identity, for AZURE_CLIENT_ID and the *__clientId settings.')
output clientId string = identity.properties.clientId
