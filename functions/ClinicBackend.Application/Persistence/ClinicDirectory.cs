namespace ClinicBackend.Application.Persistence;

/// <summary>The directory partition's rows: which clinics exist, and which clinic a number or Messaging Service is routed to.</summary>
public sealed partial class ClinicData
{
    public Task<Stored<SmsRoute>?> SmsRouteAsync(string smsFrom, CancellationToken ct) =>
        Store.GetAsync<SmsRoute>(Keys.Directory, Keys.SmsRoute(smsFrom), ct);

    /// <summary>
    /// Routes texts to <paramref name="smsFrom"/> to the clinic: inserts the route, or takes over the one read
    /// (<paramref name="current"/>) under its ETag. A concurrent claim throws <see cref="CommitConflictException"/>.
    /// </summary>
    public Task ClaimSmsRouteAsync(string smsFrom, string clinicId, Stored<SmsRoute>? current, CancellationToken ct) =>
        Store.CommitAsync(Keys.Directory, [current is null
            ? new Change.Insert(Keys.SmsRoute(smsFrom), new SmsRoute(clinicId))
            : new Change.Replace(current.Key, new SmsRoute(clinicId), current.ETag)], ct);

    /// <summary>Removes a route as read; a route changed meanwhile is no longer the caller's and stays.</summary>
    public Task ReleaseSmsRouteAsync(Stored<SmsRoute> current, CancellationToken ct) =>
        TryWriteAsync(Keys.Directory, [new Change.Delete(current.Key, current.ETag)], ct);

    /// <summary>Lists the clinic for the nightly runs (safe to repeat).</summary>
    public Task ListClinicAsync(string clinicId, CancellationToken ct) =>
        Store.CommitAsync(Keys.Directory, [new Change.Upsert(Keys.DirectoryClinic(clinicId), new DirectoryEntry(clinicId))], ct);

    /// <summary>Records that a Messaging Service carries the clinic's texts; a record is never changed, so the first one stays.</summary>
    public Task RecordServiceTrafficAsync(string messagingServiceSid, string clinicId, CancellationToken ct) =>
        TryWriteAsync(Keys.Directory, [new Change.Insert(Keys.ServiceTraffic(messagingServiceSid), new ServiceTraffic(clinicId))], ct);
}
