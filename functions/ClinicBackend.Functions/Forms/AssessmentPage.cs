using System.Net;
using System.Text;
using ClinicBackend.Domain.Clinics;
using ClinicBackend.Domain.Patients;

namespace ClinicBackend.Functions.Forms;

/// <summary>
/// The PHQ-9 page a one-time link opens: a plain HTML form (no script, nothing loaded from elsewhere), one radio group a
/// question with large labelled choices, readable at 320 px. Before submission it names only the clinic, never the patient
/// or the visit. The questions are the instrument's published wording: English (Spitzer, Williams, Kroenke; Pfizer, free to
/// reproduce) and the Spanish version for the USA that Pfizer published with it.
/// </summary>
public static class AssessmentPage
{
    public const string ContentType = "text/html; charset=utf-8";

    /// <summary>Only the page's own inline style; the form posts to this same address only.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private sealed record Wording(
        string Title,
        string Lead,
        string Stem,
        string[] Items,
        string[] Choices,
        string DifficultyQuestion,
        string[] DifficultyChoices,
        string Submit,
        string Missing,
        string Privacy,
        string ThanksTitle,
        string Thanks,
        string CrisisLead,
        string Crisis988,
        string CallClinic,
        string GoneTitle,
        string Gone,
        string SlowTitle,
        string Slow);

    private static readonly Wording English = new(
        "Check-in before your visit",
        "Your answers go to your care team only.",
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?",
        [
            "Little interest or pleasure in doing things",
            "Feeling down, depressed, or hopeless",
            "Trouble falling or staying asleep, or sleeping too much",
            "Feeling tired or having little energy",
            "Poor appetite or overeating",
            "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
            "Trouble concentrating on things, such as reading the newspaper or watching television",
            "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety or restless that you have been moving around a lot more than usual",
            "Thoughts that you would be better off dead or of hurting yourself in some way",
        ],
        ["Not at all", "Several days", "More than half the days", "Nearly every day"],
        "If you checked off any problems, how difficult have these problems made it for you to do your work, take care of things at home, or get along with other people?",
        ["Not difficult at all", "Somewhat difficult", "Very difficult", "Extremely difficult"],
        "Send my answers",
        "Please answer every question from 1 to 9. Not answered yet:",
        "This link works once and only until your visit.",
        "Thank you",
        "Your answers were sent to your care team.",
        "You said you have had thoughts of being better off dead or of hurting yourself. Your care team will reach out to you.",
        "If you are in crisis now, call or text 988 (Suicide & Crisis Lifeline), or call 911.",
        "Call the clinic:",
        "This link does not work",
        "It may have been used already or have expired. If you have questions, call your clinic.",
        "Please wait a moment",
        "Too many tries from this device. Wait a few seconds and try again.");

    private static readonly Wording Spanish = new(
        "Cuestionario antes de su cita",
        "Sus respuestas solo las ve su equipo de atención.",
        "Durante las últimas 2 semanas, ¿qué tan seguido ha tenido molestias debido a los siguientes problemas?",
        [
            "Poco interés o placer en hacer cosas",
            "Se ha sentido decaído(a), deprimido(a) o sin esperanzas",
            "Ha tenido dificultad para quedarse o permanecer dormido(a), o ha dormido demasiado",
            "Se ha sentido cansado(a) o con poca energía",
            "Sin apetito o ha comido en exceso",
            "Se ha sentido mal con usted mismo(a) — o que es un fracaso o que ha quedado mal con usted mismo(a) o con su familia",
            "Ha tenido dificultad para concentrarse en ciertas actividades, tales como leer el periódico o ver la televisión",
            "¿Se ha movido o hablado tan lento que otras personas podrían haberlo notado? o lo contrario — muy inquieto(a) o agitado(a) que ha estado moviéndose mucho más de lo normal",
            "Pensamientos de que estaría mejor muerto(a) o de lastimarse de alguna manera",
        ],
        ["Ningún día", "Varios días", "Más de la mitad de los días", "Casi todos los días"],
        "Si marcó cualquiera de los problemas, ¿qué tanta dificultad le han dado estos problemas para hacer su trabajo, encargarse de las tareas del hogar, o llevarse bien con otras personas?",
        ["No ha sido difícil", "Un poco difícil", "Muy difícil", "Extremadamente difícil"],
        "Enviar mis respuestas",
        "Por favor conteste cada pregunta del 1 al 9. Falta contestar:",
        "Este enlace funciona una sola vez y solo hasta su cita.",
        "Gracias",
        "Sus respuestas se enviaron a su equipo de atención.",
        "Usted dijo que ha tenido pensamientos de que estaría mejor muerto(a) o de lastimarse. Su equipo de atención se comunicará con usted.",
        "Si está en crisis ahora, llame o envíe un texto al 988 (Suicide & Crisis Lifeline), o llame al 911.",
        "Llame a la clínica:",
        "Este enlace no funciona",
        "Puede que ya se haya usado o que haya vencido. Si tiene preguntas, llame a su clínica.",
        "Espere un momento, por favor",
        "Demasiados intentos desde este dispositivo. Espere unos segundos e intente de nuevo.");

    private const string Style = """
        :root { color-scheme: light; }
        * { box-sizing: border-box; }
        body { margin: 0 auto; max-width: 40rem; padding: 1rem; font: 18px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #111; background: #fff; }
        h1 { font-size: 1.35rem; margin: .2rem 0 .4rem; }
        p { margin: .4rem 0; }
        .clinic { color: #444; margin: 0; }
        fieldset { border: 1px solid #999; border-radius: .5rem; margin: 1rem 0; padding: .5rem .75rem .75rem; min-width: 0; }
        legend { font-weight: 600; padding: 0 .25rem; }
        label { display: flex; align-items: center; gap: .6rem; min-height: 48px; padding: .35rem .5rem; margin: .25rem 0; border: 1px solid #ccc; border-radius: .4rem; cursor: pointer; }
        input[type=radio] { width: 1.4rem; height: 1.4rem; margin: 0; flex: none; }
        input[type=radio]:focus-visible { outline: 3px solid #0b57d0; outline-offset: 2px; }
        button { display: block; width: 100%; min-height: 52px; font: inherit; font-weight: 600; color: #fff; background: #0b57d0; border: 0; border-radius: .5rem; margin: 1.2rem 0; cursor: pointer; }
        button:focus-visible { outline: 3px solid #111; outline-offset: 2px; }
        .error { border: 2px solid #a40000; background: #fff4f4; padding: .6rem .8rem; border-radius: .4rem; }
        fieldset.missing { border: 2px solid #a40000; }
        .crisis { border: 2px solid #a40000; padding: .6rem .8rem; border-radius: .4rem; }
        .crisis a, .phone a { font-weight: 700; }
        small { color: #444; }
        """;

    private static Wording In(string language) => language == "es" ? Spanish : English;

    /// <summary>The questionnaire; <paramref name="missing"/> names unanswered fields (the answers already given stay checked).</summary>
    public static string Questionnaire(Clinic clinic, string language, IReadOnlyList<string>? missing = null, IReadOnlyDictionary<string, int>? given = null)
    {
        var w = In(language);
        var html = Head(language, w.Title);
        html.Append("<main>\n<p class=\"clinic\">").Append(E(clinic.Name)).Append("</p>\n<h1>").Append(E(w.Title)).Append("</h1>\n<p>").Append(E(w.Lead)).Append("</p>\n");
        if (missing is { Count: > 0 })
        {
            html.Append("<div class=\"error\" role=\"alert\" id=\"errors\"><p>").Append(E(w.Missing)).Append(' ')
                .Append(string.Join(", ", missing.Select(m => $"<a href=\"#{m}\">{m[1..]}</a>"))).Append("</p></div>\n");
        }
        html.Append("<form method=\"post\" action=\"\" accept-charset=\"utf-8\">\n<p><strong>").Append(E(w.Stem)).Append("</strong></p>\n");
        for (var i = 0; i < w.Items.Length; i++)
        {
            var name = $"q{i + 1}";
            Group(html, name, $"{i + 1}. {w.Items[i]}", w.Choices, given?.GetValueOrDefault(name, -1) ?? -1, required: true, missing?.Contains(name) == true);
        }
        Group(html, "difficulty", w.DifficultyQuestion, w.DifficultyChoices, given?.GetValueOrDefault("difficulty", -1) ?? -1, required: false, marked: false);
        html.Append("<button type=\"submit\">").Append(E(w.Submit)).Append("</button>\n</form>\n<p><small>").Append(E(w.Privacy)).Append("</small></p>\n</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>The thank-you page; after a positive item 9, the 988 Lifeline and the clinic's phone first.</summary>
    public static string Thanks(Clinic clinic, string language, bool selfHarm)
    {
        var w = In(language);
        var html = Head(language, w.ThanksTitle);
        html.Append("<main>\n<p class=\"clinic\">").Append(E(clinic.Name)).Append("</p>\n<h1>").Append(E(w.ThanksTitle)).Append("</h1>\n");
        if (selfHarm)
        {
            var phone = PhoneFormat.ForDisplay(clinic.Phone, clinic.Country);
            html.Append("<div class=\"crisis\" role=\"alert\" id=\"crisis\"><p>").Append(E(w.CrisisLead)).Append("</p>\n<p>").Append(E(w.Crisis988))
                .Append(" <a href=\"tel:988\">988</a></p>\n<p class=\"phone\">").Append(E(w.CallClinic)).Append(" <a href=\"tel:").Append(E(clinic.Phone)).Append("\">")
                .Append(E(phone)).Append("</a></p></div>\n");
        }
        html.Append("<p>").Append(E(w.Thanks)).Append("</p>\n</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>The one page for an unknown, used or expired code: it names nobody (English, since no patient is known).</summary>
    public static string NotFound() => Notice(English.GoneTitle, English.Gone);

    /// <summary>Too many code lookups from one address.</summary>
    public static string TooManyTries() => Notice(English.SlowTitle, English.Slow);

    private static string Notice(string title, string text) =>
        Head("en", title).Append("<main>\n<h1>").Append(E(title)).Append("</h1>\n<p>").Append(E(text)).Append("</p>\n</main>\n</body>\n</html>\n").ToString();

    private static StringBuilder Head(string language, string title) => new StringBuilder()
        .Append("<!DOCTYPE html>\n<html lang=\"").Append(language == "es" ? "es" : "en").Append("\">\n<head>\n<meta charset=\"utf-8\">\n")
        .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .Append("<meta name=\"robots\" content=\"noindex, nofollow\">\n<meta name=\"referrer\" content=\"no-referrer\">\n")
        .Append("<title>").Append(E(title)).Append("</title>\n<style>\n").Append(Style).Append("</style>\n</head>\n<body>\n");

    private static void Group(StringBuilder html, string name, string question, string[] choices, int chosen, bool required, bool marked)
    {
        html.Append("<fieldset id=\"").Append(name).Append('"').Append(marked ? " class=\"missing\" aria-invalid=\"true\"" : "").Append(">\n<legend>")
            .Append(E(question)).Append("</legend>\n");
        for (var v = 0; v < choices.Length; v++)
        {
            var id = $"{name}-{v}";
            html.Append("<label for=\"").Append(id).Append("\"><input type=\"radio\" id=\"").Append(id).Append("\" name=\"").Append(name).Append("\" value=\"").Append(v).Append('"')
                .Append(required ? " required" : "").Append(v == chosen ? " checked" : "").Append("> ").Append(E(choices[v])).Append("</label>\n");
        }
        html.Append("</fieldset>\n");
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
