using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Offers;
using ClinicBackend.Domain.Reports;
using ClinicBackend.Domain.Sessions;
using ClinicBackend.Domain.Waitlist;
using NodaTime;

namespace ClinicBackend.Application.Persistence;

/// <summary>A chair-time freed by a cancellation or a move: who holds its offer now, and which entries had it already.</summary>
public sealed record FreedSlot(string SessionId, LocalDateTime Start, Instant StartUtc, string? HeldByOfferId, IReadOnlyList<string> OfferedEntryIds);

/// <summary>How waitlist entries, offers and freed slots are written, in the caller's unit of work.</summary>
public static class WaitlistWrites
{
    /// <summary>
    /// When a change frees a future chair-time (a booked session cancelled or moved) in a clinic with a waitlist,
    /// the slot is recorded in the same transaction, so it is offered even if the process dies right after.
    /// </summary>
    public static void NoteFreedSlot(ClinicCommit commit, Clinic clinic, Session before, Session after)
    {
        if (clinic.SelfService.Waitlist && ChairRelease.Of(before, after, commit.Now) is not null)
        {
            commit.Upsert(Keys.FreedSlot(before.StartUtc, before.Id), new FreedSlot(before.Id, before.Start, before.StartUtc, null, []));
        }
    }

    /// <summary>Whether the unit of work freed chair-time (<see cref="NoteFreedSlot"/>): only such a change looks for takers.</summary>
    public static bool FreesTime(ClinicCommit commit) =>
        commit.Changes.Any(c => c is Change.Upsert && c.Key.StartsWith(Keys.FreedSlotPrefix, StringComparison.Ordinal));

    /// <summary>Whether the unit of work released a freed chair an offer held (the offer closed untaken): the next patient may take it.</summary>
    public static bool ReleasesHeldChair(ClinicCommit commit) =>
        commit.Changes.Any(c => c is Change.Replace { Value: FreedSlot { HeldByOfferId: null } });

    public static void Update(ClinicCommit commit, Stored<WaitlistEntry> before, WaitlistEntry after)
    {
        commit.Replace(Keys.WaitlistEntry(after.Id), after, before.ETag);
        if (before.Value.Status != after.Status)
        {
            commit.Delete(Keys.WaitlistIndex(Names.Kebab(before.Value.Status), before.Value.CreatedAt, before.Value.Id));
            commit.Insert(Keys.WaitlistIndex(Names.Kebab(after.Status), after.CreatedAt, after.Id), after);
        }
        else
        {
            commit.Upsert(Keys.WaitlistIndex(Names.Kebab(after.Status), after.CreatedAt, after.Id), after);
        }
        commit.Audit($"waitlist.{Names.Kebab(after.Status)}", "waitlist", after.Id, before.Value, after);
    }

    /// <summary>Writes a new offer, makes it the patient's latest prompt (closing an earlier open one), and schedules its closing.</summary>
    public static void Open(ClinicCommit commit, Offer offer, Stored<Offer>? previous, Stored<OfferPointer>? pointer)
    {
        commit.Insert(Keys.Offer(offer.Id), offer);
        commit.Insert(Keys.OfferExpiry(offer.ExpiresAt, offer.Id), new OfferPointer(offer.Id));
        if (previous is not null && previous.Value.Status == OfferStatus.Open)
        {
            Close(commit, previous, OfferStatus.Superseded);
        }
        if (pointer is null)
        {
            commit.Insert(Keys.PatientOffer(offer.PatientId), new OfferPointer(offer.Id));
        }
        else
        {
            commit.Replace(Keys.PatientOffer(offer.PatientId), new OfferPointer(offer.Id), pointer.ETag);
        }
        commit.Audit("offer.sent", "offer", offer.Id, null, offer);
    }

    public static Offer Close(ClinicCommit commit, Stored<Offer> offer, OfferStatus status, LocalDateTime? taken = null)
    {
        var closed = offer.Value.Close(status, taken);
        commit.Replace(Keys.Offer(closed.Id), closed, offer.ETag);
        commit.Delete(Keys.OfferExpiry(offer.Value.ExpiresAt, offer.Value.Id));
        commit.Audit($"offer.{Names.Kebab(status)}", "offer", closed.Id, offer.Value, closed);
        return closed;
    }
}

/// <summary>Points at an offer.</summary>
public sealed record OfferPointer(string OfferId);
