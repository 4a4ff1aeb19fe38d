using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GrantManager.Tests.Support;

namespace GrantManager.Tests.Registers;

/// <summary>The grants register: amounts, payments so far, next report and payment, filtered and sorted, for staff who look after grants.</summary>
public sealed class GrantRegisterTests(GrantManagerFactory app) : IClassFixture<GrantManagerFactory>
{
    private DateOnly Start => app.Today().AddMonths(2);

    [Fact]
    public async Task An_officer_finds_grants_with_what_is_paid_and_what_is_next()
    {
        var first = $"grant-{Guid.NewGuid():N}@example.org";
        await NewApplicant.RegisterCharityAsync(app, first, "Sandgate Sailing Club", "1212001", "CT20 3AA");
        var small = await app.AwardAsync(Start, Start.AddMonths(11), 2000m, first);
        var second = $"grant-{Guid.NewGuid():N}@example.org";
        await NewApplicant.RegisterCharityAsync(app, second, "Sandgate Shore Cleaners", "1212002", "CT20 3AB");
        var large = await app.AwardAsync(Start, Start.AddMonths(11), 4000m, second);

        var officer = await app.SignedInAsync("officer@example.org");
        var page = await officer.GetPageAsync("/Staff/Grants?q=sandgate&sort=amount&desc=true");
        Assert.Equal("2 grants", page.QuerySelector("#register-total")!.TextContent.Trim());
        var rows = page.QuerySelectorAll("#grants tbody tr").ToList();
        Assert.Equal([large.Id.ToString(), small.Id.ToString()], rows.Select(r => r.GetAttribute("data-grant")!));
        var cells = rows[0].QuerySelectorAll("td").Select(c => c.TextContent.Trim()).ToList();
        Assert.StartsWith(large.Reference, cells[0]);
        Assert.Contains("Sandgate Shore Cleaners", cells[1]);
        Assert.Equal("£4,000", cells[2]);
        Assert.Equal("£0", cells[3]);
        var firstReport = large.Returns.OrderBy(r => r.Sequence).First();
        Assert.Contains(firstReport.Period, cells[4]);
        Assert.Equal("0", cells[5]);
        Assert.Equal("£2,000 (due)", cells[6]);
        Assert.Equal($"/Staff/Applications/{large.ApplicationId}", rows[0].QuerySelector("a")!.GetAttribute("href"));
        Assert.Equal("Active: 2", page.QuerySelector("#status-counts a[data-status=active]")!.TextContent.Trim());

        var filtered = await officer.GetPageAsync("/Staff/Grants?q=sandgate&amountTo=3000");
        Assert.Equal(small.Id.ToString(), Assert.Single(filtered.QuerySelectorAll("#grants tbody tr")).GetAttribute("data-grant"));
        Assert.Empty((await officer.GetPageAsync("/Staff/Grants?q=sandgate&late=true")).QuerySelectorAll("#grants tbody tr"));
        Assert.Equal(["Amount from must be an amount in pounds, like 2500"], (await officer.GetPageAsync("/Staff/Grants?amountFrom=lots")).ErrorSummary());
        // Awarded between: both were awarded today, so from yesterday finds both and up to the day before finds neither.
        var yesterday = app.Today().AddDays(-1);
        var since = await officer.GetPageAsync($"/Staff/Grants?q=sandgate&awardedFrom={yesterday:yyyy-MM-dd}");
        Assert.Equal(2, since.QuerySelectorAll("#grants tbody tr").Length);
        Assert.Equal(yesterday.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), since.QuerySelector("#awardedFrom")!.GetAttribute("value"));
        var before = yesterday.AddDays(-1);
        Assert.Empty((await officer.GetPageAsync($"/Staff/Grants?q=sandgate&awardedTo={before.Day}/{before.Month}/{before.Year}")).QuerySelectorAll("#grants tbody tr"));
        var wrong = await officer.GetPageAsync("/Staff/Grants?awardedFrom=soon");
        Assert.Equal(["Awarded from must be a date, like 31/3/2027"], wrong.ErrorSummary());
        Assert.Equal("soon", wrong.QuerySelector("#awardedFrom")!.GetAttribute("value"));

        var finance = await app.SignedInAsync("finance@example.org");
        Assert.Equal(2, (await finance.GetPageAsync("/Staff/Grants?q=sandgate")).QuerySelectorAll("#grants tbody tr").Length);
    }

    [Fact]
    public async Task Applicants_and_assessors_are_refused_the_grants_register()
    {
        var email = $"grant-{Guid.NewGuid():N}@example.org";
        var applicant = await NewApplicant.RegisterCharityAsync(app, email, "Seabrook Singers", "1212003", "CT21 4AA");
        Assert.StartsWith("/Account/AccessDenied", (await applicant.GetAsync("/Staff/Grants")).Headers.Location!.PathAndQuery);
        var assessor = await app.SignedInAsync("assessor@example.org");
        Assert.StartsWith("/Account/AccessDenied", (await assessor.GetAsync("/Staff/Grants")).Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task The_register_downloads_exactly_the_filtered_grants_and_the_API_pages_them_with_the_same_filters()
    {
        var risky = $"grant-{Guid.NewGuid():N}@example.org";
        await NewApplicant.RegisterCharityAsync(app, risky, "=SUM(A1) Hawkinge Harmonica Band", "1212011", "CT18 7AA");
        var small = await app.AwardAsync(Start, Start.AddMonths(11), 2100m, risky);
        var other = $"grant-{Guid.NewGuid():N}@example.org";
        await NewApplicant.RegisterCharityAsync(app, other, "Hawkinge Hedge Layers", "1212012", "CT18 7AB");
        var large = await app.AwardAsync(Start, Start.AddMonths(11), 4100m, other);

        var officer = await app.SignedInAsync("officer@example.org");
        var page = await officer.GetPageAsync("/Staff/Grants?q=hawkinge&amountTo=3000");
        Assert.StartsWith("Download this grant:", page.QuerySelector("#register-export")!.TextContent.Trim());
        var csvLink = page.QuerySelector("#register-export a[href*='handler=Csv']")!.GetAttribute("href")!;
        Assert.Contains("amountTo=3000", csvLink);
        var csv = await officer.GetAsync(csvLink);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).TrimStart('\uFEFF').Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.Equal(string.Join(",", Core.Grants.GrantRegister.ExportColumns), lines[0]);
        var row = Assert.Single(lines.Skip(1));
        Assert.StartsWith(small.Reference + ",", row);
        Assert.Contains("'=SUM(A1) Hawkinge Harmonica Band", row);
        Assert.Contains(",2100.00,0.00,", row);
        Assert.DoesNotContain(large.Reference, row);

        var xlsx = await officer.GetAsync(page.QuerySelector("#register-export a[href*='handler=Xlsx']")!.GetAttribute("href")!);
        Assert.Equal("attachment; filename=\"grants.xlsx\"", xlsx.Content.Headers.ContentDisposition!.ToString());
        using (var zip = new System.IO.Compression.ZipArchive(await xlsx.Content.ReadAsStreamAsync()))
        {
            var sheet = await new StreamReader(zip.Entries.Single(e => e.FullName.StartsWith("xl/worksheets/")).Open()).ReadToEndAsync();
            Assert.Contains(small.Reference, sheet);
            Assert.Contains("'=SUM(A1)", WebUtility.HtmlDecode(sheet));
            Assert.Contains("<v>2100</v>", sheet);
            Assert.DoesNotContain(large.Reference, sheet);
        }

        var api = await app.ApiClientAsync("officer@example.org");
        var paged = await api.GetAsync("/api/grants?q=hawkinge&sort=amount&pageSize=1");
        Assert.Equal("2", paged.Headers.GetValues("X-Total-Count").Single());
        Assert.Contains("rel=\"next\"", string.Join(",", paged.Headers.GetValues("Link")));
        Assert.Equal([small.Id], (await paged.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Select(g => g.GetProperty("id").GetInt32()));
        var next = await api.GetFromJsonAsync<JsonElement>("/api/grants?q=hawkinge&sort=amount&pageSize=1&page=2");
        Assert.Equal([large.Id], next.EnumerateArray().Select(g => g.GetProperty("id").GetInt32()));
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync("/api/grants?pageSize=201")).StatusCode);
        var bad = await api.GetAsync("/api/grants?amountFrom=lots");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("amountFrom", out _));

        // An applicant gets only their own organisation's grant, whatever they search for; an assessor none; neither the download.
        var holder = await app.ApiClientAsync(other, NewApplicant.Password);
        Assert.Equal([large.Id], (await holder.GetFromJsonAsync<JsonElement>("/api/grants?q=hawkinge")).EnumerateArray().Select(g => g.GetProperty("id").GetInt32()));
        Assert.Equal(HttpStatusCode.Forbidden, (await (await app.ApiClientAsync("assessor@example.org")).GetAsync("/api/grants")).StatusCode);
        var browser = await app.SignedInAsync(other, NewApplicant.Password);
        Assert.StartsWith("/Account/AccessDenied", (await browser.GetAsync("/Staff/Grants?handler=Csv")).Headers.Location!.PathAndQuery);
        var assessor = await app.SignedInAsync("assessor@example.org");
        Assert.StartsWith("/Account/AccessDenied", (await assessor.GetAsync("/Staff/Grants?handler=Xlsx")).Headers.Location!.PathAndQuery);
    }
}
