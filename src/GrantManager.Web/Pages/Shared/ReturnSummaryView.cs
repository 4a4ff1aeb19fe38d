using GrantManager.Core.Applications;
using GrantManager.Core.Grants;
using GrantManager.Core.Monitoring;

namespace GrantManager.Web.Pages.Shared;

/// <summary>What a progress report says, for the grant holder after sending it and for the officer reviewing it.</summary>
public sealed record ReturnSummaryView(MonitoringReturn Return, IReadOnlyDictionary<string, string> MeasureNames, IReadOnlyList<Attachment> Evidence);

/// <summary>How a return's status reads and looks.</summary>
public static class ReturnTags
{
    public static string Text(ReturnStatus status) => status switch
    {
        ReturnStatus.Upcoming => "Not yet open", ReturnStatus.Due => "To do", ReturnStatus.Submitted => "Sent for review",
        ReturnStatus.ChangesRequested => "Changes requested", ReturnStatus.Cancelled => "Cancelled", _ => "Accepted",
    };

    public static string Css(ReturnStatus status) => status switch
    {
        ReturnStatus.Upcoming => "govuk-tag--grey", ReturnStatus.Due => "govuk-tag--blue", ReturnStatus.Submitted => "govuk-tag--yellow",
        ReturnStatus.ChangesRequested => "govuk-tag--orange", ReturnStatus.Cancelled => "govuk-tag--grey", _ => "govuk-tag--green",
    };
}
