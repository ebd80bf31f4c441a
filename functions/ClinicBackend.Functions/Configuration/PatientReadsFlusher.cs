using ClinicBackend.Application.Access;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ClinicBackend.Functions.Configuration;

/// <summary>Writes the patient-read audit in the background, in both hosts, and once more when the host stops.</summary>
public sealed class PatientReadsFlusher(IServiceProvider services) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Resolved once the host has started, after its settings were checked.
        await Task.Yield();
        await services.GetRequiredService<PatientReads>().RunAsync(stoppingToken);
    }
}
