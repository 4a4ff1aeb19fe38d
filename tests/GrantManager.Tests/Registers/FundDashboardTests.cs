using System.Net;
using System.Net.Http.Json;
using GrantManager.Tests.Support;
using GrantManager.Core.Workflows;
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

    [Fact]
    public async Task A_panel_member_or_finance_officer_sees_counts_of_what_their_register_shows()
    {
        var fundId = (await app.CreateFundAsync("DASHP")).Id;
        var email = await app.CreateApplicantAsync("Brookland Bell Ringers");
        await app.CreateApplicationAsync(a => a.By(email).ToFund("DASHP").Running(Start, Start.AddMonths(11)).Asking(2100m).Submitted());
        // Above the delegated limit, so the panel decides them.
        await app.CreateApplicationAsync(a => a.By(email).ToFund("DASHP").Running(Start, Start.AddMonths(11)).Asking(6100m).Assessed());
        await app.CreateApplicationAsync(a => a.By(email).ToFund("DASHP").Running(Start, Start.AddMonths(11)).Asking(7100m).Awarded());
        var url = $"/Staff/Funds/{fundId}/Dashboard";
        int Counted(AngleSharp.Html.Dom.IHtmlDocument page) => page.QuerySelectorAll("#pipeline-table td a").Sum(a => Count(a.TextContent.Trim()));

        var officer = await (await app.SignedInAsync("officer@example.org")).GetPageAsync(url);
        Assert.Equal(3, Counted(officer));
        Assert.Null(officer.QuerySelector("#applications-counted"));

        foreach (var (staff, expected, counted) in new[] { ("panel@example.org", 2, "come to the panel"), ("finance@example.org", 1, "became grants") })
        {
            var browser = await app.SignedInAsync(staff);
            var page = await browser.GetPageAsync(url);
            Assert.Equal(expected, Counted(page));
            Assert.Contains(counted, page.QuerySelector("#applications-counted")!.TextContent);
            var links = page.QuerySelectorAll("#pipeline-table td a, #demand-table td a").ToList();
            Assert.NotEmpty(links);
            foreach (var link in links)
            {
                var register = await browser.GetPageAsync(link.GetAttribute("href")!);
                Assert.Equal(Count(link.TextContent.Trim()), Count(register.QuerySelector("#register-total")!.TextContent.Trim()));
            }
            var fundRegister = await browser.GetPageAsync($"/Staff/Applications?fundId={fundId}");
            Assert.Equal(expected, Count(fundRegister.QuerySelector("#register-total")!.TextContent.Trim()));
        }
    }

    [Fact]
    public async Task A_quarter_that_cannot_be_reported_is_named_in_the_error_summary_above_this_quarters_report()
    {
        var fundId = (await app.CreateFundAsync("QTRS")).Id;
        var officer = await app.SignedInAsync("officer@example.org");
        var url = $"/Staff/Funds/{fundId}/Quarterly";
        var today = app.Today();
        var current = new DateOnly(today.Year, ((today.Month - 1) / 3 * 3) + 1, 1);
        var shown = current.ToString("d MMMM yyyy", GrantManager.Web.Formats.EnGb);

        foreach (var (bad, problem) in new[]
        {
            ("banana", "The quarter must be a date, like 2026-06-30, or a quarter, like 2026-Q2"),
            ($"{today.Year}-13-45", "The quarter must be a date, like 2026-06-30, or a quarter, like 2026-Q2"),
            ($"{today.Year}-Q7", "There is no quarter 7: a year has quarters 1 to 4"),
            ($"{today.Year}-Q0", "There is no quarter 0: a year has quarters 1 to 4"),
            ("1850-03-31", "The quarter must be from January 2000 to this quarter"),
            ($"{today.Year + 40}-Q1", "The quarter must be from January 2000 to this quarter"),
        })
        {
            var response = await officer.GetAsync($"{url}?quarter={Uri.EscapeDataString(bad)}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await response.ReadPageAsync();
            var error = Assert.Single(page.ErrorSummary());
            Assert.StartsWith(problem, error);
            Assert.EndsWith("Choose the quarter from the list", error);
            Assert.Equal("#Quarter", page.QuerySelector(".govuk-error-summary__list a")!.GetAttribute("href"));
            Assert.Equal("quarter-error", page.QuerySelector("select#Quarter")!.GetAttribute("aria-describedby"));
            Assert.Contains(shown, page.QuerySelector("h1")!.TextContent);

            var csv = await officer.GetAsync($"{url}?handler=Csv&quarter={Uri.EscapeDataString(bad)}");
            Assert.Equal(HttpStatusCode.BadRequest, csv.StatusCode);
            Assert.Equal("application/problem+json", csv.Content.Headers.ContentType!.MediaType);
            var body = await csv.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
            Assert.StartsWith(problem, body.GetProperty("errors").GetProperty("quarter")[0].GetString());
        }

        // A quarter as people write it opens that quarter.
        var named = await officer.GetPageAsync($"{url}?quarter={current.Year}-Q{((current.Month - 1) / 3) + 1}");
        Assert.Empty(named.ErrorSummary());
        Assert.Contains(shown, named.QuerySelector("h1")!.TextContent);
    }

    private static decimal Pounds(string text) =>
        decimal.Parse(text.Trim().TrimStart('£').Split(' ')[0].Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Left_to_award_takes_off_the_offers_waiting_for_an_answer_as_each_round_does()
    {
        var fundId = (await app.CreateFundAsync("DASHO", budget: 50_000m)).Id;
        var email = await app.CreateApplicantAsync("Ash Community Larder");
        await app.CreateApplicationAsync(a => a.By(email).ToFund("DASHO").Running(Start, Start.AddMonths(11)).Asking(4_000m).Offered());
        await app.CreateApplicationAsync(a => a.By(email).ToFund("DASHO").Running(Start, Start.AddMonths(11)).Asking(3_000m).Awarded());
        var officer = await app.SignedInAsync("officer@example.org");
        var page = await officer.GetPageAsync($"/Staff/Funds/{fundId}/Dashboard");

        decimal Figure(string key) => Pounds(page.QuerySelector($"#money-table tr[data-figure={key}] td")!.TextContent);
        Assert.Equal(3_000m, Figure("committed"));
        Assert.Equal(4_000m, Figure("offered"));
        Assert.Equal(50_000m - 3_000m - 4_000m, Figure("uncommitted"));
        // The fund's one round holds its whole budget, so the fund's figure and the round's tell the same story.
        Assert.Equal(Figure("uncommitted"), Pounds(page.QuerySelector("#round-budgets-table td[data-figure=remaining]")!.TextContent));
    }

    [Fact]
    public async Task Committed_and_paid_over_time_add_each_award_and_payment_to_its_quarter_and_open_what_they_count()
    {
        var fundId = await app.WithDbAsync(db => db.Funds.Where(f => f.Code == "LWK").Select(f => f.Id).SingleAsync());
        var officer = await app.SignedInAsync("officer@example.org");
        var url = $"/Staff/Funds/{fundId}/Dashboard";
        var quarter = GrantManager.Core.Grants.FundTimeline.QuarterOf(DateTime.UtcNow).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        decimal Figure(AngleSharp.Html.Dom.IHtmlDocument page, string figure) =>
            page.QuerySelector($"#over-time-table tr[data-quarter='{quarter}'] td[data-figure={figure}] a") is { } a ? Pounds(a.TextContent) : 0m;
        var before = await officer.GetPageAsync(url);

        var email = $"time-{Guid.NewGuid():N}@example.org";
        await NewApplicant.RegisterCharityAsync(app, email, "Brabourne Bell Ringers", "1305101", "TN25 5AA");
        var grant = await app.AwardAsync(Start, Start.AddMonths(11), 2400m, email);
        var first = grant.Instalments.OrderBy(i => i.Sequence).First();
        var pay = await app.OpenTaskAsync(GrantManager.Core.Grants.GrantWorkflows.InstalmentSubject, first.Id);
        await app.CompleteAsync(pay!.Id, "finance@example.org", new TaskCompletion("paid", null) { PaymentReference = "BACS-TIME-1" });

        var page = await officer.GetPageAsync(url);
        Assert.Equal(Figure(before, "awarded") + grant.Amount, Figure(page, "awarded"));
        Assert.Equal(Figure(before, "paid") + first.Amount, Figure(page, "paid"));
        // The running total at the last quarter is the fund's committed figure.
        var last = page.QuerySelectorAll("#over-time-table tbody tr").Last().QuerySelector("td[data-figure=to-date]")!.TextContent;
        var committed = page.QuerySelector("#money-table tr[data-figure=committed] td")!.TextContent.Trim();
        Assert.Contains($"Committed {committed}", last, StringComparison.Ordinal);

        // The quarter's awards open the grants register filtered to the quarter, with the new grant in it;
        // its payments open the quarterly report of that quarter, which spends the same.
        var row = page.QuerySelector($"#over-time-table tr[data-quarter='{quarter}']")!;
        var awarded = await officer.GetPageAsync(row.QuerySelector("td[data-figure=awarded] a")!.GetAttribute("href")!);
        Assert.Empty(awarded.ErrorSummary());
        Assert.Contains(awarded.QuerySelectorAll("main a"), a => a.TextContent.Trim() == grant.Reference);
        var quarterly = await officer.GetPageAsync(row.QuerySelector("td[data-figure=paid] a")!.GetAttribute("href")!);
        Assert.StartsWith(GrantManager.Web.Formats.Money(Figure(page, "paid")), quarterly.QuerySelectorAll("dt").First(d => d.TextContent.Trim() == "Spend").NextElementSibling!.TextContent.Trim(), StringComparison.Ordinal);
        Assert.NotNull(quarterly.QuerySelector("#awards-made"));
    }
}
