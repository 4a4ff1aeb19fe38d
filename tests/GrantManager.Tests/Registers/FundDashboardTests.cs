using System.Net;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Tests.Registers;

/// <summary>The fund dashboard's pipeline, demand on each round and money: every figure is a table cell that opens the register filtered to exactly what it counts. On a fund the test makes, so the figures are its own.</summary>
public sealed class FundDashboardTests(GrantManagerFactory app) : IClassFixture<GrantManagerFactory>
{
    private DateOnly Start => app.Today().AddMonths(2);

    private static int Count(string text) => int.Parse(new string(text.TakeWhile(c => char.IsDigit(c) || c == ',').Where(char.IsDigit).ToArray()));

    [Fact]
    public async Task Each_figure_on_the_dashboard_opens_the_register_showing_that_many()
    {
        var fundId = (await app.CreateFundAsync("DASH")).Id;
        var officer = await app.SignedInAsync("officer@example.org");
        var url = $"/Staff/Funds/{fundId}/Dashboard";
        var before = await officer.GetPageAsync(url);
        int AtEligibility(AngleSharp.Html.Dom.IHtmlDocument page) =>
            page.QuerySelector("#pipeline-table tr[data-stage=eligibility] td a") is { } a ? Count(a.TextContent.Trim()) : 0;

        var email = await app.CreateApplicantAsync("Aldington Allotment Society");
        await app.CreateApplicationAsync(a => a.By(email).ToFund("DASH").Running(Start, Start.AddMonths(11)).Asking(2750m).Submitted());
        var page = await officer.GetPageAsync(url);
        Assert.Equal(AtEligibility(before) + 1, AtEligibility(page));

        // Every count in the pipeline and the rounds' demand opens a register with that many in it.
        var links = page.QuerySelectorAll("#pipeline-table td a, #demand-table td a").ToList();
        Assert.NotEmpty(links);
        foreach (var link in links)
        {
            var register = await officer.GetPageAsync(link.GetAttribute("href")!);
            Assert.Empty(register.ErrorSummary());
            Assert.Equal(Count(link.TextContent.Trim()), Count(register.QuerySelector("#register-total")!.TextContent.Trim()));
        }
        // The round's demand adds up what its submitted applications ask for, against its budget.
        var round = await app.WithDbAsync(db => db.Applications.Where(a => a.ProjectTitle != null && a.Organisation!.ContactEmail == email).Select(a => a.Round!).SingleAsync());
        var requested = await app.WithDbAsync(db => db.Applications.Where(a => a.RoundId == round.Id && a.SubmittedAt != null).SumAsync(a => a.AmountRequested)) ?? 0;
        var row = page.QuerySelector($"#demand-table tr[data-round='{round.Id}']")!;
        Assert.Contains(GrantManager.Web.Formats.Money(requested), row.TextContent);
        Assert.Contains(GrantManager.Web.Formats.Money(round.Budget), row.TextContent);

        // Committed and paid open the grants register for the fund.
        var committed = page.QuerySelector("#money-table tr[data-figure=committed] a")!.GetAttribute("href")!;
        Assert.Equal($"/Staff/Grants?fundId={fundId}", committed);
        var grants = await officer.GetPageAsync(committed);
        Assert.Contains($"Committed in {Count(grants.QuerySelector("#register-total")!.TextContent.Trim())} grant", page.QuerySelector("#money-table tr[data-figure=committed]")!.TextContent);

        // The staff home leads to each fund's registers.
        var home = await officer.GetPageAsync("/Staff");
        Assert.Contains(home.QuerySelectorAll("a"), a => a.GetAttribute("href") == $"/Staff/Applications?fundId={fundId}");
        Assert.Contains(home.QuerySelectorAll("a"), a => a.GetAttribute("href") == $"/Staff/Grants?fundId={fundId}");

        // Those who do not look after grants are refused it, as before.
        var assessor = await app.SignedInAsync("assessor@example.org");
        Assert.Equal(HttpStatusCode.Redirect, (await assessor.GetAsync(url)).StatusCode);
        var applicant = await app.SignedInAsync(email);
        Assert.Equal(HttpStatusCode.Redirect, (await applicant.GetAsync(url)).StatusCode);
    }
}
