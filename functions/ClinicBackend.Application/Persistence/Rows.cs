using ClinicBackend.Domain.Reports;
using ClinicBackend.Domain.Sessions;
using NodaTime;

namespace ClinicBackend.Application.Persistence;

/// <summary>When the escalation of a flag is due next; the EscalateFlags run reads the due ones.</summary>
public sealed record EscalationWatch(string FlagId);

/// <summary>A page's short code: ACK with it takes the flag.</summary>
public sealed record PageCode(string FlagId);

/// <summary>A contact was paged for a flag: a bare ACK from that contact means the one flag open for them.</summary>
public sealed record ContactPage(string FlagId, string Code);

/// <summary>An on-call contact texted STOP: no page goes to them until they text START.</summary>
public sealed record ContactOptOut(Instant At);

/// <summary>The crisis flag a sender who is no patient has open: their repeated texts join it.</summary>
public sealed record CrisisSender(string FlagId, int Texts);

/// <summary>Pages started for unknown senders' crisis texts in one hour (capped per clinic).</summary>
public sealed record UnknownSenderPages(int Count);

/// <summary>The answer stored for a MessageSid, so Twilio's retry gets the same reply and changes nothing.</summary>
public sealed record InboundRecord(string MessageSid, string? Reply, string Handling, Instant At);

/// <summary>How far the missed-session sweep has got: every session ending (plus grace) before this was looked at.</summary>
public sealed record SweepState(Instant MissedUpTo);

/// <summary>A patient's last fulfilled session; the sweep reads it from its due date on.</summary>
public sealed record CadenceWatch(string PatientId, string LastSessionId, Instant LastStartUtc, LocalDate LastDate);

public sealed record CadencePointer(string Key);

/// <summary>A course that goes on after induction, begun on <paramref name="CourseStart"/>: the sweep raises its review when week 4 is over.</summary>
public sealed record InductionWatch(string PatientId, LocalDate CourseStart);

/// <summary>A fulfilled session whose monitoring form is not filed yet. Stage 1 is due at 5 days, stage 2 at 7.</summary>
public sealed record RemsWatch(string SessionId, string PatientId, int Stage);

/// <summary>The clinic's admins, in one row: every change of an admin membership replaces it under its ETag.</summary>
public sealed record AdminRoster(IReadOnlyList<string> ObjectIds);

/// <summary>A course session reserved but not yet booked: its chair and day claims are in place, nothing else is.</summary>
public sealed record CourseHold(Session Session);

/// <summary>Points at a course booking.</summary>
public sealed record CourseBookingPointer(string CourseId);

/// <summary>Points at a patient with an external id (the row's key holds the id's hash).</summary>
public sealed record ExternalIdIndex(string PatientId);

/// <summary>Marks a clinic whose patients all have their external-id rows.</summary>
public sealed record ExternalIdsIndexed(Instant At);

/// <summary>
/// The texts of one clinic-local day as the report keeps them: a short key of each text's row, with its
/// <see cref="SmsTally"/>. About 2,400 texts fit the row's 64 KB (40 sessions a day send about 100); past that, storing
/// fails and is logged, and reports still answer, reading those texts each time.
/// </summary>
public sealed record ReportTexts(LocalDate Date, Dictionary<string, int> Tallies);

/// <summary>Texts written up to this storage time are in the report's stored texts.</summary>
public sealed record ReportTextsMark(DateTimeOffset WrittenUpTo);
