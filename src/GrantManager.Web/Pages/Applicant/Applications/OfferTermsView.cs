namespace GrantManager.Web.Pages.Applicant.Applications;

/// <summary>The offer's terms as the offer section and the offer letter show them.</summary>
/// <param name="HeadingLevel">The level of the terms' headings under the page's own.</param>
/// <param name="Measures">The fund's outcome measures: their names, and which targets are amounts of money.</param>
public sealed record OfferTermsView(Core.Grants.GrantTerms Terms, IReadOnlyCollection<Core.Funds.OutcomeMeasure> Measures, int HeadingLevel)
{
    public string Name(string code) => Measures.FirstOrDefault(m => m.Code == code)?.Name ?? code;
    public string Target(string code, decimal value) => Core.Funds.OutcomeMeasure.Amount(Measures, code, value);
}
