using System.Net;
using GrantManager.Core.Applications;
using GrantManager.Core.Grants;
using GrantManager.Core.SocialValue;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace GrantManager.Tests.SocialValue;

/// <summary>
/// A fund's social value report on hand-worked figures: two grants, returns accepted in two quarters, a proxy
/// changed part-way, a measure without a proxy; the page, the CSV, the dashboard, and who may see them.
/// </summary>
public sealed class SocialValueReportTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2027, 2, 1, 10, 0, 0, TimeSpan.Zero));
    private readonly GrantManagerFactory _app;
    private Grant _a = null!, _b = null!;

    public SocialValueReportTests() => _app = new GrantManagerFactory { Clock = _clock }.Set("Workflows:RunTimers", "false");

    public async Task InitializeAsync()
    {
        // Grant A: £3,000 to Shepway Sports Trust, serving Maidstone and Swale. Grant B: £6,000 to Swale Arts Collective, Swale only.
        // Each commits to 50 people supported and 400 volunteer hours (the journey's targets).
        _a = await _app.AwardAsync(new DateOnly(2027, 4, 1), new DateOnly(2028, 3, 31), 3000m, "applicant@example.org");
        _b = await _app.AwardAsync(new DateOnly(2027, 4, 1), new DateOnly(2028, 3, 31), 6000m, "applicant2@example.org");
        await _app.WithDbAsync(async db =>
        {
            var b = await db.Applications.SingleAsync(a => a.Id == _b.ApplicationId);
            b.SetDistricts(["Swale"]);
            // This council has set no proxy for volunteer hours: they are counted, not valued.
            await db.Set<ProxyVersion>().Where(v => v.MeasureCode == "volunteer-hours").ExecuteDeleteAsync();
            return await db.SaveChangesAsync();
        });
        // The council's own proxy for people supported: £120, 25% deadweight, 80% attribution, from 1 January 2027.
        await RecordAsync("120", "25", "80", "2027-01-01");
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task RecordAsync(string pounds, string deadweight, string attribution, string appliesFrom) => _app.WithAsync(async sp =>
        await sp.GetRequiredService<SocialValueProxies>().RecordAsync(new ProxyInput("people-supported", pounds, "person supported",
            "Kent wellbeing study 2026", "Council's own figure", "2026", deadweight, attribution, appliesFrom, null), await _app.ActorAsync("admin@example.org")));

    private async Task ReportAndAcceptAsync(Grant grant, int sequence, string applicant, int people, int hours, DateTime acceptedAt)
    {
        _clock.SetUtcNow(acceptedAt);
        var r = grant.Returns.Single(x => x.Sequence == sequence);
        await _app.SubmitReturnAsync(r.Id, GrantJourney.FullReturn(people, hours), applicant);
        var review = await _app.OpenTaskAsync(GrantWorkflows.ReturnSubject, r.Id, "review-return");
        await _app.CompleteAsync(review!.Id, "officer@example.org", new TaskCompletion("accept-report", null));
    }

    private Task<SocialValueReport> ReportAsync(DateOnly asAt) =>
        _app.WithAsync(async sp => (await sp.GetRequiredService<SocialValueReports>().ForFundAsync(_a.FundId, asAt))!);

    private async Task AcceptTheYearAsync()
    {
        // Quarter to 30 June: A reports 40 people and 100 hours to date, B 10 people and 30 hours.
        await ReportAndAcceptAsync(_a, 1, "applicant@example.org", 40, 100, new DateTime(2027, 5, 10, 12, 0, 0, DateTimeKind.Utc));
        await ReportAndAcceptAsync(_b, 1, "applicant2@example.org", 10, 30, new DateTime(2027, 5, 10, 13, 0, 0, DateTimeKind.Utc));
        // Quarter to 30 September: A reports 60 people and 250 hours to date.
        await ReportAndAcceptAsync(_a, 2, "applicant@example.org", 60, 250, new DateTime(2027, 8, 10, 12, 0, 0, DateTimeKind.Utc));
        // On 15 August the council raises the proxy to £150 from 1 July (same deadweight and attribution).
        _clock.SetUtcNow(new DateTime(2027, 8, 15, 9, 0, 0, DateTimeKind.Utc));
        await RecordAsync("150", "25", "80", "2027-07-01");
        _clock.SetUtcNow(new DateTime(2027, 10, 5, 9, 0, 0, DateTimeKind.Utc));
    }

    [Fact]
    public async Task Committed_and_achieved_are_valued_gross_and_net_by_measure_district_grant_and_quarter()
    {
        await AcceptTheYearAsync();

        // As at 30 June the £120 version is in force, and only the first returns count.
        var june = await ReportAsync(new DateOnly(2027, 6, 30));
        // A: 40 × £120 × (1 − 0.25) × 0.8 = £2,880. B: 10 × £120 × 0.75 × 0.8 = £720. Together £3,600 net; gross 50 × £120 = £6,000.
        Assert.Equal(new SocialValueFigure(6000m, 3600m), june.Achieved);
        Assert.Equal(2880m, june.Grants.Single(g => g.Reference == _a.Reference).Achieved.Net);

        // As at 30 September the £150 version (from 1 July) is in force.
        var september = await ReportAsync(new DateOnly(2027, 9, 30));
        var people = september.Measures.Single(m => m.Code == "people-supported");
        Assert.Equal((100m, 70m, 3), (people.CommittedUnits, people.AchievedUnits, people.Proxy!.Version));
        // Committed: each grant 50 × £150 = £7,500 gross; × 0.75 × 0.8 = £4,500 net. Two grants: £15,000 gross, £9,000 net.
        Assert.Equal(new SocialValueFigure(15000m, 9000m), people.Committed);
        // Achieved: A 60 × £150 × 0.75 × 0.8 = £5,400 (gross £9,000); B 10 × £150 × 0.75 × 0.8 = £900 (gross £1,500).
        Assert.Equal(new SocialValueFigure(10500m, 6300m), people.Achieved);
        Assert.Equal(new SocialValueFigure(9000m, 5400m), september.Grants.Single(g => g.Reference == _a.Reference).Achieved);
        Assert.Equal(new SocialValueFigure(1500m, 900m), september.Grants.Single(g => g.Reference == _b.Reference).Achieved);

        // Volunteer hours have no proxy: 250 + 30 = 280 hours counted, no pounds.
        var hours = september.Measures.Single(m => m.Code == "volunteer-hours");
        Assert.Equal((800m, 280m), (hours.CommittedUnits, hours.AchievedUnits));
        Assert.Null(hours.Proxy);
        Assert.Equal(default, hours.Achieved);
        Assert.Equal([("volunteer-hours", 250m)], september.Grants.Single(g => g.Reference == _a.Reference).UnvaluedAchieved);

        // £ per £ granted (£9,000): achieved £6,300 / £9,000 = £0.70; committed £9,000 / £9,000 = £1.00.
        Assert.Equal((9000m, 0.70m, 1.00m), (september.Granted, september.AchievedPerPound, september.CommittedPerPound));
        // A: £5,400 / £3,000 = £1.80. B: £900 / £6,000 = £0.15.
        Assert.Equal(1.80m, september.Grants.Single(g => g.Reference == _a.Reference).AchievedPerPound);
        Assert.Equal(0.15m, september.Grants.Single(g => g.Reference == _b.Reference).AchievedPerPound);

        // By district, A is shared equally between Maidstone and Swale.
        // Maidstone: £3,000 / 2 = £1,500 granted; £5,400 / 2 = £2,700 achieved; 60 / 2 = 30 people; £2,700 / £1,500 = £1.80 per £.
        // Swale: £1,500 + £6,000 = £7,500 granted; £2,700 + £900 = £3,600 achieved; 30 + 10 = 40 people; £3,600 / £7,500 = £0.48 per £.
        var maidstone = september.Districts.Single(d => d.District == "Maidstone");
        var swale = september.Districts.Single(d => d.District == "Swale");
        Assert.Equal((1, 1500m, 2700m, 1.80m), (maidstone.Grants, maidstone.Granted, maidstone.Achieved.Net, maidstone.AchievedPerPound));
        Assert.Equal((2, 7500m, 3600m, 0.48m), (swale.Grants, swale.Granted, swale.Achieved.Net, swale.AchievedPerPound));
        var swalePeople = september.ByDistrict.Single(d => d.District == "Swale" && d.Code == "people-supported");
        // Committed in Swale: 50 / 2 + 50 = 75 people; £4,500 / 2 + £4,500 = £6,750 net.
        Assert.Equal((75m, 40m, 6750m, 3600m), (swalePeople.CommittedUnits, swalePeople.AchievedUnits, swalePeople.Committed.Net, swalePeople.Achieved.Net));
        var swaleHours = september.ByDistrict.Single(d => d.District == "Swale" && d.Code == "volunteer-hours");
        // 250 / 2 + 30 = 155 hours, not valued.
        Assert.Equal((155m, false), (swaleHours.AchievedUnits, swaleHours.Valued));

        // Quarters, each valued with the version in force on its last day.
        // January to March: the awards (£9,000), nothing achieved yet.
        // April to June (£120): 40 + 10 = 50 people: 50 × £120 × 0.75 × 0.8 = £3,600 net, £6,000 gross; 130 hours counted.
        // July to September (£150): A grew by 60 − 40 = 20 people: 20 × £150 × 0.75 × 0.8 = £1,800 net, £3,000 gross; 150 hours counted.
        Assert.Equal(
        [
            (new DateOnly(2027, 1, 1), 9000m, new SocialValueFigure(0, 0)),
            (new DateOnly(2027, 4, 1), 0m, new SocialValueFigure(6000m, 3600m)),
            (new DateOnly(2027, 7, 1), 0m, new SocialValueFigure(3000m, 1800m)),
        ], september.Quarters.Select(q => (q.From, q.Granted, q.Achieved)));
        Assert.Equal([("volunteer-hours", 130m)], september.Quarters[1].UnvaluedAchieved);
        Assert.False(september.Illustrative);
    }

    [Fact]
    public async Task The_printable_page_and_the_CSV_give_the_same_figures_and_the_dashboard_links_to_them()
    {
        await AcceptTheYearAsync();
        var officer = await _app.SignedInAsync("officer@example.org");
        var url = $"/Staff/Funds/{_a.FundId}/SocialValue?asAt=2027-09-30";
        var page = await officer.GetPageAsync(url);
        string Text(string selector) => System.Text.RegularExpressions.Regex.Replace(page.QuerySelector(selector)!.TextContent, @"\s+", " ").Trim();
        Assert.Contains("£6,300 net, £10,500 gross", Text("#summary"));
        Assert.Contains("Each £1 granted is expected to return £1 of social value; £0.70 has been achieved so far (net)", Text("#summary"));
        var hours = Text("#by-measure tr[data-measure='volunteer-hours']");
        Assert.Contains("280", hours);
        Assert.Contains("No proxy: counted, not valued", hours);
        Assert.DoesNotContain("£", hours);
        Assert.Contains("£150 per person supported (2026 prices), less 25% deadweight, 80% attributed. Version 3", Text("#by-measure tr[data-measure='people-supported']"));
        Assert.Contains("£3,600", Text("#by-district tr[data-district='Swale']"));
        Assert.Contains("£1,800", Text("#by-quarter tr[data-quarter='2027-07-01']"));
        Assert.Null(page.QuerySelector("[data-illustrative]"));

        var csv = await officer.GetAsync($"/Staff/Funds/{_a.FundId}/SocialValue?handler=Csv&asAt=2027-09-30");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var rows = SocialValueProxies.CsvRows((await csv.Content.ReadAsStringAsync()).TrimStart('\uFEFF'), out _).Select(r => r.ToArray()).ToList();
        var header = rows[0].ToList();
        string Cell(string[] row, string column) => row[header.IndexOf(column)];
        var total = rows.Single(r => r[0] == "Total");
        Assert.Equal(("6300", "10500", "9000", "0.7"), (Cell(total, "Achieved net (£)"), Cell(total, "Achieved gross (£)"), Cell(total, "Granted (£)"), Cell(total, "Achieved net £ per £ granted")));
        var hoursRow = rows.Single(r => r[0] == "Measure" && r[1] == "volunteer-hours");
        Assert.Equal(("280", "", "No proxy: counted, not valued"), (Cell(hoursRow, "Achieved (units)"), Cell(hoursRow, "Achieved net (£)"), Cell(hoursRow, "Proxy version")));
        Assert.Equal("1800", Cell(rows.Single(r => r[0] == "Quarter" && r[1].StartsWith("2027-07-01")), "Achieved net (£)"));

        // The API gives the same figures; a measure without a proxy has no pounds.
        var json = System.Text.Json.JsonDocument.Parse(await (await _app.ApiClientAsync("officer@example.org")).GetStringAsync($"/api/funds/{_a.FundId}/social-value?asAt=2027-09-30")).RootElement;
        Assert.Equal((6300m, 10500m, 0.70m), (json.GetProperty("achieved").GetProperty("net").GetDecimal(), json.GetProperty("achieved").GetProperty("gross").GetDecimal(),
            json.GetProperty("achievedPerPound").GetDecimal()));
        var apiHours = json.GetProperty("measures").EnumerateArray().Single(m => m.GetProperty("code").GetString() == "volunteer-hours");
        Assert.Equal((280m, System.Text.Json.JsonValueKind.Null), (apiHours.GetProperty("achievedUnits").GetDecimal(), apiHours.GetProperty("achieved").ValueKind));

        // The dashboard shows the same figures (as at today), gross and net, and links to the report.
        var dashboard = await officer.GetPageAsync($"/Staff/Funds/{_a.FundId}/Dashboard");
        Assert.Contains("£6,300 net, £10,500 gross", dashboard.QuerySelector("#social-value-summary")!.TextContent);
        Assert.NotNull(dashboard.QuerySelector($"a[href='/Staff/Funds/{_a.FundId}/SocialValue']"));
    }

    [Fact]
    public async Task Only_grant_officers_and_administrators_see_the_report()
    {
        var page = $"/Staff/Funds/{_a.FundId}/SocialValue";
        var csv = page + "?handler=Csv";
        foreach (var email in new[] { "officer@example.org", "admin@example.org" })
        {
            var client = await _app.SignedInAsync(email);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(page)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(csv)).StatusCode);
        }
        // Panel members and finance officers see the dashboard's summary, not the report (nor its link); assessors neither.
        foreach (var email in new[] { "panel@example.org", "finance@example.org", "assessor@example.org" })
        {
            var client = await _app.SignedInAsync(email);
            foreach (var url in new[] { page, csv })
                Assert.StartsWith("/Account/AccessDenied", (await client.GetAsync(url)).Headers.Location!.PathAndQuery);
        }
        var panelDashboard = await (await _app.SignedInAsync("panel@example.org")).GetPageAsync($"/Staff/Funds/{_a.FundId}/Dashboard");
        Assert.NotNull(panelDashboard.QuerySelector("#social-value-summary"));
        Assert.Null(panelDashboard.QuerySelector($"a[href='{page}']"));
        // An applicant, of another organisation or of the grant holder's own, is refused.
        foreach (var email in new[] { "applicant2@example.org", "applicant@example.org" })
        {
            var client = await _app.SignedInAsync(email);
            foreach (var url in new[] { page, csv })
                Assert.StartsWith("/Account/AccessDenied", (await client.GetAsync(url)).Headers.Location!.PathAndQuery);
        }
        Assert.StartsWith("/Account/Login", (await _app.Browser().GetAsync(csv)).Headers.Location!.PathAndQuery);
        // The API answers the same: the report for grant officers and administrators, 403 for other staff and applicants, 401 without a token.
        var api = $"/api/funds/{_a.FundId}/social-value";
        Assert.Equal(HttpStatusCode.OK, (await (await _app.ApiClientAsync("officer@example.org")).GetAsync(api)).StatusCode);
        foreach (var email in new[] { "finance@example.org", "panel@example.org", "applicant2@example.org" })
            Assert.Equal(HttpStatusCode.Forbidden, (await (await _app.ApiClientAsync(email)).GetAsync(api)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _app.CreateClient().GetAsync(api)).StatusCode);
        var badDay = await (await _app.ApiClientAsync("admin@example.org")).GetAsync(api + "?asAt=31/12/2027");
        Assert.Equal(HttpStatusCode.BadRequest, badDay.StatusCode);
        Assert.Contains("asAt", await badDay.Content.ReadAsStringAsync());
        // A day that is not a date, or is still to come, is refused rather than guessed.
        var officer = await _app.SignedInAsync("officer@example.org");
        Assert.Equal(HttpStatusCode.BadRequest, (await officer.GetAsync(csv + "&asAt=2099-01-01")).StatusCode);
        Assert.Contains("Choose the day from the list", (await officer.GetPageAsync(page + "?asAt=soon")).Body!.TextContent);
    }
}
