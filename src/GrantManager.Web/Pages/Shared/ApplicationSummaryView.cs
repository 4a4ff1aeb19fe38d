using GrantManager.Core.Applications;

namespace GrantManager.Web.Pages.Shared;

/// <summary>An application's answers as the summary lists show them, with "change" links when the applicant may still edit.</summary>
public sealed record ApplicationSummaryView(Application Application, bool CanChange, IReadOnlyDictionary<string, string> MeasureNames)
{
    public static ApplicationSummaryView From(Application a, bool canChange = false) =>
        new(a, canChange, a.Fund?.Measures.ToDictionary(m => m.Code, m => m.Name) ?? new Dictionary<string, string>());
}

/// <summary>How outcomes and triggers read to people.</summary>
public static class WorkflowLabels
{
    private static readonly Dictionary<string, string> Labels = new()
    {
        ["eligible"] = "Eligible", ["ineligible"] = "Not eligible", ["more-information-needed"] = "More information needed",
        ["information-provided"] = "Send the information", ["fund"] = "Recommend: fund", ["do-not-fund"] = "Recommend: do not fund",
        ["approve"] = "Approve", ["reject"] = "Reject", ["accept"] = "Accept the offer", ["decline"] = "Decline the offer",
        ["withdraw"] = "Withdraw", ["lapse"] = "Offer lapsed",
    };

    public static string Outcome(string key) =>
        Labels.TryGetValue(key, out var label) ? label : char.ToUpperInvariant(key[0]) + key[1..].Replace('-', ' ');
}
