using System.Net;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Tests.Site;

/// <summary>Administrators set up funds, rounds, criteria and measures in pages; every mistake is named.</summary>
public sealed class FundAdministrationTests(GrantManagerFactory app) : IClassFixture<GrantManagerFactory>
{
    private static Dictionary<string, string> Fund(string code = "HWB") => new()
    {
        ["Input.Code"] = code, ["Input.Name"] = "Healthy Walks Bursary", ["Input.Summary"] = "Small grants for walking groups.",
        ["Input.Description"] = "Helps walking groups start and grow.", ["Input.Eligibility"] = "Community groups in Kent.",
        ["Input.MinimumAward"] = "250", ["Input.MaximumAward"] = "2,000", ["Input.Budget"] = "20000", ["Input.MaxProjectMonths"] = "6",
        ["Input.WorkflowId"] = "grant-application", ["Input.PaymentPlan"] = "60:acceptance, 40:final",
    };

    [Fact]
    public async Task An_administrator_creates_a_fund_opens_a_round_and_sets_criteria_and_measures()
    {
        var admin = await app.SignedInAsync("admin@example.org");
        var bad = Fund("lwk");
        bad["Input.MinimumAward"] = "5000";
        bad["Input.WorkflowId"] = "no-such-flow";
        bad["Input.PaymentPlan"] = "60:acceptance,30:final";
        var errors = (await (await admin.PostFormAsync("/Admin/Funds/Fund?handler=Details", bad, "/Admin/Funds/Fund")).ReadPageAsync()).ErrorSummary();
        Assert.Contains("Another fund already uses the code LWK", errors);
        Assert.Contains("The largest award must be at least the smallest", errors);
        Assert.Contains(errors, e => e.StartsWith("Choose the workflow"));
        Assert.Contains("The payments add up to 90%; they must add up to 100%", errors);
        Assert.False(await app.WithDbAsync(db => db.Funds.AnyAsync(f => f.Name == "Healthy Walks Bursary")));

        var created = await admin.SubmitFormAsync("/Admin/Funds/Fund", Fund());
        var url = created.Headers.Location!.OriginalString;
        Assert.StartsWith("/Admin/Funds/Fund?id=", url);
        var fund = await app.WithDbAsync(db => db.Funds.SingleAsync(f => f.Code == "HWB"));
        Assert.Equal((250m, 2000m, 20000m, 6, "60:acceptance,40:final"), (fund.MinimumAward, fund.MaximumAward, fund.Budget, fund.MaxProjectMonths, fund.PaymentPlan));
        Assert.Equal(("Healthy Walks Bursary", "Small grants for walking groups.", "Helps walking groups start and grow.", "Community groups in Kent.", "grant-application"),
            (fund.Name, fund.Summary, fund.Description, fund.Eligibility, fund.WorkflowId));

        var today = app.Now();
        var backwards = await admin.SubmitFormAsync(url, formSelector: "form[action*='handler=Round']", changes: new()
        {
            ["NewRound.RoundName"] = "Spring", ["NewRound.OpensDay"] = "10", ["NewRound.OpensMonth"] = "5", ["NewRound.OpensYear"] = $"{today.Year + 1}",
            ["NewRound.ClosesDay"] = "1", ["NewRound.ClosesMonth"] = "5", ["NewRound.ClosesYear"] = $"{today.Year + 1}", ["NewRound.RoundBudget"] = "50000",
        });
        var roundErrors = (await backwards.ReadPageAsync()).ErrorSummary();
        Assert.Contains("The round must close after it opens", roundErrors);
        Assert.Contains("The round's budget cannot be more than the fund's £20,000", roundErrors);

        var opens = today.AddDays(-1);
        var closes = today.AddDays(30);
        await admin.SubmitFormAsync(url, formSelector: "form[action*='handler=Round']", changes: new()
        {
            ["NewRound.RoundName"] = "Winter walks", ["NewRound.OpensDay"] = $"{opens.Day}", ["NewRound.OpensMonth"] = $"{opens.Month}", ["NewRound.OpensYear"] = $"{opens.Year}",
            ["NewRound.ClosesDay"] = $"{closes.Day}", ["NewRound.ClosesMonth"] = $"{closes.Month}", ["NewRound.ClosesYear"] = $"{closes.Year}", ["NewRound.RoundBudget"] = "10000",
        });
        var round = await app.WithDbAsync(db => db.Rounds.SingleAsync(r => r.Name == "Winter walks"));
        Assert.Equal((DateOnly.FromDateTime(opens), DateOnly.FromDateTime(closes), 10000m),
            (GrantManager.Core.Configuration.UkTime.DayOf(round.OpensAt), round.LastDay, round.Budget));
        var start = await app.Browser().GetPageAsync("/");
        Assert.Contains(start.QuerySelectorAll(".govuk-summary-card__title"), t => t.TextContent == "Healthy Walks Bursary");

        await admin.SubmitFormAsync(url, formSelector: "form[action*='handler=Criterion']", changes: new() { ["NewCriterion.CriterionName"] = "Reach", ["NewCriterion.Guidance"] = "How many people it reaches", ["NewCriterion.Weight"] = "70" });
        var over = await admin.SubmitFormAsync(url, formSelector: "form[action*='handler=Criterion']", changes: new() { ["NewCriterion.CriterionName"] = "Safety", ["NewCriterion.Weight"] = "40" });
        Assert.Contains("The weights would add up to more than 100; 30 is left", (await over.ReadPageAsync()).ErrorSummary());
        var badMeasure = await admin.SubmitFormAsync(url, formSelector: "form[action*='handler=Measure']", changes: new() { ["NewMeasure.MeasureCode"] = "Walks Led!", ["NewMeasure.MeasureName"] = "", ["NewMeasure.Unit"] = "walks" });
        Assert.Contains("Enter a code of lower-case letters and hyphens, like people-supported", (await badMeasure.ReadPageAsync()).ErrorSummary());
        await admin.SubmitFormAsync(url, formSelector: "form[action*='handler=Measure']", changes: new() { ["NewMeasure.MeasureCode"] = "walks-led", ["NewMeasure.MeasureName"] = "Walks led", ["NewMeasure.Unit"] = "walks" });

        var saved = await app.WithDbAsync(db => db.Funds.Include(f => f.Criteria).Include(f => f.Measures).SingleAsync(f => f.Code == "HWB"));
        Assert.Equal([("Reach", "How many people it reaches", 70)], saved.Criteria.Select(c => (c.Name, c.Guidance, c.Weight)));
        Assert.Equal([("walks-led", "Walks led", "walks")], saved.Measures.Select(m => (m.Code, m.Name, m.Unit)));
    }

    [Fact]
    public async Task Amounts_the_administrator_types_are_read_as_pounds_and_unreadable_ones_are_named()
    {
        var admin = await app.SignedInAsync("admin@example.org");
        var fields = Fund("WLK");
        fields["Input.Name"] = "Wealden Walks";
        fields["Input.MinimumAward"] = "£250.50";
        fields["Input.MaximumAward"] = "lots";
        fields["Input.Budget"] = "1e20";
        var page = await (await admin.SubmitFormAsync("/Admin/Funds/Fund", fields)).ReadPageAsync();
        Assert.Contains("The largest award must be in pounds, like 4,500 or 4,500.50", page.ErrorSummary());
        Assert.Contains("The budget must be in pounds, like 4,500 or 4,500.50", page.ErrorSummary());
        Assert.Equal("lots", page.QuerySelector("#Input_MaximumAward")!.GetAttribute("value"));
        Assert.False(await app.WithDbAsync(db => db.Funds.AnyAsync(f => f.Code == "WLK")));

        fields["Input.MaximumAward"] = "£2,000";
        fields["Input.Budget"] = "20,000.00";
        var saved = await admin.SubmitFormAsync("/Admin/Funds/Fund", fields);
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var fund = await app.WithDbAsync(db => db.Funds.SingleAsync(f => f.Code == "WLK"));
        Assert.Equal((250.50m, 2000m, 20000m), (fund.MinimumAward, fund.MaximumAward, fund.Budget));
        Assert.Equal("250.50", (await admin.GetPageAsync(saved.Headers.Location!.OriginalString)).QuerySelector("#Input_MinimumAward")!.GetAttribute("value"));
    }

    [Fact]
    public async Task Only_administrators_manage_funds()
    {
        var officer = await app.SignedInAsync("officer@example.org");
        Assert.StartsWith("/Account/AccessDenied", (await officer.GetAsync("/Admin/Funds")).Headers.Location!.PathAndQuery);
        Assert.StartsWith("/Account/AccessDenied", (await officer.GetAsync("/Admin/Funds/Fund?id=1")).Headers.Location!.PathAndQuery);
        Assert.Equal(HttpStatusCode.NotFound, (await (await app.SignedInAsync("admin@example.org")).GetAsync("/Admin/Funds/Fund?id=999")).StatusCode);
    }
}
