using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ClinicBackend.Domain.Offers;

namespace ClinicBackend.Domain.Messaging;

public enum ReplyIntent
{
    Crisis,
    OptOut,
    OptIn,
    Help,
    Confirm,
    Reschedule,
    FreeText,
    /// <summary>Not read from the words: a digit answered an open offer, or "2" brought one (decided with the offer).</summary>
    SelfService,
}

/// <summary>
/// A patient's text as read once: what it asks for, and the digit it is when it may answer an offer (a crisis, STOP,
/// START or HELP never does).
/// </summary>
public sealed record ReplyReading(ReplyIntent Intent, int? Digit)
{
    public bool IsCrisis => Intent == ReplyIntent.Crisis;
}

/// <summary>
/// What a patient's text asks for. Crisis language is looked for first, anywhere in the text; keywords
/// match the whole message, case-insensitive, with surrounding spaces and punctuation ignored, so
/// "Stop." opts out but "stop sending me the parking info" is a message for the clinic.
/// </summary>
public static partial class ReplyInterpreter
{
    public static readonly string[] OptOutWords = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"];
    public static readonly string[] OptInWords = ["START", "UNSTOP"];
    public static readonly string[] HelpWords = ["HELP", "INFO"];
    public static readonly string[] ConfirmWords = ["1", "C", "CONFIRM", "CONFIRMAR"];
    public static readonly string[] RescheduleWords = ["2", "R", "RESCHEDULE", "CAMBIAR"];

    /// <summary>Phrases of self-harm or suicidal intent, English and Spanish, written without accents.</summary>
    public static readonly string[] CrisisPhrases =
    [
        "suicide", "suicidal", "kill myself", "killing myself", "want to die", "wanna die", "want to be dead", "end my life", "ending my life",
        "end it all", "take my life", "hurt myself", "hurting myself", "harm myself", "self harm", "self-harm", "overdose", "better off dead",
        "dont want to live", "don't want to live", "do not want to live", "no reason to live", "cut myself",
        "suicid", "matarme", "quiero morir", "me quiero morir", "quiero morirme", "no quiero vivir", "quitarme la vida", "acabar con mi vida",
        "hacerme dano", "lastimarme", "sobredosis", "mejor muerto", "mejor muerta",
    ];

    /// <param name="body">The text as received.</param>
    /// <param name="optOutType">Twilio's own classification (Advanced Opt-Out), when the number has it.</param>
    public static ReplyIntent Interpret(string? body, string? optOutType = null)
    {
        var text = body ?? "";
        if (IsCrisis(text))
        {
            return ReplyIntent.Crisis;
        }
        switch (optOutType?.ToUpperInvariant())
        {
            case "STOP":
                return ReplyIntent.OptOut;
            case "START":
                return ReplyIntent.OptIn;
            case "HELP":
                return ReplyIntent.Help;
        }
        var word = Keyword(text);
        return word switch
        {
            _ when OptOutWords.Contains(word) => ReplyIntent.OptOut,
            _ when OptInWords.Contains(word) => ReplyIntent.OptIn,
            _ when HelpWords.Contains(word) => ReplyIntent.Help,
            _ when ConfirmWords.Contains(word) => ReplyIntent.Confirm,
            _ when RescheduleWords.Contains(word) => ReplyIntent.Reschedule,
            _ => ReplyIntent.FreeText,
        };
    }

    /// <summary>Reads a text once, for everything that decides on it.</summary>
    public static ReplyReading Read(string? body, string? optOutType = null)
    {
        var intent = Interpret(body, optOutType);
        int? digit = intent is not (ReplyIntent.Crisis or ReplyIntent.OptOut or ReplyIntent.OptIn or ReplyIntent.Help)
            && int.TryParse(Keyword(body ?? ""), NumberStyles.None, CultureInfo.InvariantCulture, out var d) && d is >= 0 and <= Offer.MaxStarts
            ? d : null;
        return new ReplyReading(intent, digit);
    }

    /// <summary>A staff acknowledgement: <c>ACK</c> alone (code null) or <c>ACK 4821</c>; whole message, case and punctuation ignored.</summary>
    public static bool TryParseAck(string text, out string? code)
    {
        code = null;
        var words = Keyword(text).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words is not ["ACK", ..] || words.Length > 2)
        {
            return false;
        }
        if (words.Length == 2)
        {
            if (words[1].Length != 4 || !words[1].All(char.IsAsciiDigit))
            {
                return false;
            }
            code = words[1];
        }
        return true;
    }

    /// <summary>The message as one keyword: upper case, without surrounding whitespace and punctuation.</summary>
    public static string Keyword(string text)
    {
        var start = 0;
        var end = text.Length;
        while (start < end && IsIgnorable(text, start))
        {
            start++;
        }
        while (end > start && IsIgnorable(text, end - 1))
        {
            end--;
        }
        return text[start..end].ToUpperInvariant();
    }

    public static bool IsCrisis(string text)
    {
        var normalized = Normalize(text);
        return CrisisPhrases.Any(p => ContainsWords(normalized, p));
    }

    private static bool IsIgnorable(string text, int i) =>
        char.IsWhiteSpace(text[i]) || char.IsPunctuation(text[i]);

    /// <summary>Lower case, accents removed, runs of whitespace collapsed, curly apostrophes straightened.</summary>
    private static string Normalize(string text)
    {
        var decomposed = text.Replace('’', '\'').Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                builder.Append(char.ToLowerInvariant(c));
            }
        }
        return Whitespace().Replace(builder.ToString(), " ");
    }

    /// <summary>The phrase at a word start (so "suicid" finds "suicidio" but "end it all" is not inside "friend it all").</summary>
    private static bool ContainsWords(string text, string phrase)
    {
        for (var i = text.IndexOf(phrase, StringComparison.Ordinal); i >= 0; i = text.IndexOf(phrase, i + 1, StringComparison.Ordinal))
        {
            if (i == 0 || !char.IsLetterOrDigit(text[i - 1]))
            {
                return true;
            }
        }
        return false;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
