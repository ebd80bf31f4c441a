using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Common;
using ClinicBackend.Domain.Patients;
using NodaTime;

namespace ClinicBackend.Domain.Messaging;

/// <summary>
/// Every text the product sends. They name the clinic, the date and time and the clinic's phone number,
/// never a drug, a diagnosis or the treatment, and are written to fit one GSM-7 segment where the
/// clinic's name allows (Spanish ones avoid letters outside GSM-7, such as á, í, ó, ú).
/// </summary>
public static class SmsTexts
{
    private static readonly string[] EnDays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    private static readonly string[] EsDays = ["lun", "mar", "mie", "jue", "vie", "sab", "dom"];
    private static readonly string[] EnMonths = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    private static readonly string[] EsMonths = ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"];

    /// <summary>
    /// The reminder the day before: the visit, the ride home, the reply words, the clinic's phone and how to opt out;
    /// with the before-visit instruction (no food 2 hours, no drinks 30 minutes) only where the whole text still fits
    /// one GSM-7 segment. A long clinic name drops the instruction, never the opt-out.
    /// </summary>
    public static string DayBeforeReminder(Clinic clinic, string language, LocalDateTime start, string? zoneNote = null) =>
        DayBeforeReminderWithLink(clinic, language, start, zoneNote, link: null).Text;

    /// <summary>
    /// The reminder carrying a PHQ-9 link (<paramref name="link"/>) when the whole text still fits one GSM-7 segment (the
    /// before-visit instruction gives way to the link); <c>Carried</c> says whether it does. Without it the link goes as a text of its own.
    /// </summary>
    public static (string Text, bool Carried) DayBeforeReminderWithLink(Clinic clinic, string language, LocalDateTime start, string? zoneNote, string? link)
    {
        var phone = PhoneFormat.ForDisplay(clinic.Phone, clinic.Country);
        var (head, tail) = language == "es"
            ? ($"{clinic.Name}: cita {EsDate(start)}, {start.Hour}:{start.Minute:D2}{Note(zoneNote)}. Alguien debe llevarle a casa.",
                $" Responda 1 para confirmar, 2 para cambiar. {phone}. STOP para baja")
            : ($"{clinic.Name}: visit {EnDate(start)}, {EnTime(start)}{Note(zoneNote)}. Someone must drive you home.",
                $" Reply 1 to confirm, 2 to reschedule. {phone}. STOP to opt out");
        var instruction = $" {ShortBeforeVisit(language)}";
        if (link is not null)
        {
            var carried = $" {(language == "es" ? "Cuestionario" : "Check-in")}: {link}";
            foreach (var text in new[] { head + instruction + carried + tail, head + carried + tail })
            {
                if (SmsSegments.Count(text) == 1)
                {
                    return (text, true);
                }
            }
        }
        return (WithIfOneSegment(head, instruction, tail), false);
    }

    /// <summary>A PHQ-9 link of its own: the clinic and the link, no word of what is asked.</summary>
    public static string AssessmentLink(Clinic clinic, string language, string link) => language == "es"
        ? $"{clinic.Name}: antes de su cita, por favor conteste un breve cuestionario: {link}"
        : $"{clinic.Name}: before your visit, please answer a short check-in: {link}";

    /// <summary>The before-visit instruction as short as a reminder can carry it.</summary>
    public static string ShortBeforeVisit(string language) => language == "es" ? "Ayuno 2h, no beba 30m antes." : "No food 2h/drinks 30m before.";

    /// <summary>The before-visit instruction in full.</summary>
    public static string BeforeVisit(string language) => language == "es"
        ? "No coma 2 horas ni beba 30 minutos antes."
        : "No food 2 hours or drinks 30 minutes before.";

    /// <summary><paramref name="head"/>, <paramref name="optional"/> and <paramref name="tail"/> when they fit one segment together, else without the optional part.</summary>
    private static string WithIfOneSegment(string head, string optional, string tail) =>
        SmsSegments.Count(head + optional + tail) == 1 ? head + optional + tail : head + tail;

    public static string MissedSession(Clinic clinic, string language)
    {
        var phone = PhoneFormat.ForDisplay(clinic.Phone, clinic.Country);
        return language == "es"
            ? $"{clinic.Name}: le extrañamos hoy. Responda 2 para una nueva cita o llame al {phone}. STOP para baja"
            : $"{clinic.Name}: we missed you today. Reply 2 to reschedule or call {phone}. STOP to opt out";
    }

    /// <summary>The answer to a confirmation, with the before-visit instruction where it fits one segment (a reply counts towards no limit).</summary>
    public static string Confirmed(Clinic clinic, string language, LocalDateTime start) => language == "es"
        ? WithIfOneSegment($"{clinic.Name}: gracias, su cita del {EsDate(start)} a las {start.Hour}:{start.Minute:D2} queda confirmada.", $" {BeforeVisit(language)}", "")
        : WithIfOneSegment($"{clinic.Name}: thank you, your visit {EnDate(start)}, {EnTime(start)} is confirmed.", $" {BeforeVisit(language)}", "");

    public static string RescheduleRequested(Clinic clinic, string language) => language == "es"
        ? $"{clinic.Name}: recibido. La clinica le llamara para cambiar la cita. {PhoneFormat.ForDisplay(clinic.Phone, clinic.Country)}"
        : $"{clinic.Name}: got it. The clinic will call you to find a new time. {PhoneFormat.ForDisplay(clinic.Phone, clinic.Country)}";

    public static string NoUpcomingVisit(Clinic clinic, string language) => language == "es"
        ? $"{clinic.Name}: no tiene citas pendientes. Para reservar llame al {PhoneFormat.ForDisplay(clinic.Phone, clinic.Country)}."
        : $"{clinic.Name}: you have no upcoming visit. To book one, call {PhoneFormat.ForDisplay(clinic.Phone, clinic.Country)}.";

    public static string FreeTextReceived(Clinic clinic, string language) => language == "es"
        ? $"{clinic.Name}: gracias, la clinica le respondera pronto. Si es urgente llame al {PhoneFormat.ForDisplay(clinic.Phone, clinic.Country)}."
        : $"{clinic.Name}: thanks, the clinic will get back to you soon. If urgent, call {PhoneFormat.ForDisplay(clinic.Phone, clinic.Country)}.";

    public static string Help(Clinic clinic, string language) => language == "es"
        ? $"{clinic.Name}: {PhoneFormat.ForDisplay(clinic.Phone, clinic.Country)}. Responda STOP para no recibir mensajes."
        : $"{clinic.Name}: call {PhoneFormat.ForDisplay(clinic.Phone, clinic.Country)}. Reply STOP to stop texts.";

    public static string OptedOut(Clinic clinic, string language) => language == "es"
        ? $"{clinic.Name}: no recibira mas mensajes. Responda START para volver a recibirlos."
        : $"{clinic.Name}: you will get no more texts. Reply START to receive them again.";

    public static string OptedIn(Clinic clinic, string language) => language == "es"
        ? $"{clinic.Name}: volvera a recibir recordatorios. Responda STOP para no recibir."
        : $"{clinic.Name}: reminders are back on. Reply STOP to opt out.";

    /// <summary>The crisis reply: the 988 Lifeline first, then the clinic.</summary>
    public static string Crisis(Clinic clinic, string language) => language == "es"
        ? $"Si esta en crisis, llame o envie un texto al 988 (Suicide & Crisis Lifeline), o al 911. {clinic.Name}: {PhoneFormat.ForDisplay(clinic.Phone, clinic.Country)}. Le contactaremos."
        : $"If you are in crisis, call or text 988 (Suicide & Crisis Lifeline) or 911. {clinic.Name}: {PhoneFormat.ForDisplay(clinic.Phone, clinic.Country)}. We will reach out.";

    /// <summary>
    /// The starts a patient may pick by text, in the clinic's time (named when the patient lives in another zone):
    /// "Reply 1 for Tue Dec 8 10:00 AM, 2 for ..., or 0 to keep your visit and have the clinic call you."
    /// </summary>
    public static string RescheduleOffer(Clinic clinic, string language, IReadOnlyList<LocalDateTime> starts, string? zoneNote)
    {
        var note = zoneNote is null ? "" : $" ({zoneNote})";
        if (language == "es")
        {
            var opciones = string.Join(", ", starts.Select((s, i) => $"{i + 1} para {EsDate(s)} {s.Hour}:{s.Minute:D2}"));
            return $"{clinic.Name}: responda {opciones}{note}, o 0 para mantener su cita y que la clinica le llame.";
        }
        var options = string.Join(", ", starts.Select((s, i) => $"{i + 1} for {EnDate(s)} {EnTime(s)}"));
        return $"{clinic.Name}: Reply {options}{note}, or 0 to keep your visit and have the clinic call you.";
    }

    public static string Rescheduled(Clinic clinic, string language, LocalDateTime start, string? zoneNote) => language == "es"
        ? $"{clinic.Name}: listo, su cita es el {EsDate(start)} a las {start.Hour}:{start.Minute:D2}{Note(zoneNote)}. Alguien debe llevarle a casa."
        : $"{clinic.Name}: done, your visit is now {EnDate(start)}, {EnTime(start)}{Note(zoneNote)}. Someone must drive you home.";

    /// <summary>A waitlist chair booked as a visit of its own: said to be new, with the visit that stays booked when there is one.</summary>
    public static string NewVisitBooked(Clinic clinic, string language, LocalDateTime start, LocalDateTime? otherVisit, string? zoneNote) => language == "es"
        ? $"{clinic.Name}: listo, tiene una nueva cita el {EsDate(start)} a las {start.Hour}:{start.Minute:D2}{Note(zoneNote)}"
            + (otherVisit is { } o ? $"; su cita del {EsDate(o)} a las {o.Hour}:{o.Minute:D2} sigue en pie." : ".") + " Alguien debe llevarle a casa."
        : $"{clinic.Name}: done, you have a new visit {EnDate(start)}, {EnTime(start)}{Note(zoneNote)}"
            + (otherVisit is { } other ? $"; your visit {EnDate(other)}, {EnTime(other)} stays booked." : ".") + " Someone must drive you home.";

    /// <summary>A pick or a waitlist reply that came too late: somebody else has the chair now.</summary>
    public static string TimeJustTaken(Clinic clinic, string language) => language == "es"
        ? $"{clinic.Name}: esa hora se acaba de ocupar."
        : $"{clinic.Name}: that time was just taken.";

    public static string WaitlistOffer(Clinic clinic, string language, LocalDateTime start, int minutes, string? zoneNote) => language == "es"
        ? $"Se abrio una cita en {clinic.Name}: {EsDate(start)}, {start.Hour}:{start.Minute:D2}{Note(zoneNote)}. Responda 1 para tomarla en los proximos {minutes} min."
        : $"A visit opened at {clinic.Name}: {EnDate(start)}, {EnTime(start)}{Note(zoneNote)}. Reply 1 to take it in the next {minutes} min.";

    public static string WaitlistDeclined(Clinic clinic, string language) => language == "es"
        ? $"{clinic.Name}: de acuerdo, sigue en la lista de espera."
        : $"{clinic.Name}: OK, you stay on the waiting list.";

    /// <summary>"New York time": how a text names the clinic's zone for a patient who lives in another one.</summary>
    public static string ZoneNote(string zoneId) => zoneId[(zoneId.LastIndexOf('/') + 1)..].Replace('_', ' ') + " time";

    private static string Note(string? zoneNote) => zoneNote is null ? "" : $" ({zoneNote})";

    /// <summary>A page to an on-call contact: the clinic, that a patient needs follow-up, where to look, the code. Nothing about the patient or the flag.</summary>
    public static string Page(Clinic clinic, string code) =>
        $"{clinic.Name}: a patient needs follow-up now. Open the urgent list in the clinic's app. Reply ACK {code} to take it.";

    public static string PageAcknowledged(Clinic clinic, string contactName) =>
        $"{clinic.Name}: thanks, {contactName}. It is yours; paging stopped.";

    public static string PageCodeUnknown(Clinic clinic) =>
        $"{clinic.Name}: no open page has that code. Reply ACK and the code from the latest page.";

    public static string PagesAmbiguous(Clinic clinic) =>
        $"{clinic.Name}: you have more than one open page. Reply ACK and the code from the page you take.";

    public static string OnCallNumber(Clinic clinic) =>
        $"{clinic.Name}: this number is on the on-call list. Reply ACK and the code from a page to take it.";

    /// <summary>Crisis language to a number no clinic owns: the Lifeline, nothing else.</summary>
    public const string CrisisFromUnknown = "If you are in crisis, call or text 988 (Suicide & Crisis Lifeline) or 911.";

    /// <summary>To a number the clinic does not know: neutral, no data.</summary>
    public const string UnknownSender = "This number does not accept messages from you. If you need help, call your clinic.";

    private static string EnDate(LocalDateTime t) => $"{EnDays[(int)t.DayOfWeek - 1]} {EnMonths[t.Month - 1]} {t.Day}";

    private static string EnTime(LocalDateTime t) =>
        $"{(t.Hour % 12 == 0 ? 12 : t.Hour % 12)}:{t.Minute:D2} {(t.Hour < 12 ? "AM" : "PM")}";

    private static string EsDate(LocalDateTime t) => $"{EsDays[(int)t.DayOfWeek - 1]} {t.Day} {EsMonths[t.Month - 1]}";

    /// <summary>A text (or a clinic name that goes into texts) names the drug, a diagnosis or the treatment.</summary>
    public static bool ContainsForbiddenWord(string text) => TreatmentWords.Contains(text);
}

/// <summary>SMS segment counting: GSM-7 (160 per single segment, 153 when concatenated) or UCS-2 (70 / 67).</summary>
public static class SmsSegments
{
    private const string Basic =
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
    private const string Extended = "^{}\\[~]|€\f";

    public static bool IsGsm7(string text) => text.All(c => Basic.Contains(c) || Extended.Contains(c));

    public static int Count(string text)
    {
        if (IsGsm7(text))
        {
            var septets = text.Sum(c => Extended.Contains(c) ? 2 : 1);
            return septets <= 160 ? 1 : (int)Math.Ceiling(septets / 153.0);
        }
        return text.Length <= 70 ? 1 : (int)Math.Ceiling(text.Length / 67.0);
    }
}
