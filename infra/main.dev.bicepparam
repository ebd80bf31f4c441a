// Parameters of the dev environment. Secrets are never written here: the Twilio auth token is read
// from the environment when the file is compiled (az deployment group create compiles it):
//   export TWILIO_AUTH_TOKEN=...   (from the Twilio console)
// The other values can be set the same way or edited below.
using 'main.bicep'

param environmentName = 'dev'
param namePrefix = 'clinic'

param twilioAccountSid = readEnvironmentVariable('TWILIO_ACCOUNT_SID', 'AC00000000000000000000000000000000')
param twilioAuthToken = readEnvironmentVariable('TWILIO_AUTH_TOKEN')

// The API's Entra ID app registration (README: Register the API in Entra ID).
param azureAdClientId = readEnvironmentVariable('CLINIC_API_CLIENT_ID', '00000000-0000-0000-0000-000000000000')

// Who gets the alert emails (README: Alerts and runbook). Replace the placeholder with the on-call
// addresses of this environment.
param alertEmailAddresses = [
  'clinic-oncall@example.org'
]

// Dev runs small and cheap; the schedules keep their production defaults.
param storageSkuName = 'Standard_LRS'
param maximumInstanceCount = 40
param instanceMemoryMB = 2048
param logRetentionInDays = 30
param logDailyQuotaGb = 1

param tags = {
  owner: 'clinic-platform'
}
