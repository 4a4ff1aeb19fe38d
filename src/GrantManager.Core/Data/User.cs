using Microsoft.AspNetCore.Identity;

namespace GrantManager.Core.Data;

public sealed class User : IdentityUser
{
    public string DisplayName { get; set; } = "";
    /// <summary>The organisation an applicant acts for; null for council staff.</summary>
    public int? OrganisationId { get; set; }
    public Organisations.Organisation? Organisation { get; set; }
    public DateTime CreatedAt { get; set; }
}

public static class Roles
{
    public const string Applicant = "Applicant";
    public const string GrantOfficer = "GrantOfficer";
    public const string Assessor = "Assessor";
    public const string PanelMember = "PanelMember";
    public const string FinanceOfficer = "FinanceOfficer";
    public const string Administrator = "Administrator";

    public static readonly string[] All = [Applicant, GrantOfficer, Assessor, PanelMember, FinanceOfficer, Administrator];
    public static readonly string[] Staff = [GrantOfficer, Assessor, PanelMember, FinanceOfficer, Administrator];

    public static string Describe(string role) => role switch
    {
        GrantOfficer => "Grant officer",
        PanelMember => "Panel member",
        FinanceOfficer => "Finance officer",
        _ => role,
    };

    /// <summary>"a grant officer", "an assessor": the article a role name (or any noun) takes in a sentence.</summary>
    public static string WithArticle(string noun) =>
        string.IsNullOrEmpty(noun) ? noun : ("aeiouAEIOU".Contains(noun[0]) ? "an " : "a ") + noun;
}
