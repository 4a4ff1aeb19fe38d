using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GrantManager.Tests.Registers;

/// <summary>The applications register: search through the text index, filters in the address, sorting, paging and who may see it.</summary>
public sealed class ApplicationRegisterTests(GrantManagerFactory app) : IClassFixture<GrantManagerFactory>
{
    private DateOnly Start => app.Today().AddMonths(2);

    private async Task<(string Email, int Id, string Reference)> ApplyAsync(string organisation, string charityNumber, string postcode, decimal amount)
    {
        var email = $"reg-{Guid.NewGuid():N}@example.org";
        await NewApplicant.RegisterCharityAsync(app, email, organisation, charityNumber, postcode);
        var id = await app.SubmitApplicationAsync(Start, Start.AddMonths(11), amount, email);
        var reference = await app.WithDbAsync(db => db.Applications.Where(a => a.Id == id).Select(a => a.Reference).SingleAsync());
        return (email, id, reference);
    }

    private static List<int> Ids(JsonElement rows) => rows.EnumerateArray().Select(r => r.GetProperty("id").GetInt32()).ToList();

    [Fact]
    public async Task An_officer_finds_an_application_by_reference_organisation_charity_number_or_postcode()
    {
        var tenterden = await ApplyAsync("Tenterden Tea Dance Friends", "1203344", "TN30 6AB", 2400m);
        var dymchurch = await ApplyAsync("Dymchurch Dune Walkers", "1205566", "TN29 0NX", 3600m);
        var officer = await app.ApiClientAsync("officer@example.org");

        foreach (var q in new[] { tenterden.Reference, "Tenterden", "tea dance", "1203344", "TN30 6AB", "tn306ab", "tenter" })
        {
            var found = Ids(await officer.GetFromJsonAsync<JsonElement>($"/api/applications?q={Uri.EscapeDataString(q)}"));
            Assert.Contains(tenterden.Id, found);
            Assert.DoesNotContain(dymchurch.Id, found);
        }
        Assert.Empty(Ids(await officer.GetFromJsonAsync<JsonElement>("/api/applications?q=Nowhere%20Whistling%20Society")));

        // The index follows the organisation's profile as it changes.
        var applicant = await app.SignedInAsync(dymchurch.Email, NewApplicant.Password);
        await applicant.SubmitFormAsync("/Applicant/Organisation", new() { ["Input.Name"] = "Romney Marsh Ramblers" });
        Assert.Equal([dymchurch.Id], Ids(await officer.GetFromJsonAsync<JsonElement>("/api/applications?q=Romney%20Ramblers")));
        Assert.Empty(Ids(await officer.GetFromJsonAsync<JsonElement>("/api/applications?q=Dymchurch")));

        var page = await (await app.SignedInAsync("officer@example.org")).GetPageAsync($"/Staff/Applications?q={Uri.EscapeDataString(tenterden.Reference)}");
        var row = Assert.Single(page.QuerySelectorAll("#applications tbody tr"));
        Assert.Contains("Tenterden Tea Dance Friends", row.TextContent);
        Assert.Contains("£2,400", row.TextContent);
        Assert.Equal($"/Staff/Applications/{tenterden.Id}", row.QuerySelector("a")!.GetAttribute("href"));
    }

    [Fact]
    public async Task Filters_sort_and_counts_are_worked_out_over_the_whole_register_and_kept_in_the_address()
    {
        var small = await ApplyAsync("Hythe Knitting Circle", "1207001", "CT21 5AA", 1501m);
        var middle = await ApplyAsync("Hythe Men in Sheds", "1207002", "CT21 5AB", 2502m);
        var large = await ApplyAsync("Hythe Carers Hub", "1207003", "CT21 5AC", 4503m);
        var officer = await app.ApiClientAsync("officer@example.org");

        var ascending = Ids(await officer.GetFromJsonAsync<JsonElement>("/api/applications?q=hythe&sort=amount"));
        Assert.Equal([small.Id, middle.Id, large.Id], ascending);
        var descending = Ids(await officer.GetFromJsonAsync<JsonElement>("/api/applications?q=hythe&sort=amount&desc=true"));
        Assert.Equal([large.Id, middle.Id, small.Id], descending);
        Assert.Equal([middle.Id], Ids(await officer.GetFromJsonAsync<JsonElement>("/api/applications?q=hythe&amountFrom=2000&amountTo=3000")));
        var today = app.Today().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(3, Ids(await officer.GetFromJsonAsync<JsonElement>($"/api/applications?q=hythe&submittedFrom={today}&district=Swale&status=submitted&stage=eligibility")).Count);
        Assert.Empty(Ids(await officer.GetFromJsonAsync<JsonElement>("/api/applications?q=hythe&district=Dover")));
        Assert.Empty(Ids(await officer.GetFromJsonAsync<JsonElement>("/api/applications?q=hythe&status=awarded")));

        var paged = await officer.GetAsync("/api/applications?q=hythe&sort=amount&pageSize=2");
        Assert.Equal("3", paged.Headers.GetValues("X-Total-Count").Single());
        Assert.Contains("rel=\"next\"", string.Join(",", paged.Headers.GetValues("Link")));
        Assert.Contains("q=hythe", string.Join(",", paged.Headers.GetValues("Link")));

        var browser = await app.SignedInAsync("officer@example.org");
        var page = await browser.GetPageAsync("/Staff/Applications?q=hythe&sort=amount&desc=true");
        Assert.Equal("3 applications", page.QuerySelector("#register-total")!.TextContent.Trim());
        Assert.Equal(["Hythe Carers Hub", "Hythe Men in Sheds", "Hythe Knitting Circle"],
            page.QuerySelectorAll("#applications tbody tr").Select(r => r.Children[3].TextContent.Trim()));
        Assert.Equal("Submitted: 3", page.QuerySelector("#status-counts a[data-status=submitted]")!.TextContent.Trim());
        // The filter form carries the search and the sort, so applying another filter keeps them.
        Assert.Equal("hythe", page.QuerySelector("input[name=q]")!.GetAttribute("value"));
        var resort = page.QuerySelectorAll("th a.app-sort").First(a => a.TextContent.StartsWith("Requested")).GetAttribute("href")!;
        var resorted = await browser.GetPageAsync(resort);
        Assert.Equal("Hythe Knitting Circle", resorted.QuerySelectorAll("#applications tbody tr")[0].Children[3].TextContent.Trim());
    }

    [Fact]
    public async Task A_filter_that_cannot_be_read_is_named()
    {
        var browser = await app.SignedInAsync("officer@example.org");
        var page = await browser.GetPageAsync("/Staff/Applications?amountFrom=lots&submittedTo=someday");
        Assert.Equal(["Amount from must be an amount in pounds, like 2500", "Submitted to must be a date, like 31/3/2027"], page.ErrorSummary());
        Assert.Equal("lots", page.QuerySelector("#amountFrom")!.GetAttribute("value"));

        var api = await app.ApiClientAsync("officer@example.org");
        var response = await api.GetAsync("/api/applications?amountFrom=lots&sort=colour");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("amountFrom", out _));
        Assert.True(errors.TryGetProperty("sort", out _));
    }

    [Fact]
    public async Task A_filter_naming_nothing_there_is_or_a_search_with_no_letters_is_named_and_the_rest_kept()
    {
        var mine = await ApplyAsync("Capel Cricket Club", "1209101", "CT18 7AA", 1500m);
        var browser = await app.SignedInAsync("officer@example.org");
        var page = await browser.GetPageAsync("/Staff/Applications?fundId=9999&stage=nosuch&district=Narnia&assignedTo=nobody&amountFrom=1400&amountTo=1600");
        Assert.Equal(["District must be chosen from the list", "Fund must be chosen from the list", "Stage must be chosen from the list", "Task taken by must be chosen from the list"],
            page.ErrorSummary().Order(StringComparer.Ordinal));
        // The filters that could be used still are: the list is not silently empty.
        Assert.Contains(page.QuerySelectorAll("#applications tbody tr"), r => r.TextContent.Contains(mine.Reference, StringComparison.Ordinal));

        var wildcard = await browser.GetPageAsync("/Staff/Applications?q=%25");
        Assert.Equal(["Search must include a letter or a number"], wildcard.ErrorSummary());
        Assert.Equal("#q", wildcard.QuerySelector(".govuk-error-summary__list a")!.GetAttribute("href"));
        var grants = await browser.GetPageAsync("/Staff/Grants?fundId=9999&district=Narnia&q=_");
        Assert.Equal(["District must be chosen from the list", "Fund must be chosen from the list", "Search must include a letter or a number"],
            grants.ErrorSummary().Order(StringComparer.Ordinal));

        var api = await app.ApiClientAsync("officer@example.org");
        var response = await api.GetAsync("/api/applications?q=%25");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("q", out _));
    }

    [Fact]
    public async Task The_register_downloads_exactly_the_filtered_list_as_CSV_and_XLSX_with_formulas_neutralised()
    {
        var risky = await ApplyAsync("=HYPERLINK(\"http://x\") Sandgate Singers", "1209001", "CT20 3AA", 1750m);
        var other = await ApplyAsync("Sandgate Surf Lifesavers", "1209002", "CT20 3AB", 2250m);
        var officer = await app.SignedInAsync("officer@example.org");
        var page = await officer.GetPageAsync("/Staff/Applications?q=singers");
        Assert.StartsWith("Download this application:", page.QuerySelector("#register-export")!.TextContent.Trim());
        var csvLink = page.QuerySelector("#register-export a[href*='handler=Csv']")!.GetAttribute("href")!;
        Assert.Contains("q=singers", csvLink);

        var csv = await officer.GetAsync(csvLink);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).TrimStart('\uFEFF').Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.Equal(string.Join(",", GrantManager.Core.Applications.RegisterExport.Columns), lines[0]);
        var row = Assert.Single(lines.Skip(1));
        Assert.StartsWith(risky.Reference + ",", row);
        Assert.Contains("\"'=HYPERLINK(\"\"http://x\"\") Sandgate Singers\"", row);
        Assert.Contains(",1750.00,", row);
        Assert.DoesNotContain(other.Reference, row);

        var xlsx = await officer.GetAsync(page.QuerySelector("#register-export a[href*='handler=Xlsx']")!.GetAttribute("href")!);
        Assert.Equal("attachment; filename=\"applications.xlsx\"", xlsx.Content.Headers.ContentDisposition!.ToString());
        using var zip = new System.IO.Compression.ZipArchive(await xlsx.Content.ReadAsStreamAsync());
        var sheet = await new StreamReader(zip.Entries.Single(e => e.FullName.StartsWith("xl/worksheets/")).Open()).ReadToEndAsync();
        Assert.Contains(risky.Reference, sheet);
        Assert.Contains("'=HYPERLINK", System.Net.WebUtility.HtmlDecode(sheet));
        Assert.DoesNotContain(other.Reference, sheet);

        // Nobody else's list: an applicant is refused the download as they are the register.
        var applicant = await app.SignedInAsync(risky.Email, NewApplicant.Password);
        Assert.StartsWith("/Account/AccessDenied", (await applicant.GetAsync("/Staff/Applications?handler=Csv")).Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task The_export_gives_every_filtered_row_once_in_order_across_its_batches_and_each_page_matches_it()
    {
        // Ties on the amount, so the order across a batch boundary rests on the id as well as the sort key.
        var made = new List<int>();
        foreach (var (name, number, amount) in new[] { ("Whitfield Wheels Club", "1213001", 1500m), ("Whitfield Walkers", "1213002", 2000m),
                     ("Whitfield Weavers", "1213003", 1500m), ("Whitfield Wardens", "1213004", 2000m), ("Whitfield Warblers", "1213005", 1500m) })
            made.Add((await ApplyAsync(name, number, "CT16 3AA", amount)).Id);
        var drafts = await app.WithDbAsync(db => db.Applications.Where(a => made.Contains(a.Id) && a.WorkflowState == null).CountAsync());
        Assert.Equal(0, drafts);

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GrantManager.Core.Data.GrantDbContext>();
        var registry = scope.ServiceProvider.GetRequiredService<GrantManager.Core.Workflows.WorkflowRegistry>();
        var register = new GrantManager.Core.Applications.ApplicationRegister(db, registry, scope.ServiceProvider.GetRequiredService<GrantManager.Core.Applications.IAwardedApplications>()) { ExportBatch = 2 };
        var officer = new GrantManager.Core.Workflows.Actor("officer", "Officer", new HashSet<string> { GrantManager.Core.Data.Roles.GrantOfficer });
        foreach (var filter in new[]
                 {
                     new GrantManager.Core.Applications.RegisterFilter { Q = "whitfield", Sort = "amount", Descending = true },
                     new GrantManager.Core.Applications.RegisterFilter { Q = "whitfield", Sort = "amount" },
                     new GrantManager.Core.Applications.RegisterFilter { Q = "whitfield" },
                 })
        {
            var expected = made.Select((id, i) => (Id: id, Amount: new[] { 1500m, 2000m, 1500m, 2000m, 1500m }[i])).ToList();
            var order = filter.Sort == "amount"
                ? (filter.Descending == true ? expected.OrderByDescending(x => x.Amount).ThenByDescending(x => x.Id) : expected.OrderBy(x => x.Amount).ThenBy(x => x.Id))
                : expected.OrderByDescending(x => x.Id);
            var exported = new List<int>();
            await foreach (var row in register.AllAsync(officer, filter)) exported.Add(row.Id);
            Assert.Equal(order.Select(x => x.Id), exported);

            // Pages of two: the first, the middle and the last (read from the far end) join up to the same list.
            var pages = new List<int>();
            for (var page = 1; page <= 3; page++)
            {
                var result = await register.PageAsync(officer, filter, page, pageSize: 2);
                Assert.Equal(5, result.Total);
                Assert.Equal(5, result.StatusCounts.GetValueOrDefault("submitted"));
                pages.AddRange(result.Rows.Select(r => r.Id));
            }
            Assert.Equal(exported, pages);
        }
    }

    [Fact]
    public async Task Applicants_see_only_their_own_organisation_and_assessors_are_refused()
    {
        var mine = await ApplyAsync("Lydd Lunch Club", "1208001", "TN29 9AA", 2000m);
        var theirs = await ApplyAsync("Lydd Litter Pickers", "1208002", "TN29 9AB", 2000m);
        var applicant = await app.ApiClientAsync(mine.Email, NewApplicant.Password);
        Assert.Equal([mine.Id], Ids(await applicant.GetFromJsonAsync<JsonElement>("/api/applications")));
        Assert.Empty(Ids(await applicant.GetFromJsonAsync<JsonElement>("/api/applications?q=Litter")));
        Assert.DoesNotContain(theirs.Id, Ids(await applicant.GetFromJsonAsync<JsonElement>("/api/applications?q=lydd")));

        var applicantPages = await app.SignedInAsync(mine.Email, NewApplicant.Password);
        Assert.StartsWith("/Account/AccessDenied", (await applicantPages.GetAsync("/Staff/Applications")).Headers.Location!.PathAndQuery);

        var assessor = await app.ApiClientAsync("assessor@example.org");
        Assert.Equal(HttpStatusCode.Forbidden, (await assessor.GetAsync("/api/applications")).StatusCode);
        var assessorPages = await app.SignedInAsync("assessor@example.org");
        Assert.StartsWith("/Account/AccessDenied", (await assessorPages.GetAsync("/Staff/Applications")).Headers.Location!.PathAndQuery);

        var officer = Ids(await (await app.ApiClientAsync("officer@example.org")).GetFromJsonAsync<JsonElement>("/api/applications?q=lydd"));
        Assert.Contains(mine.Id, officer);
        Assert.Contains(theirs.Id, officer);
        // Finance and the panel see what their work needs, as on the case file: not applications still being assessed.
        foreach (var staff in new[] { "finance@example.org", "panel@example.org" })
            Assert.Empty(Ids(await (await app.ApiClientAsync(staff)).GetFromJsonAsync<JsonElement>("/api/applications?q=lydd")));
        // Once it is a grant, finance finds it.
        var grant = await app.AwardAsync(Start, Start.AddMonths(11), 2000m, mine.Email);
        var finance = Ids(await (await app.ApiClientAsync("finance@example.org")).GetFromJsonAsync<JsonElement>("/api/applications"));
        Assert.Contains(grant.ApplicationId, finance);
        Assert.DoesNotContain(theirs.Id, finance);
    }

    [Fact]
    public async Task Sorting_by_status_follows_the_workflow_from_draft_to_award_not_the_states_names()
    {
        var fundId = (await app.CreateFundAsync("SORTS")).Id;
        var email = await app.CreateApplicantAsync("Snargate Saxophone Quartet");
        var awarded = await app.CreateApplicationAsync(a => a.By(email).ToFund("SORTS").Asking(2100m).Awarded());
        var deciding = await app.CreateApplicationAsync(a => a.By(email).ToFund("SORTS").Asking(2200m).Assessed());
        var checking = await app.CreateApplicationAsync(a => a.By(email).ToFund("SORTS").Asking(2300m).Submitted());
        var draft = await app.CreateApplicationAsync(a => a.By(email).ToFund("SORTS").Asking(2400m));
        var officer = await app.ApiClientAsync("officer@example.org");

        Assert.Equal([draft.Id, checking.Id, deciding.Id, awarded.Id], Ids(await officer.GetFromJsonAsync<JsonElement>($"/api/applications?fundId={fundId}&sort=status")));
        Assert.Equal([awarded.Id, deciding.Id, checking.Id, draft.Id], Ids(await officer.GetFromJsonAsync<JsonElement>($"/api/applications?fundId={fundId}&sort=status&desc=true")));
        var page = await (await app.SignedInAsync("officer@example.org")).GetPageAsync($"/Staff/Applications?fundId={fundId}&sort=status");
        Assert.Equal([draft.Reference, checking.Reference, deciding.Reference, awarded.Reference],
            page.QuerySelectorAll("#applications tbody tr").Select(r => r.QuerySelector("a")!.TextContent.Trim()));
    }

    [Fact]
    public async Task A_page_number_that_is_not_a_page_is_named_not_quietly_replaced()
    {
        await ApplyAsync("Folkestone Fiddlers", "1209101", "CT20 1AA", 1200m);
        var browser = await app.SignedInAsync("officer@example.org");
        foreach (var list in new[] { "/Staff/Applications", "/Staff/Grants", "/Staff/Inbox" })
        {
            foreach (var bad in new[] { "0", "-1", "two", "1.5" })
                Assert.Equal([$"‘{bad}’ is not a page number: showing page 1"], (await browser.GetPageAsync($"{list}?pageNumber={bad}")).ErrorSummary());
            var past = await browser.GetPageAsync($"{list}?pageNumber=100000");
            Assert.Single(past.ErrorSummary(), e => e.StartsWith("There is no page 100000: there ") && e.EndsWith(", so the last is shown"));
            Assert.Empty((await browser.GetPageAsync(list)).ErrorSummary());
        }
    }

    [Fact]
    public async Task Staff_read_the_applicants_answers_under_headings_that_do_not_say_your()
    {
        var (email, id, _) = await ApplyAsync("Cheriton Chess Club", "1209102", "CT19 4AA", 1300m);
        var file = await (await app.SignedInAsync("officer@example.org")).GetPageAsync($"/Staff/Applications/{id}");
        var headings = file.QuerySelectorAll("h2, h3").Select(h => h.TextContent.Trim()).ToList();
        Assert.Contains("The organisation", headings);
        Assert.DoesNotContain("Your organisation", headings);
        var own = await (await app.SignedInAsync(email, NewApplicant.Password)).GetPageAsync($"/Applicant/Applications/{id}");
        Assert.Contains("Your organisation", own.QuerySelectorAll("h2, h3").Select(h => h.TextContent.Trim()));
    }
}
