using ClinicBackend.Application.Access;
using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Offers;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Time;
using ClinicBackend.Domain.Waitlist;

namespace ClinicBackend.Application.Waitlist;

/// <summary>The body of POST .../waitlist.</summary>
public sealed class WaitlistInput
{
    public string? PatientId { get; set; }
    public string? From { get; set; }
    public string? To { get; set; }
    public string? Earliest { get; set; }
    public string? Latest { get; set; }
    public string? SessionId { get; set; }
}

/// <summary>Staff put patients on the clinic's waitlist for a window of dates and times, list them oldest first, and take them off.</summary>
public sealed class WaitlistService(ClinicData data, ClinicAccess access, ClinicUpdates updates, WaitlistOffers offers)
{
    /// <summary>The longest window an entry may cover.</summary>
    public const int MaxWindowDays = 90;
    public const int MaxListed = 500;

    public Task<Result<WaitlistEntry>> AddAsync(Caller caller, string clinicId, WaitlistInput input, CancellationToken ct) =>
        updates.RunAsync<WaitlistEntry>(caller, clinicId, Need.Staff, async (clinic, commit) =>
        {
            var now = commit.Now;
            var errors = new FieldErrors();
            var today = now.InZone(clinic.Zone).Date;
            if (string.IsNullOrEmpty(input.PatientId))
            {
                errors.Add("patientId", "patientId is required.");
            }
            if (!ClinicTime.TryParseDate(input.From, out var from))
            {
                errors.Add("from", "Give the first date as YYYY-MM-DD.");
            }
            if (!ClinicTime.TryParseDate(input.To, out var to))
            {
                errors.Add("to", "Give the last date as YYYY-MM-DD.");
            }
            if (!ClinicTime.TryParseHourMinute(input.Earliest, out var earliest))
            {
                errors.Add("earliest", "Give the earliest start as HH:mm (clinic time).");
            }
            if (!ClinicTime.TryParseHourMinute(input.Latest, out var latest))
            {
                errors.Add("latest", "Give the latest start as HH:mm (clinic time).");
            }
            if (!errors.Any)
            {
                if (to < from || to < today || from.PlusDays(MaxWindowDays) < to)
                {
                    errors.Add("to", $"to must not be before from or in the past, and the window at most {MaxWindowDays} days.");
                }
                if (latest < earliest)
                {
                    errors.Add("latest", "latest must not be before earliest.");
                }
            }
            if (input.SessionId is not null && !Ids.IsGeneratedId(input.SessionId))
            {
                errors.Add("sessionId", "Give the id of the patient's booked session to move earlier, or leave it out.");
            }
            if (errors.Any)
            {
                return errors.ToProblem();
            }
            if (!clinic.SelfService.Waitlist)
            {
                return Problem.Rule("waitlist-off", "The clinic has no waitlist.", "Turn on selfService.waitlist in the clinic's settings first.");
            }
            var patient = Ids.IsGeneratedId(input.PatientId) ? await data.PatientAsync(clinicId, input.PatientId!, ct) : null;
            if (patient is null || !patient.Value.Active)
            {
                return Problem.Rule("unknown-patient", "Unknown patient.", "No active patient with this id is registered at this clinic.");
            }
            var named = input.SessionId is { } sessionId ? await data.SessionAsync(clinicId, sessionId, ct) : null;
            if (input.SessionId is not null && (named is null || named.Value.Status != SessionStatus.Booked || named.Value.PatientId != patient.Value.Id))
            {
                return Problem.Rule("unknown-session", "No such booked session.", "sessionId must be a booked session of this patient.");
            }
            var entry = new WaitlistEntry
            {
                Id = WaitlistEntry.NewId(),
                PatientId = patient.Value.Id,
                From = from < today ? today : from,
                To = to,
                Earliest = earliest,
                Latest = latest,
                SessionId = input.SessionId,
                CreatedAt = now,
            };
            commit.Insert(Keys.WaitlistEntry(entry.Id), entry)
                .Insert(Keys.WaitlistIndex(Names.Kebab(entry.Status), entry.CreatedAt, entry.Id), entry)
                .Audit("waitlist.added", "waitlist", entry.Id, null, entry);
            return entry;
        }, ct);

    /// <summary>Entries of a status (all when none), oldest first.</summary>
    public async Task<Result<IReadOnlyList<WaitlistEntry>>> ListAsync(Caller caller, string clinicId, string? status, CancellationToken ct)
    {
        var stored = await access.RequireAsync(caller, clinicId, Need.Staff, ct);
        if (!stored.IsSuccess)
        {
            return stored.Problem!;
        }
        var statuses = Enum.GetValues<WaitlistStatus>().Select(Names.Kebab).ToList();
        if (status is not null && !statuses.Contains(status))
        {
            return Problem.Validation("status", $"status must be one of {string.Join(", ", statuses)}.");
        }
        var entries = new List<WaitlistEntry>();
        foreach (var s in status is null ? statuses : [status])
        {
            entries.AddRange(await data.WaitlistAsync(clinicId, s, ct, MaxListed));
        }
        return entries.OrderBy(e => e.CreatedAt).Take(MaxListed).ToList();
    }

    /// <summary>Takes an entry off the list; an offer it holds closes and its chair passes on.</summary>
    public Task<Result<WaitlistEntry>> RemoveAsync(Caller caller, string clinicId, string entryId, CancellationToken ct) =>
        updates.ChangeAsync<WaitlistEntry, WaitlistEntry>(caller, clinicId, Need.Staff, Entities.WaitlistEntry, entryId, ifMatch: null, async change =>
        {
            var (entry, commit) = (change.Current, change.Commit);
            if (!entry.Value.IsActive)
            {
                return entry.Value;
            }
            if (entry.Value.Status == WaitlistStatus.Offered
                && (await data.LatestOfferAsync(clinicId, entry.Value.PatientId, ct)).Offer is { Value.Status: OfferStatus.Open } offer
                && offer.Value.WaitlistEntryId == entry.Value.Id)
            {
                await offers.CloseAsync(commit, clinicId, offer, OfferStatus.Declined, ct, entryBackToWaiting: false);
            }
            var removed = entry.Value.With(WaitlistStatus.Removed);
            WaitlistWrites.Update(commit, entry, removed);
            return removed;
        }, ct);
}
