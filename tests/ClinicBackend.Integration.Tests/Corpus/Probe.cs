namespace ClinicBackend.Integration.Tests.Corpus;

/// <summary>
/// One request of the corpus. <see cref="MayBeValid"/>: the request keeps the contract, so an answer of 2xx is allowed (a rule
/// the schema does not state may still refuse it); otherwise only a 4xx problem is. <see cref="Writes"/>: not a GET.
/// <see cref="HostMayAnswer"/>: the variant is refused or re-routed below the app (a NUL in the path; a dot segment, which URL
/// normalisation resolves to another path), so the host may answer it with an empty 4xx of its own.
/// <see cref="MayBeCutOff"/>: an upload past the limit, which the host may cut off after the app refused it.
/// </summary>
public sealed record Probe(string Operation, string Variant, Func<HttpRequestMessage> Build, bool MayBeValid, bool Writes,
    bool HostMayAnswer = false, bool MayBeCutOff = false)
{
    public override string ToString() => $"{Operation} [{Variant}]";
}
