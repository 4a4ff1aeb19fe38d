using GrantManager.Core.Applications;

namespace GrantManager.Web.Pages.Shared;

/// <summary>An application's answers as the summary lists show them, with "change" links when the applicant may still edit.</summary>
public sealed record ApplicationSummaryView(Application Application, bool CanChange, IReadOnlyDictionary<string, string> MeasureNames, int HeadingLevel)
{
    public IReadOnlyList<Attachment> Documents { get; init; } = [];
    /// <summary>Staff read it about someone else's organisation, so its headings do not say "your".</summary>
    public bool ForStaff { get; init; }

    /// <param name="headingLevel">The level of the section headings, one below the page's heading above them.</param>
    public static ApplicationSummaryView From(Application a, bool canChange = false, int headingLevel = 3) =>
        new(a, canChange, a.Fund?.Measures.ToDictionary(m => m.Code, m => m.Name) ?? new Dictionary<string, string>(), headingLevel);
}

/// <summary>How outcomes, triggers and statuses read to people (the wording lives in Core, for the runtime's messages too).</summary>
public static class WorkflowLabels
{
    public static string Outcome(string key) => Core.Workflows.WorkflowText.Outcome(key);
    public static string Status(string? code) => Core.Workflows.WorkflowText.Status(code);
}

/// <summary>A GOV.UK date input: day, month and year fields named PREFIX+Day and so on, bound as a <see cref="Forms.GovUkDate"/>.</summary>
public sealed record DateInputView(string Prefix, string Legend, string Hint, Forms.GovUkDate Date);
