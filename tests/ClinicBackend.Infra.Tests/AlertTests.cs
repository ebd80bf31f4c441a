using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml;
using ClinicBackend.Application.Operations;
using ClinicBackend.Infra.Tests.Support;
using Microsoft.Azure.Functions.Worker;
using NCrontab;

namespace ClinicBackend.Infra.Tests;

/// <summary>Operators' alerting: the on-call action group and the alert rules that notify it.</summary>
[Collection(InfraCollection.Name)]
public sealed partial class AlertTests(InfraFixture fixture)
{
    private const string MetricAlert = "Microsoft.Insights/metricAlerts";
    private const string LogAlert = "Microsoft.Insights/scheduledQueryRules";

    private readonly CompiledInfra infra = fixture.Infra;

    private ArmResource ActionGroup => infra.Single("Microsoft.Insights/actionGroups");

    private ArmResource DeadLetters => Rule(MetricAlert, "sms-outbox-dead-letters");

    private ArmResource FunctionFailures => Rule(LogAlert, "function-failures");

    private ArmResource DispatchHeartbeat => Rule(LogAlert, "dispatchsms-heartbeat");

    private IReadOnlyList<ArmResource> AllRules => infra.OfType(MetricAlert).Concat(infra.OfType(LogAlert)).ToList();

    /// <summary>A rule by the fixed part of its name ('{0}-suffix' with the environment's base name).</summary>
    private ArmResource Rule(string type, string suffix)
    {
        var matches = infra.OfType(type).Where(r => r.Name.Contains($"-{suffix}'", StringComparison.Ordinal)).ToList();
        Assert.True(matches.Count == 1, $"Expected one {type} named *-{suffix}, found {matches.Count} " +
            $"(names: {string.Join(", ", infra.OfType(type).Select(r => r.Name))}).");
        return matches[0];
    }

    private static JsonObject Criterion(ArmResource rule)
    {
        var criteria = rule.Properties["criteria"]?["allOf"]?.AsArray();
        Assert.True(criteria is { Count: 1 }, $"{rule} must have exactly one criterion.");
        return criteria![0]!.AsObject();
    }

    private static string Query(ArmResource rule) => CompiledInfra.Text(Criterion(rule)["query"]);

    private static string Text(JsonNode? node) => CompiledInfra.Text(node);

    /// <summary>
    /// The resource a rule's scope points at: the scope is a module parameter fed from another module's
    /// output, which must be resourceId() of a resource that module creates.
    /// </summary>
    private ArmResource ScopeTarget(ArmResource rule)
    {
        var scopes = rule.Properties["scopes"]!.AsArray();
        var scope = CompiledInfra.Text(rule.Resolve(Assert.Single(scopes)));
        var output = ModuleOutput().Match(scope);
        Assert.True(output.Success, $"{rule}: scope '{scope}' is not another module's output.");
        var module = infra.Main.AllTemplates().Single(t => t.DeploymentName == output.Groups[1].Value);
        var value = CompiledInfra.Text(module.Outputs[output.Groups[2].Value]?["value"]);
        var call = ArmTemplate.ParseCall(value);
        Assert.True(call is ("resourceId", { Count: 2 }), $"{module.DeploymentName} output {output.Groups[2].Value} is '{value}', not a resource id.");
        var type = call!.Value.Arguments[0].Trim('\'');
        var name = module.ResolveArgument(call.Value.Arguments[1]);
        var targets = infra.OfType(type).Where(r => r.Template.DeploymentName == module.DeploymentName && r.LeafName == name).ToList();
        Assert.True(targets.Count == 1, $"{rule}: the scope {type} '{name}' is not a resource the template creates.");
        return targets[0];
    }

    /// <summary>The action group ids a rule notifies (metric alerts and log alerts write them differently).</summary>
    private static IReadOnlyList<string> ActionGroupIds(ArmResource rule) =>
        rule.Type == MetricAlert
            ? rule.Properties["actions"]!.AsArray().Select(a => Text(a!["actionGroupId"])).ToList()
            : rule.Properties["actions"]!["actionGroups"]!.AsArray().Select(Text).ToList();

    private static TimeSpan Duration(JsonNode? node) => XmlConvert.ToTimeSpan(Text(node));

    [Fact]
    public void The_action_group_is_global_and_emails_every_address_of_the_parameter()
    {
        var group = ActionGroup;
        Assert.Equal("global", Text(group.Node["location"]));
        Assert.True(group.Properties["enabled"]!.GetValue<bool>());
        Assert.Null(group.Properties["emailReceivers"]); // no fixed list: one receiver per address, below

        // emailReceivers is a copy loop over the addresses handed down from main.bicep's parameter.
        var loop = Assert.Single(group.Properties["copy"]!.AsArray(), c => Text(c!["name"]) == "emailReceivers")!;
        var count = ArmTemplate.ParseCall(Text(loop["count"]));
        Assert.True(count is ("length", { Count: 1 }), $"The receivers loop runs over '{Text(loop["count"])}'.");
        var list = count!.Value.Arguments[0];
        Assert.Equal("[parameters('alertEmailAddresses')]",
            Text(group.Template.ResolveToRootParameter(JsonValue.Create($"[{list}]"))));

        var receiver = loop["input"]!.AsObject();
        Assert.Equal($"[{list}[copyIndex('emailReceivers')]]", Text(receiver["emailAddress"]));
        Assert.True(receiver["useCommonAlertSchema"]!.GetValue<bool>());
        // Receiver names must be unique within the group.
        Assert.Contains("copyIndex('emailReceivers')", Text(receiver["name"]), StringComparison.Ordinal);
    }

    [Fact]
    public void The_email_addresses_are_a_required_parameter_set_for_dev()
    {
        var parameter = infra.Main.Parameters["alertEmailAddresses"]!;
        Assert.Equal("array", Text(parameter["type"]));
        Assert.Null(parameter["defaultValue"]);
        Assert.Equal(1, parameter["minLength"]!.GetValue<int>());

        var dev = infra.ParameterValues["main.dev.parameters.json"]["parameters"]!["alertEmailAddresses"]!["value"]!.AsArray();
        Assert.NotEmpty(dev);
        Assert.All(dev, a => Assert.Matches(@"^[^@\s]+@[^@\s]+\.[^@\s]+$", Text(a)));
    }

    [Fact]
    public void There_is_one_action_group_and_every_rule_notifies_exactly_it()
    {
        var group = ActionGroup;
        var id = $"[resourceId('{group.Type}', {ArmTemplate.ExpressionBody(group.Name)})]";
        Assert.Equal(6, AllRules.Count);
        foreach (var rule in AllRules)
        {
            Assert.Equal(group.Template.DeploymentName, rule.Template.DeploymentName);
            Assert.Equal(new[] { id }, ActionGroupIds(rule));
            Assert.True(rule.Properties["enabled"]!.GetValue<bool>(), $"{rule} is disabled.");
        }
    }

    [Fact]
    public void Dead_lettered_outbox_messages_raise_a_metric_alert_on_the_service_bus_namespace()
    {
        var rule = DeadLetters;
        Assert.Equal("global", Text(rule.Node["location"]));
        var target = ScopeTarget(rule);
        Assert.Equal("Microsoft.ServiceBus/namespaces", target.Type);
        Assert.Equal(target.Template.DeploymentName, infra.Named("Microsoft.ServiceBus/namespaces/queues", "sms-outbox").Template.DeploymentName);

        Assert.Equal("Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria", Text(rule.Properties["criteria"]!["odata.type"]));
        var criterion = Criterion(rule);
        Assert.Equal("StaticThresholdCriterion", Text(criterion["criterionType"]));
        Assert.Equal("Microsoft.ServiceBus/namespaces", Text(criterion["metricNamespace"]));
        Assert.Equal("DeadletteredMessages", Text(criterion["metricName"]));
        Assert.Equal("GreaterThan", Text(criterion["operator"]));
        Assert.Equal(0, criterion["threshold"]!.GetValue<double>());
        // DeadletteredMessages is a gauge: Average, Minimum and Maximum are its only aggregations.
        Assert.Equal("Maximum", Text(criterion["timeAggregation"]));

        var dimension = Assert.Single(criterion["dimensions"]!.AsArray())!;
        Assert.Equal("EntityName", Text(dimension["name"]));
        Assert.Equal("Include", Text(dimension["operator"]));
        var value = Assert.Single(dimension["values"]!.AsArray());
        Assert.Equal("sms-outbox", Text(rule.Resolve(value)));

        Assert.Equal(2, rule.Properties["severity"]!.GetValue<int>());
        Assert.True(rule.Properties["autoMitigate"]!.GetValue<bool>());
    }

    [Fact]
    public void Every_log_alert_queries_the_application_insights_component()
    {
        var rules = infra.OfType(LogAlert).ToList();
        Assert.Equal(5, rules.Count);
        foreach (var rule in rules)
        {
            Assert.Equal("LogAlert", Text(rule.Node["kind"]));
            Assert.Equal("Microsoft.Insights/components", ScopeTarget(rule).Type);
            Assert.Equal("Count", Text(Criterion(rule)["timeAggregation"]));
            var frequency = Duration(rule.Properties["evaluationFrequency"]);
            var window = Duration(rule.Properties["windowSize"]);
            Assert.True(frequency <= window, $"{rule}: evaluated every {frequency}, over {window}: events between windows would be missed.");
            Assert.Null(rule.Node["identity"]); // log alerts query with Azure Monitor's access; no identity to grant
        }
    }

    [Fact]
    public void Function_failures_alert_on_more_than_three_failed_executions_in_15_minutes()
    {
        var rule = FunctionFailures;
        var query = Query(rule);
        Assert.StartsWith("requests", query, StringComparison.Ordinal);
        Assert.Contains("success == false", query, StringComparison.Ordinal);
        var criterion = Criterion(rule);
        Assert.Equal("GreaterThan", Text(criterion["operator"]));
        Assert.Equal(3, criterion["threshold"]!.GetValue<double>());
        Assert.Equal(TimeSpan.FromMinutes(15), Duration(rule.Properties["windowSize"]));
        Assert.Equal(2, rule.Properties["severity"]!.GetValue<int>());
        Assert.True(rule.Properties["autoMitigate"]!.GetValue<bool>());
    }

    [Fact]
    public void Dispatch_sms_heartbeat_alerts_when_it_has_not_run_for_10_minutes()
    {
        var rule = DispatchHeartbeat;
        var query = Query(rule);
        Assert.Matches(@"^requests\s*\|\s*where name == ""DispatchSms""\s*$", query);
        var criterion = Criterion(rule);
        Assert.Equal("LessThan", Text(criterion["operator"]));
        Assert.Equal(1, criterion["threshold"]!.GetValue<double>());
        Assert.Equal(TimeSpan.FromMinutes(10), Duration(rule.Properties["windowSize"]));
        Assert.Equal(1, rule.Properties["severity"]!.GetValue<int>());
        Assert.True(rule.Properties["autoMitigate"]!.GetValue<bool>());
    }

    [Fact]
    public void The_heartbeat_watches_a_real_function_that_runs_several_times_in_its_window()
    {
        // The request name is the function's name.
        var names = typeof(ClinicBackend.Functions.Configuration.SchedulesOptions).Assembly.GetExportedTypes()
            .SelectMany(t => t.GetMethods())
            .Select(m => m.GetCustomAttribute<FunctionAttribute>()?.Name)
            .ToList();
        Assert.Contains("DispatchSms", names);

        // With the default schedule the window holds several runs; a slower schedule would keep it fired.
        var schedule = infra.Main.Parameters["dispatchSmsSchedule"]!["defaultValue"]!.GetValue<string>();
        var runs = CrontabSchedule.Parse(schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true })
            .GetNextOccurrences(new DateTime(2030, 1, 1), new DateTime(2030, 1, 2)).ToList();
        var longestGap = runs.Zip(runs.Skip(1), (a, b) => b - a).Max();
        Assert.True(longestGap * 2 <= Duration(DispatchHeartbeat.Properties["windowSize"]),
            $"DispatchSms runs up to {longestGap} apart; the heartbeat window must hold at least two runs.");
    }

    public static TheoryData<string, int, bool> EventRules => new()
    {
        { "twilio-auth-failed", OperationalEvents.TwilioAuthenticationFailed.Id, true },
        { "escalation-exhausted", OperationalEvents.EscalationExhausted.Id, false },
    };

    [Theory]
    [MemberData(nameof(EventRules))]
    public void App_events_alert_on_their_event_id_not_on_log_text(string suffix, int eventId, bool autoMitigate)
    {
        var rule = Rule(LogAlert, suffix);
        var query = Query(rule);
        // The worker's exporter writes a log's event id to customDimensions.EventId; errors logged with an exception go to exceptions.
        var match = EventIdQuery().Match(query);
        Assert.True(match.Success, $"{rule}: the query is not a match on one event id: {query}");
        Assert.Equal(eventId.ToString(System.Globalization.CultureInfo.InvariantCulture), match.Groups[1].Value);
        Assert.Contains($"event {eventId}", Text(rule.Properties["description"]), StringComparison.Ordinal);

        var criterion = Criterion(rule);
        Assert.Equal("GreaterThan", Text(criterion["operator"]));
        Assert.Equal(0, criterion["threshold"]!.GetValue<double>());
        Assert.Equal(1, rule.Properties["severity"]!.GetValue<int>());
        // An exhausted escalation notifies on every evaluation that sees one; a Twilio failure once per outage.
        Assert.Equal(autoMitigate, rule.Properties["autoMitigate"]!.GetValue<bool>());
    }

    [Fact]
    public void A_clinic_without_a_records_export_for_26_hours_raises_an_alert_per_clinic_on_the_event_ids_not_the_message_text()
    {
        var rule = Rule(LogAlert, "records-export-overdue");
        var query = Query(rule);
        Assert.Matches(@"^union traces, exceptions\s*\|", query);
        // The events' ids and names, as the app defines them.
        Assert.Contains($"EventName == \"{ClinicBackend.Application.Operations.OperationalEvents.RecordsExported.Name}\"", query, StringComparison.Ordinal);
        Assert.Contains($"EventId == \"{ClinicBackend.Application.Operations.OperationalEvents.RecordsExported.Id}\"", query, StringComparison.Ordinal);
        Assert.Contains($"EventName == \"{ClinicBackend.Application.Operations.OperationalEvents.ClinicRunFailed.Name}\"", query, StringComparison.Ordinal);
        Assert.Contains("Run == \"ExportRecords\"", query, StringComparison.Ordinal);
        Assert.DoesNotContain("message", query, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("LastExported < ago(26h)", query, StringComparison.Ordinal);
        Assert.Contains("summarize LastExported = maxif(timestamp, Exported) by ClinicId", query, StringComparison.Ordinal);

        var criterion = Criterion(rule);
        var dimension = Assert.Single(criterion["dimensions"]!.AsArray())!;
        Assert.Equal("ClinicId", Text(dimension["name"]));
        Assert.Equal("GreaterThan", Text(criterion["operator"]));
        Assert.Equal(0, criterion["threshold"]!.GetValue<double>());
        // The window holds a night's export and the 26 hours after it.
        Assert.True(Duration(rule.Properties["windowSize"]) > TimeSpan.FromHours(26));
        Assert.Equal(TimeSpan.FromHours(1), Duration(rule.Properties["evaluationFrequency"]));

        // The function the events come from runs at least once a day.
        var schedule = infra.Main.Parameters["exportRecordsSchedule"]!["defaultValue"]!.GetValue<string>();
        var runs = CrontabSchedule.Parse(schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true })
            .GetNextOccurrences(new DateTime(2030, 1, 1), new DateTime(2030, 1, 3)).ToList();
        Assert.True(runs.Count >= 2 && runs.Zip(runs.Skip(1), (a, b) => b - a).Max() <= TimeSpan.FromHours(24));
    }

    [Fact]
    public void No_rule_matches_log_text()
    {
        foreach (var rule in infra.OfType(LogAlert))
        {
            var query = Query(rule);
            Assert.DoesNotMatch(@"\bmessage\b|FormattedMessage|\bhas\b|contains", query);
        }
    }

    [GeneratedRegex(@"^\[reference\(resourceId\('Microsoft\.Resources/deployments', '([^']+)'\), '[^']+'\)\.outputs\.(\w+)\.value\]$")]
    private static partial Regex ModuleOutput();

    [GeneratedRegex(@"^union traces, exceptions\s*\|\s*where tostring\(customDimensions\.EventId\) == ""(\d+)""\s*$")]
    private static partial Regex EventIdQuery();
}
