namespace GrantManager.Core.Workflows;

/// <summary>How outcomes, triggers and statuses read to people: titles, not the codes in the definitions.</summary>
public static class WorkflowText
{
    private static readonly Dictionary<string, string> Outcomes = new()
    {
        ["eligible"] = "Eligible", ["ineligible"] = "Not eligible", ["more-information-needed"] = "More information needed",
        ["information-provided"] = "Send the information", ["fund"] = "Recommend: fund", ["do-not-fund"] = "Recommend: do not fund",
        ["approve"] = "Approve", ["reject"] = "Reject", ["accept"] = "Accept the offer", ["decline"] = "Decline the offer",
        ["withdraw"] = "Withdraw", ["lapse"] = "Offer lapsed",
        ["submit"] = "Send the report", ["accept-report"] = "Accept the report", ["request-changes"] = "Request changes",
        ["paid"] = "Paid", ["chased"] = "Chased up", ["open"] = "Opened for the grant holder",
    };

    /// <summary>An outcome or trigger as a person reads it: "more-information-needed" is "More information needed".</summary>
    public static string Outcome(string key) =>
        string.IsNullOrEmpty(key) ? "" : Outcomes.TryGetValue(key, out var label) ? label : Sentence(key);

    /// <summary>A status code as a tag shows it: "changes-requested" is "Changes requested".</summary>
    public static string Status(string? code) => string.IsNullOrEmpty(code) ? "" : Sentence(code);

    /// <summary>Outcomes as a list a sentence can end with: "Eligible, Not eligible or More information needed".</summary>
    public static string Choices(IEnumerable<string> outcomes)
    {
        var titles = outcomes.Select(Outcome).ToList();
        return titles.Count <= 1 ? string.Concat(titles) : $"{string.Join(", ", titles[..^1])} or {titles[^1]}";
    }

    /// <summary>"a" or "an" and the role, in lower case: "an assessor", "a grant officer".</summary>
    public static string ARole(string role)
    {
        var name = Data.Roles.Describe(role).ToLowerInvariant();
        return ("aeiou".Contains(name[0]) ? "an " : "a ") + name;
    }

    private static string Sentence(string code) => char.ToUpperInvariant(code[0]) + code[1..].Replace('-', ' ');
}
