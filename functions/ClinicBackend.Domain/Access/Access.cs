using ClinicBackend.Domain.Common;
using NodaTime;

namespace ClinicBackend.Domain.Access;

/// <summary>App roles carried in the token's <c>roles</c> claim.</summary>
public static class AppRoles
{
    public const string PlatformAdmin = "Platform.Admin";
    public const string ClinicAdmin = "Clinic.Admin";
    public const string ClinicStaff = "Clinic.Staff";

    public static bool IsClinicRole(string? role) => role is ClinicAdmin or ClinicStaff;
}

/// <summary>The authenticated user or app calling the API.</summary>
public sealed record Caller(string ObjectId, IReadOnlySet<string> Roles)
{
    public bool IsPlatformAdmin => Roles.Contains(AppRoles.PlatformAdmin);

    /// <summary>The strongest clinic role the token grants, or null.</summary>
    public string? TokenClinicRole =>
        Roles.Contains(AppRoles.ClinicAdmin) ? AppRoles.ClinicAdmin
        : Roles.Contains(AppRoles.ClinicStaff) ? AppRoles.ClinicStaff
        : null;
}

/// <summary>Who the audit trail and histories name for work nobody signed in for.</summary>
public static class Actors
{
    public const string Sweep = "system:sweep";
    public const string Escalation = "system:escalation";
    public const string Dispatcher = "system:dispatcher";
    public const string TwilioStatus = "system:twilio-status";
    /// <summary>Twilio reported 21610: the recipient blocked the clinic's number.</summary>
    public const string CarrierOptOut = "system:twilio-21610";
    public const string System = "system";
    /// <summary>Someone who texted the clinic's number and is not its patient.</summary>
    public const string UnknownSender = "sms:unknown-sender";

    /// <summary>An on-call contact acting by text.</summary>
    public static string OnCall(string contactName) => $"on-call:{contactName}";

    /// <summary>A patient acting by text (confirming, moving their own visit, taking a freed chair).</summary>
    public const string PatientSms = "patient-sms";

    /// <summary>A patient answering through a one-time link.</summary>
    public const string PatientLink = "patient-link";
}

/// <summary>A user's role in one clinic.</summary>
public sealed record Membership(string ObjectId, string Role, Instant Since, string AddedBy, int Version = 1);

/// <summary>What a route needs from the caller within one clinic.</summary>
public enum Need
{
    /// <summary>See the clinic's own settings: any member, or a platform admin.</summary>
    ClinicSettings,
    /// <summary>Work with patients, sessions and flags: staff or clinic admin of that clinic.</summary>
    Staff,
    /// <summary>Change clinic settings, read the audit trail: clinic admin of that clinic.</summary>
    ClinicAdmin,
    /// <summary>Add or remove members: a platform admin, or a clinic admin of that clinic.</summary>
    ManageMembers,
}

/// <summary>
/// Decides access from the token's roles and the caller's membership. Pure, so it is tested as a table.
/// A caller with no business in a clinic gets NotFound: it never learns that the clinic exists.
/// </summary>
public static class AccessPolicy
{
    public static Problem? Decide(Caller caller, Need need, Membership? membership)
    {
        var clinicRole = EffectiveRole(caller, membership);
        if (clinicRole is null)
        {
            if (caller.IsPlatformAdmin && need is Need.ClinicSettings or Need.ManageMembers)
            {
                return null;
            }
            return caller.IsPlatformAdmin
                ? Problem.Forbidden("Platform admins manage clinics and memberships; patient and clinic work needs a membership in this clinic.")
                : Problem.NotFound("clinic");
        }
        return need switch
        {
            Need.ClinicSettings or Need.Staff => null,
            Need.ClinicAdmin or Need.ManageMembers when clinicRole == AppRoles.ClinicAdmin => null,
            Need.ManageMembers when caller.IsPlatformAdmin => null,
            _ => Problem.Forbidden("This needs the Clinic.Admin role in this clinic."),
        };
    }

    /// <summary>The weaker of the token's clinic role and the membership's role; null without both.</summary>
    public static string? EffectiveRole(Caller caller, Membership? membership)
    {
        var tokenRole = caller.TokenClinicRole;
        if (membership is null || tokenRole is null)
        {
            return null;
        }
        return tokenRole == AppRoles.ClinicAdmin && membership.Role == AppRoles.ClinicAdmin
            ? AppRoles.ClinicAdmin
            : AppRoles.ClinicStaff;
    }
}
