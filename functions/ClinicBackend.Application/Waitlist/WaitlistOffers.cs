using ClinicBackend.Application.Persistence;
using ClinicBackend.Domain.Access;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Flags;
using ClinicBackend.Domain.Messaging;
using ClinicBackend.Domain.Offers;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Time;
using ClinicBackend.Domain.Waitlist;
using NodaTime;

namespace ClinicBackend.Application.Waitlist;

/// <summary>What one ExpireOffers run did: offers closed, freed chairs offered, overdue course bookings finished.</summary>
public sealed record ExpiryRunSummary(int Expired, int Offered, int CoursesFinished = 0)
{
    public static ExpiryRunSummary operator +(ExpiryRunSummary a, ExpiryRunSummary b) =>
        new(a.Expired + b.Expired, a.Offered + b.Offered, a.CoursesFinished + b.CoursesFinished);

    public static readonly ExpiryRunSummary Zero = new(0, 0);
}

/// <summary>
/// Freed chairs go to the waitlist: the oldest waiting entry whose window holds the start, and whose patient may
/// book it, gets an offer by text (never in their quiet hours: planned for the morning), and holds the chair
/// alone until the offer closes; then ExpireOffers passes the chair to the next entry.
/// </summary>
public sealed class WaitlistOffers(ClinicData data, TimeProvider time)
{
    /// <summary>Offers each freed chair of the clinic that has no open offer yet. Safe to repeat.</summary>
    public async Task<int> OfferFreedSlotsAsync(Clinic clinic, CancellationToken ct)
    {
        var offered = 0;
        foreach (var slot in await data.FreedSlotsAsync(clinic.Id, ct))
        {
            offered += await Concurrency.RetryAsync(() => OfferSlotAsync(clinic, slot.Key, ct), () => false) ? 1 : 0;
        }
        return offered;
    }

    /// <summary>
    /// Closes the clinic's offers whose time is up (a waitlist entry waits again, its chair passes on; an unanswered
    /// reschedule offer becomes a reschedule-request flag), then offers freed chairs.
    /// </summary>
    public async Task<ExpiryRunSummary> ExpireAsync(Clinic clinic, CancellationToken ct)
    {
        var now = time.Now();
        var expired = 0;
        foreach (var due in await data.OffersDueAsync(clinic.Id, now, ct))
        {
            expired += await Concurrency.RetryAsync(async () =>
            {
                var offer = await data.OfferAsync(clinic.Id, due.Value.OfferId, ct);
                if (offer is null || offer.Value.Status != OfferStatus.Open)
                {
                    return 0;
                }
                var commit = new ClinicCommit(clinic.Id, Actors.System, now);
                await CloseAsync(commit, clinic.Id, offer, OfferStatus.Expired, ct);
                if (offer.Value.Kind == OfferKind.Reschedule)
                {
                    await FlagWrites.RaiseAsync(data, commit, Flag.For(FlagKinds.RescheduleRequest, offer.Value.Id, FlagSeverity.Normal, offer.Value.PatientId,
                        offer.Value.SessionId, now, "The patient asked by text to reschedule but picked none of the times offered. Call them to find a new time."), ct);
                }
                await data.CommitAsync(commit, ct);
                return 1;
            }, () => 0);
        }
        return new ExpiryRunSummary(expired, await OfferFreedSlotsAsync(clinic, ct));
    }

    /// <summary>
    /// Closes an offer in <paramref name="commit"/>; an untaken waitlist offer puts its entry back to waiting and
    /// releases its chair for the next entry.
    /// </summary>
    public async Task CloseAsync(ClinicCommit commit, string clinicId, Stored<Offer> offer, OfferStatus status, CancellationToken ct, bool entryBackToWaiting = true)
    {
        WaitlistWrites.Close(commit, offer, status);
        if (offer.Value.Kind != OfferKind.Waitlist || status == OfferStatus.Taken)
        {
            return;
        }
        if (entryBackToWaiting && offer.Value.WaitlistEntryId is { } entryId && await data.WaitlistEntryAsync(clinicId, entryId, ct) is { Value.Status: WaitlistStatus.Offered } entry)
        {
            WaitlistWrites.Update(commit, entry, entry.Value.With(WaitlistStatus.Waiting));
        }
        if (offer.Value.SlotKey is { } slotKey && await data.FreedSlotAsync(clinicId, slotKey, ct) is { } slot && slot.Value.HeldByOfferId == offer.Value.Id)
        {
            commit.Replace(slotKey, slot.Value with { HeldByOfferId = null }, slot.ETag);
        }
    }

    /// <summary>
    /// Entries whose window's last date has passed (clinic-local) become expired: they can take no chair any more.
    /// An entry holding an offer is left until the offer closes. Safe to repeat; returns how many were retired.
    /// </summary>
    public async Task<int> RetirePastEntriesAsync(Clinic clinic, CancellationToken ct)
    {
        var now = time.Now();
        var today = now.InZone(clinic.Zone).Date;
        var retired = 0;
        foreach (var past in (await data.WaitlistAsync(clinic.Id, "waiting", ct)).Where(e => e.HasPassed(today)))
        {
            retired += await Concurrency.RetryAsync(async () =>
            {
                var entry = await data.WaitlistEntryAsync(clinic.Id, past.Id, ct);
                if (entry is not { Value.Status: WaitlistStatus.Waiting })
                {
                    return 0;
                }
                var commit = new ClinicCommit(clinic.Id, Actors.System, now);
                WaitlistWrites.Update(commit, entry, entry.Value.With(WaitlistStatus.Expired));
                await data.CommitAsync(commit, ct);
                return 1;
            }, () => 0);
        }
        return retired;
    }

    private async Task<bool> OfferSlotAsync(Clinic clinic, string slotKey, CancellationToken ct)
    {
        var now = time.Now();
        var slot = await data.FreedSlotAsync(clinic.Id, slotKey, ct);
        if (slot is null || slot.Value.HeldByOfferId is not null)
        {
            return false;
        }
        var commit = new ClinicCommit(clinic.Id, Actors.System, now);
        var placed = BookingRules.Place(clinic, slot.Value.Start, "start");
        if (slot.Value.StartUtc - WaitlistRules.MinimumLead < now || !placed.IsSuccess || !await data.HasFreeChairAsync(clinic, placed.Value.Start, placed.Value.End, ct))
        {
            commit.Delete(slotKey, slot.ETag); // too late, or somebody booked the chair meanwhile
            await data.TryCommitAsync(commit, ct);
            return false;
        }
        // Every waiting entry, oldest first: no cap may hide one whose window holds the start (past ones are retired hourly).
        var entries = await data.WaitlistAsync(clinic.Id, "waiting", ct);
        var keep = false; // somebody may take it later (they hold another offer, or had their offers for today)
        foreach (var candidate in entries.Where(e => e.Holds(slot.Value.Start) && !slot.Value.OfferedEntryIds.Contains(e.Id)))
        {
            var entry = await data.WaitlistEntryAsync(clinic.Id, candidate.Id, ct);
            var patient = await data.PatientAsync(clinic.Id, candidate.PatientId, ct);
            if (entry is null || patient is null)
            {
                continue;
            }
            var zone = patient.Value.ZoneOr(clinic.Zone);
            var sendAt = SmsSchedule.NextAllowed(clinic.Reminders, zone, now);
            var today = sendAt.InZone(zone).Date;
            var dayClaim = await data.PatientDayClaimAsync(clinic.Id, patient.Value.Id, slot.Value.Start.Date, ct);
            var offersToday = await data.OffersOnDayAsync(clinic.Id, patient.Value.Id, today, ct);
            var (previous, pointer) = await data.LatestOfferAsync(clinic.Id, patient.Value.Id, ct);
            // Any open offer holds the patient: a chair offer never silently replaces a reschedule offer they may be answering.
            var holds = previous is not null && previous.Value.IsOpenAt(now);
            var otherSession = dayClaim is not null && dayClaim.Value.SessionId != entry.Value.SessionId;
            if (WaitlistRules.WhyNot(entry.Value, patient.Value, slot.Value.Start, otherSession, offersToday, holds) is { } why)
            {
                keep |= why is WaitlistRules.HoldsAnOffer or WaitlistRules.OffersUsedToday;
                continue;
            }
            var offer = new Offer
            {
                Id = Offer.NewId(),
                PatientId = patient.Value.Id,
                Kind = OfferKind.Waitlist,
                SessionId = entry.Value.SessionId,
                WaitlistEntryId = entry.Value.Id,
                SlotKey = slotKey,
                Starts = [slot.Value.Start],
                SentAt = sendAt,
                ExpiresAt = sendAt + Duration.FromMinutes(clinic.SelfService.WaitlistOfferMinutes),
            };
            WaitlistWrites.Open(commit, offer, previous, pointer);
            WaitlistWrites.Update(commit, entry, entry.Value.With(WaitlistStatus.Offered));
            commit.Replace(slotKey, slot.Value with { HeldByOfferId = offer.Id, OfferedEntryIds = [.. slot.Value.OfferedEntryIds, entry.Value.Id] }, slot.ETag);
            commit.Insert(Keys.OfferDay(patient.Value.Id, today, offersToday + 1), new OfferPointer(offer.Id));
            commit.PlanText(new SmsMessage
            {
                Id = SmsMessage.OfferTextId(offer.Id),
                PatientId = patient.Value.Id,
                Direction = "outbound",
                Kind = SmsKinds.Offer,
                OfferId = offer.Id,
                SessionId = entry.Value.SessionId,
                Status = SmsStatus.Planned,
                At = sendAt,
                ExpiresAt = offer.ExpiresAt,
                UpdatedAt = now,
            });
            await data.CommitAsync(commit, ct);
            return true;
        }
        keep |= (await data.WaitlistAsync(clinic.Id, "offered", ct))
            .Any(e => e.Holds(slot.Value.Start) && !slot.Value.OfferedEntryIds.Contains(e.Id));
        if (!keep)
        {
            commit.Delete(slotKey, slot.ETag); // nobody on the list may take it
            await data.TryCommitAsync(commit, ct);
        }
        return false;
    }
}
