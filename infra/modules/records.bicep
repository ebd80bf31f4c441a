// The system of record: a storage account of its own for the nightly exports of every clinic's rows
// (records/{clinicId}/{yyyy-MM-dd}.jsonl.gz and .manifest.json). Blob versioning is on and the records
// container has version-level immutability with a time-based default policy: a blob version cannot be
// deleted or changed until its retention has passed, and an overwrite only adds a version. Its own
// account keeps the Functions host's frequently rewritten blobs out of versioning, and lets the app's
// identity hold Storage Blob Data Contributor on this container only (roles.bicep), which cannot take
// a policy off a blob. Lock the policy once after the first deployment (docs/records.md).

@description('Name of the records storage account (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region for the records storage account.')
param location string

@description('Storage redundancy SKU.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param skuName string = 'Standard_GZRS'

@description('Name of the records container.')
param containerName string = 'records'

@description('Days each export (each blob version) is kept immutable. HIPAA documentation: six years.')
@minValue(1)
@maxValue(146000)
param immutabilityPeriodInDays int = 2190

@description('Days deleted blobs and containers are kept (soft delete).')
@minValue(1)
@maxValue(365)
param softDeleteRetentionDays int = 30

@description('Tags applied to the storage account.')
param tags object = {}

resource account 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Cool'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    supportsHttpsTrafficOnly: true
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    publicNetworkAccess: 'Enabled'
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' = {
  parent: account
  name: 'default'
  properties: {
    isVersioningEnabled: true
    deleteRetentionPolicy: {
      enabled: true
      days: softDeleteRetentionDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: softDeleteRetentionDays
    }
  }
}

resource container 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = {
  parent: blobService
  name: containerName
  properties: {
    publicAccess: 'None'
    immutableStorageWithVersioning: {
      enabled: true
    }
  }
}

// The container's default policy: every blob version written here inherits it.
resource immutability 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies@2025-06-01' = {
  parent: container
  name: 'default'
  properties: {
    immutabilityPeriodSinceCreationInDays: immutabilityPeriodInDays
    allowProtectedAppendWrites: false
  }
}

@description('Name of the records storage account.')
output name string = account.name

@description('Name of the records container.')
output containerName string = container.name

@description('URL of the records container (Records__ContainerUri).')
output containerUri string = '${account.properties.primaryEndpoints.blob}${container.name}'
