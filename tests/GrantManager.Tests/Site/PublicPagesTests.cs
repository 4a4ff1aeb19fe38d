using System.Net;
using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Tests.Site;

/// <summary>The fund's public page and the privacy notice, as someone who has not signed in sees them.</summary>
public sealed class PublicPagesTests
{
    [Fact]
    public async Task The_fund_page_tells_anyone_who_can_apply_how_much_by_when_and_how_it_is_decided()
    {
        await using var app = new GrantManagerFactory().Set("Council:ContactEmail", "livewell@kent.example.gov.uk");
        var client = app.Browser();
        await client.GetAsync("/");
        // The round closes as 1 March 2027 begins in the UK: the last day to apply is 28 February.
        await app.WithDbAsync(async db =>
        {
            var round = await db.Rounds.SingleAsync();
            round.ClosesAt = UkTime.StartOfDay(new DateOnly(2027, 3, 1));
            return await db.SaveChangesAsync();
        });

        var start = await client.GetPageAsync("/");
        var link = start.QuerySelectorAll("main a").Single(a => a.GetAttribute("href") == "/Funds/LWK");
        Assert.Contains("Who can apply", link.TextContent);
        Assert.Contains("Apply by 11:59pm on 28 February 2027", start.QuerySelector(".govuk-summary-card")!.TextContent);

        var response = await client.GetAsync("/Funds/LWK");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.ReadPageAsync();
        Assert.Equal("Live Well Kent innovation grant", page.QuerySelector("h1")!.TextContent.Trim());
        Assert.Contains("Apply by 11:59pm on 28 February 2027", page.QuerySelector("#round-dates")!.TextContent);

        var facts = page.QuerySelectorAll("#fund-facts .govuk-summary-list__row")
            .ToDictionary(r => r.QuerySelector("dt")!.TextContent.Trim(), r => r.QuerySelector("dd")!.TextContent.Trim());
        Assert.Equal("£500", facts["Smallest grant"]);
        Assert.Equal("£10,000", facts["Largest grant"]);
        Assert.Equal("12 months", facts["Longest project"]);
        Assert.Equal("11:59pm on 28 February 2027", facts["Last day to apply"]);

        Assert.Contains("Voluntary and community organisations", page.QuerySelector("main")!.TextContent);
        Assert.Contains(page.QuerySelectorAll("#eligibility-questions li"), li => li.TextContent.Contains("Will the project finish within 12 months of starting?"));

        var criteria = page.QuerySelectorAll("#criteria tbody tr").Select(r => (r.QuerySelector("td span")!.TextContent.Trim(), r.QuerySelectorAll("td")[1].TextContent.Trim())).ToList();
        Assert.Equal([("Need and benefit", "30%"), ("Innovation", "25%"), ("Deliverability", "25%"), ("Social value", "20%")], criteria);
        Assert.Contains("2 assessors each score", page.QuerySelector("main")!.TextContent);

        // From the workflow: a grant officer up to £5,000, the panel above.
        var decisions = page.QuerySelectorAll("#decisions .govuk-summary-list__row")
            .Select(r => (r.QuerySelector("dt")!.TextContent.Trim(), r.QuerySelector("dd")!.TextContent.Trim())).ToList();
        Assert.Equal([("Up to £5,000", "A grant officer, under delegated authority decides."), ("More than £5,000", "The grants panel decides.")], decisions);

        Assert.Contains("People supported (people)", page.QuerySelector("#measures")!.TextContent);
        Assert.NotNull(page.QuerySelector("a[href='mailto:livewell@kent.example.gov.uk']"));
        Assert.NotNull(page.QuerySelector("a[href='/Account/Register']"));
        // Nothing private: no applications, no staff, no sign-out.
        Assert.DoesNotContain("LWK-20", page.QuerySelector("main")!.TextContent);
        Assert.Null(page.QuerySelector("#session-timeout"));
    }

    [Fact]
    public async Task An_unknown_fund_is_not_found()
    {
        await using var app = new GrantManagerFactory();
        Assert.Equal(HttpStatusCode.NotFound, (await app.Browser().GetAsync("/Funds/NOPE")).StatusCode);
    }

    [Fact]
    public void The_last_day_to_apply_is_the_UK_day_before_a_midnight_close_in_summer_too()
    {
        Assert.Equal("11:59pm on 30 June 2027", GrantManager.Web.Pages.Funds.FundModel.LastDay(UkTime.StartOfDay(new DateOnly(2027, 7, 1))));
        Assert.Equal("5pm on 28 February 2027", GrantManager.Web.Pages.Funds.FundModel.LastDay(new DateTime(2027, 2, 28, 17, 0, 0, DateTimeKind.Utc)));
    }

    [Fact]
    public async Task The_privacy_notice_names_the_controller_basis_retention_rights_and_contacts_from_the_settings()
    {
        await using var app = new GrantManagerFactory()
            .Set("Council:Name", "Swale Borough Council")
            .Set("Council:ContactEmail", "grants@swale.example.gov.uk")
            .Set("Council:Privacy:DataProtectionOfficerEmail", "dpo@swale.example.gov.uk")
            .Set("Council:Privacy:RetentionYears", "6")
            .Set("Council:Privacy:IcoRegistrationNumber", "Z1234567");
        var response = await app.Browser().GetAsync("/Privacy");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.ReadPageAsync();
        var text = page.QuerySelector("main")!.TextContent;

        Assert.Equal("Privacy notice", page.QuerySelector("h1")!.TextContent.Trim());
        Assert.Contains("Swale Borough Council is the data controller", text);
        Assert.Contains("Z1234567", text);
        Assert.Contains("public task (UK GDPR Article 6(1)(e))", text);
        Assert.Contains("for 6 years after the grant ends", text);
        Assert.Contains("not used the service for 30 minutes", text);
        foreach (var heading in new[] { "What we collect", "Why we use it", "Who we share it with", "Your rights" })
            Assert.Contains(page.QuerySelectorAll("h2"), h => h.TextContent.Trim() == heading);
        Assert.NotNull(page.QuerySelector("a[href='mailto:grants@swale.example.gov.uk']"));
        Assert.NotNull(page.QuerySelector("a[href='mailto:dpo@swale.example.gov.uk']"));
    }

    [Fact]
    public async Task Every_page_has_the_favicon()
    {
        await using var app = new GrantManagerFactory();
        var page = await app.Browser().GetPageAsync("/");
        var href = page.QuerySelector("link[rel=icon]")!.GetAttribute("href")!;
        var icon = await app.Browser().GetAsync(href);
        Assert.Equal(HttpStatusCode.OK, icon.StatusCode);
        Assert.Equal("image/svg+xml", icon.Content.Headers.ContentType?.MediaType);
    }
}
