using System.Text.Json.Nodes;
using ClinicBackend.Domain.Events;
using ClinicBackend.Domain.Time;

namespace ClinicBackend.Infrastructure.Events;

/// <summary>The CloudEvents 1.0 structured JSON form of a clinic event.</summary>
public static class CloudEventJson
{
    public const string ContentType = "application/cloudevents+json; charset=utf-8";

    public static string Serialize(ClinicEvent e) => new JsonObject
    {
        ["specversion"] = e.SpecVersion,
        ["id"] = e.Id,
        ["source"] = e.Source,
        ["type"] = e.Type,
        ["subject"] = e.Subject,
        ["time"] = ClinicTime.FormatUtc(e.Time),
        ["datacontenttype"] = e.DataContentType,
        ["clinicid"] = e.ClinicId,
        ["data"] = e.Data.DeepClone(),
    }.ToJsonString();
}
