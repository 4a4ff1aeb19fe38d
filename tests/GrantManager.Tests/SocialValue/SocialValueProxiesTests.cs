using System.Net;
using System.Text;
using GrantManager.Core.SocialValue;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Tests.SocialValue;

/// <summary>Administrators load the council's proxies through the form and a CSV import; every change is a new version, and the shipped values say they are illustrative.</summary>
public sealed class SocialValueProxiesTests(GrantManagerFactory app) : IClassFixture<GrantManagerFactory>
{
    private const string Header = "Measure code,£ per unit,Unit,Source,Licence,Price year,Deadweight %,Attribution %,Applies from,Reason";
    private static byte[] File(params string[] lines) => Encoding.UTF8.GetBytes(string.Join("\r\n", lines) + "\r\n");

    private Task<List<ProxyVersion>> VersionsAsync(string code) =>
        app.WithDbAsync(db => db.Set<ProxyVersion>().Where(v => v.MeasureCode == code).OrderBy(v => v.Version).ToListAsync());

    [Fact]
    public async Task The_shipped_values_are_version_1_and_labelled_illustrative_on_every_page_showing_them()
    {
        var shipped = await VersionsAsync("carers-reached");
        Assert.Equal((1, 400m, true, ShippedProxies.RecordedBy), (shipped.Single().Version, shipped.Single().PoundsPerUnit, shipped.Single().Illustrative, shipped.Single().RecordedBy));
        Assert.Equal((0m, 100m), (shipped.Single().DeadweightPercent, shipped.Single().AttributionPercent));
        var admin = await app.SignedInAsync("admin@example.org");
        var index = await admin.GetPageAsync("/Admin/SocialValue");
        Assert.NotNull(index.QuerySelector("[data-illustrative]"));
        Assert.Contains("Illustrative", index.QuerySelector("tr[data-measure='carers-reached']")!.TextContent);
        var proxy = await admin.GetPageAsync("/Admin/SocialValue/Proxy?code=carers-reached");
        Assert.NotNull(proxy.QuerySelector("[data-illustrative]"));
        // A fund whose grants commit to measures valued with shipped figures says so on its dashboard and report.
        var grant = await app.AwardAsync(app.Today().AddMonths(1), app.Today().AddMonths(12));
        var officer = await app.SignedInAsync("officer@example.org");
        Assert.NotNull((await officer.GetPageAsync($"/Staff/Funds/{grant.FundId}/Dashboard")).QuerySelector("[data-illustrative]"));
        Assert.NotNull((await officer.GetPageAsync($"/Staff/Funds/{grant.FundId}/SocialValue")).QuerySelector("[data-illustrative]"));
        Assert.Contains("Yes", (await officer.GetStringAsync($"/Staff/Funds/{grant.FundId}/SocialValue?handler=Csv")).Split("\r\n").Single(l => l.StartsWith("Total,")));
    }

    [Fact]
    public async Task The_form_posted_as_rendered_records_a_new_version_with_who_when_and_why_and_keeps_the_old_one()
    {
        var admin = await app.SignedInAsync("admin@example.org");
        const string url = "/Admin/SocialValue/Proxy?code=volunteers";
        // Posted unchanged, the form says nothing changed and stores nothing.
        var unchanged = await admin.SubmitFormAsync(url);
        Assert.Equal(HttpStatusCode.OK, unchanged.StatusCode);
        Assert.Equal(["Nothing has changed: change a figure to record a new version"], (await unchanged.ReadPageAsync()).ErrorSummary());
        Assert.Single(await VersionsAsync("volunteers"));

        var posted = app.Now();
        var saved = await admin.SubmitFormAsync(url, new()
        {
            ["Input.PoundsPerUnit"] = "£1,250.50", ["Input.Unit"] = "regular volunteer", ["Input.Source"] = "Kent volunteering survey 2026, table 4",
            ["Input.Licence"] = "Open Government Licence v3.0", ["Input.PriceYear"] = "2026", ["Input.DeadweightPercent"] = "20%",
            ["Input.AttributionPercent"] = "75", ["Input.AppliesFromDay"] = "1", ["Input.AppliesFromMonth"] = "4", ["Input.AppliesFromYear"] = "2026",
            ["Input.Reason"] = "Council's own figure agreed by cabinet",
        });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var versions = await VersionsAsync("volunteers");
        Assert.Equal(2, versions.Count);
        var v2 = versions[1];
        Assert.Equal((2, 1250.50m, "regular volunteer", "Kent volunteering survey 2026, table 4", "Open Government Licence v3.0", 2026, 20m, 75m, new DateOnly(2026, 4, 1)),
            (v2.Version, v2.PoundsPerUnit, v2.Unit, v2.Source, v2.Licence, v2.PriceYear, v2.DeadweightPercent, v2.AttributionPercent, v2.AppliesFrom));
        Assert.Equal(("Adam Administrator", "Council's own figure agreed by cabinet", false), (v2.RecordedBy, v2.Reason, v2.Illustrative));
        Assert.NotNull(v2.RecordedById);
        Assert.InRange(v2.RecordedAt, posted, app.Now());
        // Version 1 is kept as it was.
        Assert.Equal((1, 150m, true), (versions[0].Version, versions[0].PoundsPerUnit, versions[0].Illustrative));

        var page = await admin.GetPageAsync(url);
        var rows = page.QuerySelectorAll("#versions tbody tr").Select(r => r.TextContent).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Contains("In force", rows[0]);
        Assert.Contains("£1,250.50 per regular volunteer", rows[0]);
        Assert.Contains("Adam Administrator", rows[0]);
        Assert.Contains("Illustrative", rows[1]);
        Assert.Equal("1250.5", page.QuerySelector("#Input_PoundsPerUnit")!.GetAttribute("value"));
    }

    [Fact]
    public async Task The_form_names_every_bad_field_and_stores_nothing()
    {
        var admin = await app.SignedInAsync("admin@example.org");
        const string url = "/Admin/SocialValue/Proxy?code=local-jobs";
        var bad = await admin.SubmitFormAsync(url, new()
        {
            ["Input.PoundsPerUnit"] = "-5", ["Input.Unit"] = "", ["Input.Source"] = "=HYPERLINK(\"http://x\")", ["Input.Licence"] = "",
            ["Input.PriceYear"] = "25", ["Input.DeadweightPercent"] = "120", ["Input.AttributionPercent"] = "lots",
            ["Input.AppliesFromDay"] = "31", ["Input.AppliesFromMonth"] = "2", ["Input.AppliesFromYear"] = "2027",
        });
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        var page = await bad.ReadPageAsync();
        Assert.Equal(
        [
            "The £ per unit must not be a negative amount",
            "Enter the unit (what one unit is, like person supported)",
            "The source of the value must not start with '=': a spreadsheet would read it as a formula",
            "Enter the licence the value is used under",
            "The price year must be a year from 2000 to 2100, like 2025",
            "The deadweight must be a percentage from 0 to 100, like 25",
            "The attribution must be a percentage from 0 to 100, like 25",
            "The date it applies from must be a real date, like 1 4 2026",
        ], page.ErrorSummary());
        // What was typed stays for correcting.
        Assert.Equal("-5", page.QuerySelector("#Input_PoundsPerUnit")!.GetAttribute("value"));
        Assert.Single(await VersionsAsync("local-jobs"));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/Admin/SocialValue/Proxy?code=no-such-measure")).StatusCode);
    }

    [Fact]
    public async Task A_good_CSV_file_adds_a_version_for_each_changed_row_and_leaves_unchanged_rows_alone()
    {
        var admin = await app.SignedInAsync("admin@example.org");
        // The template is the current proxies: imported as it is, nothing changes.
        var template = await admin.GetAsync("/Admin/SocialValue?handler=Template");
        var templateBytes = await template.Content.ReadAsByteArrayAsync();
        Assert.StartsWith(Header, Encoding.UTF8.GetString(templateBytes).TrimStart('\uFEFF'));
        var same = await admin.SubmitFormAsync("/Admin/SocialValue", file: ("Upload", "proxies.csv", templateBytes));
        Assert.Equal(HttpStatusCode.Redirect, same.StatusCode);
        var home = await admin.GetPageAsync("/Admin/SocialValue");
        Assert.Contains("0 new versions recorded", home.Body!.TextContent);

        var before = await VersionsAsync("local-spend");
        var imported = await admin.SubmitFormAsync("/Admin/SocialValue", file: ("Upload", "proxies.csv", File(
            // Columns in another order, a quoted cell with a comma, a percentage sign, an empty deadweight (0%) and attribution (100%).
            "Unit,Measure code,£ per unit,Source,Licence,Price year,Deadweight %,Attribution %,Applies from,Reason",
            "pound spent with Kent suppliers,local-spend,0.35,\"Kent supply chain study, 2026\",Council's own figure,2026,,,2026-04-01,Annual review",
            "hour volunteered,volunteer-hours,11.44,National Living Wage 2025,Open Government Licence v3.0,2025,10%,90,1/4/2026,")));
        Assert.Equal(HttpStatusCode.Redirect, imported.StatusCode);
        var spend = (await VersionsAsync("local-spend")).Last();
        Assert.Equal((before.Count + 1, 0.35m, "Kent supply chain study, 2026", 0m, 100m, new DateOnly(2026, 4, 1), "Annual review", "Adam Administrator"),
            (spend.Version, spend.PoundsPerUnit, spend.Source, spend.DeadweightPercent, spend.AttributionPercent, spend.AppliesFrom, spend.Reason, spend.RecordedBy));
        var hours = (await VersionsAsync("volunteer-hours")).Last();
        Assert.Equal((11.44m, 10m, 90m, new DateOnly(2026, 4, 1), (string?)null), (hours.PoundsPerUnit, hours.DeadweightPercent, hours.AttributionPercent, hours.AppliesFrom, hours.Reason));
        Assert.Contains("2 new versions recorded", (await admin.GetPageAsync("/Admin/SocialValue")).Body!.TextContent);
    }

    [Fact]
    public async Task A_bad_CSV_file_reports_each_problem_by_row_and_column_and_stores_nothing()
    {
        var admin = await app.SignedInAsync("admin@example.org");
        var before = await app.WithDbAsync(db => db.Set<ProxyVersion>().CountAsync());
        var bad = await admin.SubmitFormAsync("/Admin/SocialValue", file: ("Upload", "proxies.csv", File(
            Header,
            // Row 2 is good, but the file is refused as a whole.
            "people-supported,130,person supported,Kent wellbeing study,Council's own figure,2026,25,80,2026-04-01,",
            "no-such-measure,abc,,Somewhere,OGL,2026,0,100,,",
            "carers-reached,400,carer reached,@SUM(A1:A9),OGL,1999,101,100,2026-02-30,",
            "people-supported,120,person supported,Again,OGL,2026,0,100,,")));
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        var page = await bad.ReadPageAsync();
        Assert.Equal(
        [
            "Row 3, column A (Measure code): No fund has an outcome measure with the code 'no-such-measure'",
            "Row 3, column B (£ per unit): The £ per unit must be in pounds, like 4,500 or 4,500.50",
            "Row 3, column C (Unit): Enter the unit (what one unit is, like person supported)",
            "Row 4, column D (Source): The source of the value must not start with '@': a spreadsheet would read it as a formula",
            "Row 4, column F (Price year): The price year must be a year from 2000 to 2100, like 2025",
            "Row 4, column G (Deadweight %): The deadweight must be a percentage from 0 to 100, like 25",
            "Row 4, column I (Applies from): The date it applies from must be a real date, like 2026-04-01 or 1/4/2026",
            "Row 5, column A (Measure code): 'people-supported' is already in row 2: give each measure once",
        ], page.ErrorSummary());
        Assert.Equal(before, await app.WithDbAsync(db => db.Set<ProxyVersion>().CountAsync()));

        // A missing column, an unknown one, an unclosed quote, an empty file and a file that is not CSV are each named.
        async Task<List<string>> Problems(string name, byte[] content) =>
            (await (await admin.SubmitFormAsync("/Admin/SocialValue", file: ("Upload", name, content))).ReadPageAsync()).ErrorSummary();
        Assert.Equal(["Row 1: the column 'Licence' is missing"],
            await Problems("p.csv", File("Measure code,£ per unit,Unit,Source,Price year,Deadweight %,Attribution %,Applies from", "volunteers,1,x,y,2026,0,100,")));
        Assert.Contains("Row 1, column K: 'Colour' is not a column this file takes; the columns are Measure code, £ per unit, Unit, Source, Licence, Price year, Deadweight %, Attribution %, Applies from, Reason",
            await Problems("p.csv", File(Header + ",Colour", "volunteers,1,x,y,z,2026,0,100,,,blue")));
        Assert.Equal(["Row 2: a quoted cell is not closed: check the quotation marks"], await Problems("p.csv", File(Header, "volunteers,1,\"x,y,z,2026,0,100,,")));
        Assert.Equal(["Select a CSV file of proxies"], await Problems("p.csv", []));
        Assert.Equal(["The selected file must be a CSV file"], await Problems("p.xlsx", File(Header)));
        Assert.Equal(before, await app.WithDbAsync(db => db.Set<ProxyVersion>().CountAsync()));
    }

    [Fact]
    public async Task Only_administrators_see_or_change_the_proxies()
    {
        foreach (var email in new[] { "officer@example.org", "panel@example.org", "finance@example.org", "applicant2@example.org" })
        {
            var client = await app.SignedInAsync(email);
            foreach (var url in new[] { "/Admin/SocialValue", "/Admin/SocialValue/Proxy?code=volunteers", "/Admin/SocialValue?handler=Template" })
                Assert.StartsWith("/Account/AccessDenied", (await client.GetAsync(url)).Headers.Location!.PathAndQuery);
        }
        // A post without the page's antiforgery token is refused, even from an administrator.
        var admin = await app.SignedInAsync("admin@example.org");
        var forged = await admin.PostAsync("/Admin/SocialValue/Proxy?code=volunteers", new FormUrlEncodedContent(new Dictionary<string, string> { ["Input.PoundsPerUnit"] = "1" }));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        // A newly registered applicant is refused too.
        var newcomer = await NewApplicant.RegisterAsync(app, "proxy.newcomer@example.net", "Proxy Newcomers");
        Assert.StartsWith("/Account/AccessDenied", (await newcomer.GetAsync("/Admin/SocialValue")).Headers.Location!.PathAndQuery);
    }
}

/// <summary>The proxy form values from today unless told otherwise (its own host: it changes a measure the award journey values).</summary>
public sealed class SocialValueProxyDateTests(GrantManagerFactory app) : IClassFixture<GrantManagerFactory>
{
    private Task<List<ProxyVersion>> VersionsAsync(string code) =>
        app.WithDbAsync(db => db.Set<ProxyVersion>().Where(v => v.MeasureCode == code).OrderBy(v => v.Version).ToListAsync());

    [Fact]
    public async Task A_figure_changed_on_the_form_as_rendered_values_from_today_and_leaves_earlier_days_as_they_were()
    {
        var admin = await app.SignedInAsync("admin@example.org");
        const string url = "/Admin/SocialValue/Proxy?code=people-supported";
        var before = Assert.Single(await VersionsAsync("people-supported"));
        var form = await admin.GetPageAsync(url);
        Assert.Equal("", ((AngleSharp.Html.Dom.IHtmlInputElement)form.QuerySelector("[name='Input.AppliesFromYear']")!).Value);

        var saved = await admin.SubmitFormAsync(url, new() { ["Input.PoundsPerUnit"] = (before.PoundsPerUnit + 5).ToString() });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var today = app.Today();
        var added = (await VersionsAsync("people-supported")).Last();
        Assert.Equal((2, before.PoundsPerUnit + 5, today), (added.Version, added.PoundsPerUnit, added.AppliesFrom));
        var book = await app.WithDbAsync(db => new SocialValueProxies(db, TimeProvider.System).BookAsync());
        Assert.Equal(before.PoundsPerUnit, book.InForce("people-supported", today.AddDays(-1))!.PoundsPerUnit);

        // Sending the same figures again from today records nothing more.
        var again = await admin.SubmitFormAsync(url);
        Assert.Equal(["Nothing has changed: change a figure to record a new version"], (await again.ReadPageAsync()).ErrorSummary());
        Assert.Equal(2, (await VersionsAsync("people-supported")).Count);
    }
}
