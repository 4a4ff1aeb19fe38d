namespace GrantManager.Web.Pages.Applicant.Applications;

/// <summary>The offer's terms as the offer section and the offer letter show them.</summary>
/// <param name="HeadingLevel">The level of the terms' headings under the page's own.</param>
public sealed record OfferTermsView(Core.Grants.GrantTerms Terms, IReadOnlyDictionary<string, string> MeasureNames, int HeadingLevel);
