// Operators' alerting: one action group that emails the on-call addresses, and the alert rules that
// use it. The log alerts query the Application Insights component (its classic tables: requests,
// traces, exceptions); the dead-letter alert reads a Service Bus metric. The component's disabled
// local auth concerns telemetry ingestion and API keys, not alert queries: the rules need no identity.

@description('Environment base name (prefix-environment), used in the rule names that operators see in the emails.')
param baseName string

@description('Azure region of the log alert rules (metric alerts and the action group are global).')
param location string

@description('Email addresses the action group notifies. At least one.')
@minLength(1)
param alertEmailAddresses array

@description('Resource id of the Application Insights component the log alert rules query.')
param appInsightsId string

@description('Resource id of the Service Bus namespace whose metrics the dead-letter alert reads.')
param serviceBusNamespaceId string

@description('Name of the outbox queue (the EntityName dimension of the dead-letter alert).')
param outboxQueueName string

@description('Tags applied to the action group and the rules.')
param tags object = {}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-${baseName}-oncall'
  location: 'global'
  tags: tags
  properties: {
    // Shown as the sender of SMS and push notifications; at most 12 characters.
    groupShortName: take(baseName, 12)
    enabled: true
    emailReceivers: [
      for (address, i) in alertEmailAddresses: {
        name: 'email-${i}'
        emailAddress: address
        useCommonAlertSchema: true
      }
    ]
  }
}

// A message in the outbox's dead-letter queue is a text the dispatcher gave up on (10 deliveries) or
// one that expired. The metric counts what is in the dead-letter queue now, so the alert stays fired
// until an operator empties it.
resource deadLetters 'Microsoft.Insights/metricAlerts@2026-01-01' = {
  name: '${baseName}-sms-outbox-dead-letters'
  location: 'global'
  tags: tags
  properties: {
    description: 'Messages in the ${outboxQueueName} dead-letter queue: texts the dispatcher could not send. See infra/README.md, Alerts and runbook.'
    severity: 2
    enabled: true
    scopes: [
      serviceBusNamespaceId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'DeadLetteredInOutbox'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'DeadletteredMessages'
          dimensions: [
            {
              name: 'EntityName'
              operator: 'Include'
              values: [
                outboxQueueName
              ]
            }
          ]
          timeAggregation: 'Maximum'
          operator: 'GreaterThan'
          threshold: 0
        }
      ]
    }
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

// Failed function executions. 4xx answers are refused callers (bad tokens, bad Twilio signatures),
// not failures of the app, so they are left out.
resource functionFailures 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: '${baseName}-function-failures'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    description: 'More than 3 failed function executions in 15 minutes. See infra/README.md, Alerts and runbook.'
    severity: 2
    enabled: true
    scopes: [
      appInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: 'requests | where success == false and not(resultCode startswith "4")'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 3
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

// DispatchSms runs every minute by default; no run in 10 minutes means no text goes out.
resource dispatchHeartbeat 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: '${baseName}-dispatchsms-heartbeat'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    description: 'DispatchSms has not run for 10 minutes: no texts are being sent. See infra/README.md, Alerts and runbook.'
    severity: 1
    enabled: true
    scopes: [
      appInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT10M'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: 'requests | where name == "DispatchSms"'
          timeAggregation: 'Count'
          operator: 'LessThan'
          threshold: 1
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

// The app logs these events as errors with a stable event id (OperationalEvents.cs), which the worker's
// Azure Monitor exporter writes to customDimensions.EventId. An error logged with an exception lands in
// exceptions instead of traces, so the queries read both. The message text is for people and is not matched.
// Twilio refusing the account's credentials stops every text, and it lasts until someone fixes the
// token: one notification, resolved when the event stops.
resource twilioAuthFailed 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: '${baseName}-twilio-auth-failed'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    description: 'Twilio refused the account credentials (event 9001, TwilioAuthenticationFailed): no texts are being sent. See infra/README.md, Alerts and runbook.'
    severity: 1
    enabled: true
    scopes: [
      appInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT10M'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: '''
union traces, exceptions
| where tostring(customDimensions.EventId) == "9001"
'''
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

// Every exhausted escalation is a flag nobody acknowledged: each one must reach a person. The rule is
// stateless (autoMitigate off), so every evaluation that finds one notifies; the window overlaps the
// previous one so that an event ingested late is still seen (it may then notify twice).
resource escalationExhausted 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: '${baseName}-escalation-exhausted'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    description: 'An escalation ran out of people to notify (event 9002, EscalationExhausted): a flag is unacknowledged. See infra/README.md, Alerts and runbook.'
    severity: 1
    enabled: true
    scopes: [
      appInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT10M'
    autoMitigate: false
    criteria: {
      allOf: [
        {
          query: '''
union traces, exceptions
| where tostring(customDimensions.EventId) == "9002"
'''
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

// The system of record: each clinic's rows go to the records container every night, and each clinic
// whose export is in place logs RecordsExported (9004); a failed one logs ClinicRunFailed (9003) with the
// run's name. The query matches those event ids and names (never message text) and returns each clinic
// seen in the window whose last export is older than 26 hours, so the alert names the clinic (one alert
// per ClinicId dimension). The window is the longest a log alert allows (2 days): a clinic that also
// stopped logging anything (ExportRecords not running at all) drops out after it; the function-failures
// rule covers a run that fails as a whole.
resource recordsExportOverdue 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: '${baseName}-records-export-overdue'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    description: 'ExportRecords has not exported a clinic\'s records for 26 hours (events RecordsExported 9004, ClinicRunFailed 9003): the system of record is behind. See docs/records.md.'
    severity: 2
    enabled: true
    scopes: [
      appInsightsId
    ]
    evaluationFrequency: 'PT1H'
    windowSize: 'P2D'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: '''
union traces, exceptions
| extend EventName = tostring(customDimensions.EventName), EventId = tostring(customDimensions.EventId),
    Run = coalesce(tostring(customDimensions.prop__Run), tostring(customDimensions.Run)),
    ClinicId = coalesce(tostring(customDimensions.prop__ClinicId), tostring(customDimensions.ClinicId))
| extend Exported = EventName == "RecordsExported" or EventId == "9004"
| where Exported or ((EventName == "ClinicRunFailed" or EventId == "9003") and Run == "ExportRecords")
| summarize LastExported = maxif(timestamp, Exported) by ClinicId
| where isnull(LastExported) or LastExported < ago(26h)
'''
          timeAggregation: 'Count'
          dimensions: [
            {
              name: 'ClinicId'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

@description('Resource id of the on-call action group.')
output actionGroupId string = actionGroup.id
