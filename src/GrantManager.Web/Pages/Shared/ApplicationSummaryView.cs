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

/// <summary>A GOV.UK date input: day, month and year fields named PREFIX+Day and so on.</summary>
public sealed record DateInputView(string Prefix, string Legend, string Hint, string? Day, string? Month, string? Year)
{
    /// <summary>null when all three are blank; false when they do not make a real date.</summary>
    public static (bool Given, DateOnly? Date) Parse(string? day, string? month, string? year)
    {
        if (string.IsNullOrWhiteSpace(day) && string.IsNullOrWhiteSpace(month) && string.IsNullOrWhiteSpace(year)) return (false, null);
        return int.TryParse(day, out var d) && int.TryParse(month, out var m) && int.TryParse(year, out var y) && y is >= 2000 and <= 2100
            && m is >= 1 and <= 12 && d >= 1 && d <= DateTime.DaysInMonth(y, m)
            ? (true, new DateOnly(y, m, d)) : (true, null);
    }
}
