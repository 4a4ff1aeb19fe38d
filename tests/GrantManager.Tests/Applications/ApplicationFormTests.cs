using System.Net;
using System.Net.Http.Json;
using GrantManager.Core.Configuration;
using GrantManager.Core.Organisations;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Tests.Applications;

/// <summary>
/// The application form as a group nobody seeded meets it: each page posted exactly as rendered,
/// every value checked in the database, every problem shown at once with what was typed kept.
/// </summary>
public sealed class ApplicationFormTests(GrantManagerFactory app) : IClassFixture<GrantManagerFactory>
{
    private static int _people;
    private static string NewEmail() => $"newcomer{Interlocked.Increment(ref _people)}@example.net";

    private async Task<int> FundIdAsync() => await app.WithDbAsync(db => db.Funds.Where(f => f.Code == "LWK").Select(f => f.Id).SingleAsync());

    private DateOnly Today => app.Today();

    /// <summary>Answers the eligibility questions as rendered and returns the new draft's address.</summary>
    private async Task<string> StartAsync(HttpClient client)
    {
        var apply = $"/Applicant/Apply?fund={await FundIdAsync()}";
        var started = await client.SubmitFormAsync(apply, new()
        {
            ["Input.InKent"] = "true", ["Input.Community"] = "true", ["Input.TwelveMonths"] = "true", ["Input.Wellbeing"] = "true",
        });
        Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);
        return started.Headers.Location!.OriginalString;
    }

    [Fact]
    public async Task A_new_group_completes_its_profile_through_the_rendered_form_and_every_value_is_stored()
    {
        var email = NewEmail();
        var client = await NewApplicant.RegisterAsync(app, email, "Deal Wellbeing Walkers", type: "UnregisteredGroup");
        var draft = await StartAsync(client);
        var id = int.Parse(draft.Split('/').Last());

        // Submitting with no profile sends the person to the profile, not to the top of the page.
        var refused = await (await client.SubmitFormAsync($"{draft}/Submit", new() { ["Declaration"] = "true" })).ReadPageAsync();
        var links = refused.QuerySelectorAll(".govuk-error-summary__list a").Select(a => (a.TextContent.Trim(), a.GetAttribute("href"))).ToList();
        Assert.Contains(links, l => l.Item1.StartsWith("Complete your organisation") && l.Item2 == $"/Applicant/Organisation?application={id}");
        Assert.Contains(links, l => l.Item2 == $"{draft}/Project#Input_ProjectTitle");

        var saved = await client.SubmitFormAsync($"/Applicant/Organisation?application={id}", new()
        {
            ["Input.Name"] = "Deal Wellbeing Walkers CIC", ["Input.OrganisationType"] = "CommunityInterestCompany", ["Input.CharityNumber"] = "",
            ["Input.CompanyNumber"] = "1234567", ["Input.AddressLine1"] = "4 Beach Street", ["Input.AddressLine2"] = "Upstairs",
            ["Input.Town"] = "Deal", ["Input.Postcode"] = "ct14 6hy", ["Input.ContactName"] = "Priya Newcomer",
            ["Input.ContactEmail"] = "walks@deal.example", ["Input.ContactPhone"] = "01304 123456",
        });
        Assert.Equal(draft, saved.Headers.Location!.OriginalString);
        var organisation = await app.WithDbAsync(db => db.Organisations.SingleAsync(o => o.Name == "Deal Wellbeing Walkers CIC"));
        Assert.Equal(OrganisationType.CommunityInterestCompany, organisation.Type);
        Assert.Equal(("01234567", "4 Beach Street", "Upstairs", "Deal", "CT14 6HY"),
            (organisation.CompanyNumber, organisation.AddressLine1, organisation.AddressLine2, organisation.Town, organisation.Postcode));
        Assert.Equal(("Priya Newcomer", "walks@deal.example", "01304 123456"), (organisation.ContactName, organisation.ContactEmail, organisation.ContactPhone));
        var page = await client.GetPageAsync("/Applicant/Organisation");
        Assert.Equal("checked", page.QuerySelector("input[name='Input.OrganisationType'][value=CommunityInterestCompany]")!.GetAttribute("checked"));
    }

    [Fact]
    public async Task A_date_typed_in_part_names_the_parts_missing_and_marks_only_those_fields()
    {
        var client = await NewApplicant.RegisterAsync(app, NewEmail(), "Hythe Knit and Natter");
        var draft = await StartAsync(client);
        var response = await client.SubmitFormAsync($"{draft}/Project", new()
        {
            ["Input.ProjectTitle"] = "Knitting for the lifeboat crews",
            ["Input.StartDay"] = "1", ["Input.StartMonth"] = "", ["Input.StartYear"] = $"{Today.Year + 1}",
            ["Input.EndDay"] = "", ["Input.EndMonth"] = "6", ["Input.EndYear"] = "",
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.ReadPageAsync();
        var links = page.QuerySelectorAll(".govuk-error-summary__list a").Select(a => (a.TextContent.Trim(), a.GetAttribute("href"))).ToList();
        Assert.Equal([("The start date must include a month", "#Input_StartMonth"), ("The end date must include a day and year", "#Input_EndDay")], links);
        Assert.Equal("The start date must include a month", page.QuerySelector("#Input_StartDay-error")!.TextContent.Replace("Error:", "").Trim());
        // Only the parts left blank are marked; what was typed stays in its field.
        Assert.Equal(["Input_StartMonth", "Input_EndDay", "Input_EndYear"], page.QuerySelectorAll("input.govuk-input--error").Select(i => i.Id!).ToList());
        Assert.Equal(("1", "6"), (page.QuerySelector("#Input_StartDay")!.GetAttribute("value"), page.QuerySelector("#Input_EndMonth")!.GetAttribute("value")));
        // The title had no problem, so it is saved; the dates are not.
        var id = int.Parse(draft.Split('/').Last());
        var stored = await app.WithDbAsync(db => db.Applications.SingleAsync(a => a.Id == id));
        Assert.Equal(("Knitting for the lifeboat crews", (DateOnly?)null, (DateOnly?)null), (stored.ProjectTitle, stored.StartDate, stored.EndDate));
    }

    [Fact]
    public async Task The_project_page_shows_every_problem_at_once_keeps_what_was_typed_and_saves_the_rest()
    {
        var client = await NewApplicant.RegisterAsync(app, NewEmail(), "Sandwich Men's Shed");
        var draft = await StartAsync(client);
        var past = Today.AddMonths(-3);
        var response = await client.SubmitFormAsync($"{draft}/Project", new()
        {
            ["Input.ProjectTitle"] = new string('T', 151), ["Input.ProjectSummary"] = "Weekly woodwork for men living alone",
            ["Input.Innovation"] = "Peer mentors from the shed", ["Input.Beneficiaries"] = "40 older men", ["Input.Districts"] = "Dover|Thanet",
            ["Input.StartDay"] = past.Day.ToString(), ["Input.StartMonth"] = past.Month.ToString(), ["Input.StartYear"] = past.Year.ToString(),
            ["Input.EndDay"] = "31", ["Input.EndMonth"] = "2", ["Input.EndYear"] = "2028",
        });
        var page = await response.ReadPageAsync();
        var errors = page.ErrorSummary();
        Assert.Contains("Project title must be 150 characters or fewer", errors);
        Assert.Contains("The end date must be a real date, like 31 3 2028", errors);
        Assert.Contains(errors, e => e.StartsWith("The start date must be today or later"));
        Assert.Equal(new string('T', 151), page.QuerySelector("#Input_ProjectTitle")!.GetAttribute("value"));
        Assert.Equal("31", page.QuerySelector("#Input_EndDay")!.GetAttribute("value"));
        Assert.NotNull(page.QuerySelector(".govuk-character-count[data-maxlength='3000'] #Input_ProjectSummary"));

        // What had no problem is kept, so leaving now loses nothing that was right.
        var id = int.Parse(draft.Split('/').Last());
        var stored = await app.WithDbAsync(db => db.Applications.SingleAsync(a => a.Id == id));
        Assert.Equal(("Weekly woodwork for men living alone", "Peer mentors from the shed", "40 older men", "Dover|Thanet"),
            (stored.ProjectSummary, stored.Innovation, stored.Beneficiaries, string.Join("|", stored.DistrictList)));
        Assert.Null(stored.ProjectTitle);
        Assert.Null(stored.StartDate);

        var start = Today.AddMonths(2);
        var end = start.AddMonths(11);
        var fixedUp = await client.SubmitFormAsync($"{draft}/Project", new()
        {
            ["Input.ProjectTitle"] = "Shed Together",
            ["Input.StartDay"] = start.Day.ToString(), ["Input.StartMonth"] = start.Month.ToString(), ["Input.StartYear"] = start.Year.ToString(),
            ["Input.EndDay"] = end.Day.ToString(), ["Input.EndMonth"] = end.Month.ToString(), ["Input.EndYear"] = end.Year.ToString(),
        });
        Assert.Equal(draft, fixedUp.Headers.Location!.OriginalString);
        stored = await app.WithDbAsync(db => db.Applications.SingleAsync(a => a.Id == id));
        Assert.Equal(("Shed Together", start, end), (stored.ProjectTitle, stored.StartDate, stored.EndDate));
        Assert.Equal("Weekly woodwork for men living alone", stored.ProjectSummary);
    }

    [Fact]
    public async Task Outcomes_keep_what_was_typed_and_refuse_numbers_beyond_any_project()
    {
        var client = await NewApplicant.RegisterAsync(app, NewEmail(), "Faversham Listening Post");
        var draft = await StartAsync(client);
        var form = await client.GetPageAsync($"{draft}/Outcomes");
        var fields = form.QuerySelectorAll("main form input[type=text]").Select(i => i.GetAttribute("name")!).ToList();
        Assert.True(fields.Count >= 2);

        var page = await (await client.SubmitFormAsync($"{draft}/Outcomes", new() { [fields[0]] = "lots", [fields[1]] = new string('9', 20) })).ReadPageAsync();
        Assert.Equal(2, page.ErrorSummary().Count);
        Assert.Contains(page.ErrorSummary(), e => e.EndsWith("the target must be 10,000,000 or less"));
        Assert.Equal("lots", page.QuerySelector($"input[name='{fields[0]}']")!.GetAttribute("value"));
        Assert.Equal(new string('9', 20), page.QuerySelector($"input[name='{fields[1]}']")!.GetAttribute("value"));

        var saved = await client.SubmitFormAsync($"{draft}/Outcomes", new() { [fields[0]] = "120", [fields[1]] = "1,500" });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var id = int.Parse(draft.Split('/').Last());
        var targets = await app.WithDbAsync(db => db.Applications.Where(a => a.Id == id).SelectMany(a => a.Outcomes).OrderBy(o => o.Id).Select(o => o.Target).ToListAsync());
        Assert.Equal([120m, 1500m], targets);
    }

    [Fact]
    public async Task The_project_page_sent_empty_says_so_and_a_saved_page_says_it_was_saved()
    {
        var client = await NewApplicant.RegisterAsync(app, NewEmail(), "Sandwich Sing Along");
        var draft = await StartAsync(client);
        var empty = await (await client.SubmitFormAsync($"{draft}/Project")).ReadPageAsync();
        Assert.Equal(["Answer at least one question to save this page, starting with the project title, or go back to your application to answer later"], empty.ErrorSummary());

        var saved = await client.SubmitFormAsync($"{draft}/Project", new() { ["Input.ProjectTitle"] = "Singing for breath" });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var list = await client.GetPageAsync(saved.Headers.Location!.OriginalString);
        Assert.Equal("Your project answers have been saved", list.QuerySelector(".govuk-notification-banner__heading")?.TextContent.Trim());
        Assert.Contains("In progress", list.GetElementById(list.QuerySelectorAll(".govuk-task-list__link").First(l => l.TextContent.Contains("Your project")).GetAttribute("aria-describedby")!.Split(' ').Last())?.TextContent);
        var id = int.Parse(draft.Split('/').Last());
        Assert.Equal("Singing for breath", await app.WithDbAsync(db => db.Applications.Where(a => a.Id == id).Select(a => a.ProjectTitle).SingleAsync()));
    }

    [Fact]
    public async Task A_target_counted_in_pounds_has_a_pound_sign_takes_pounds_as_typed_and_asks_for_an_amount()
    {
        var client = await NewApplicant.RegisterAsync(app, NewEmail(), "Deal Repair Cafe");
        var draft = await StartAsync(client);
        var form = await client.GetPageAsync($"{draft}/Outcomes");
        var label = form.QuerySelectorAll("main form label").Single(l => l.TextContent.Contains("(pounds)"));
        var field = form.GetElementById(label.GetAttribute("for")!)!;
        Assert.Equal("£", field.ParentElement!.QuerySelector(".govuk-input__prefix")?.TextContent);

        var wrong = await (await client.SubmitFormAsync($"{draft}/Outcomes", new() { [field.GetAttribute("name")!] = "lots" })).ReadPageAsync();
        Assert.Equal([$"{label.TextContent.Replace(" (pounds)", "")}: enter an amount in pounds more than 0, like £1,500.50, or leave it blank"], wrong.ErrorSummary());

        var saved = await client.SubmitFormAsync($"{draft}/Outcomes", new() { [field.GetAttribute("name")!] = "£1,500.50" });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var id = int.Parse(draft.Split('/').Last());
        Assert.Equal(1500.50m, await app.WithDbAsync(db => db.Applications.Where(a => a.Id == id).SelectMany(a => a.Outcomes).Select(o => o.Target).SingleAsync()));
    }

    [Fact]
    public async Task Every_field_wrong_on_the_outcomes_and_eligibility_pages_is_listed_in_the_order_the_page_asks()
    {
        var client = await NewApplicant.RegisterAsync(app, NewEmail(), "Whitstable Wellbeing Walks");
        var eligibility = await (await client.SubmitFormAsync($"/Applicant/Apply?fund={await FundIdAsync()}", new())).ReadPageAsync();
        AssertInPageOrder(eligibility, 4);

        var draft = await StartAsync(client);
        var form = await client.GetPageAsync($"{draft}/Outcomes");
        var fields = form.QuerySelectorAll("main form input[type=text]").Select(i => i.GetAttribute("name")!).ToList();
        var page = await (await client.SubmitFormAsync($"{draft}/Outcomes", fields.ToDictionary(f => f, _ => "lots"))).ReadPageAsync();
        AssertInPageOrder(page, fields.Count);
    }

    /// <summary>The error summary's links go down the page: each field it names comes after the one before.</summary>
    private static void AssertInPageOrder(AngleSharp.Html.Dom.IHtmlDocument page, int expected)
    {
        var targets = page.QuerySelectorAll(".govuk-error-summary__list a").Select(a => a.GetAttribute("href")![1..]).ToList();
        Assert.Equal(expected, targets.Count);
        var all = page.All.ToList();
        var positions = targets.Select(id => all.IndexOf(page.GetElementById(id) ?? throw new Xunit.Sdk.XunitException($"No field #{id} on the page"))).ToList();
        Assert.Equal(positions.Order(), positions);
    }

    [Fact]
    public async Task The_budget_reads_pounds_as_typed_warns_rather_than_congratulates_and_refuses_impossible_amounts()
    {
        var client = await NewApplicant.RegisterAsync(app, NewEmail(), "Herne Bay Cuppa Club");
        var draft = await StartAsync(client);
        var id = int.Parse(draft.Split('/').Last());

        var tooBig = await (await client.SubmitFormAsync($"{draft}/Budget", new()
        {
            ["Input.AmountRequested"] = "93000000000000000", ["Input.Lines[0].Item"] = "Hall hire", ["Input.Lines[0].Amount"] = "1e20",
            ["Input.Lines[1].Item"] = "Tea", ["Input.Lines[1].Amount"] = "12.345",
        })).ReadPageAsync();
        var errors = tooBig.ErrorSummary();
        Assert.True(errors.Count > 0, tooBig.Title + tooBig.QuerySelector("main")?.TextContent);
        Assert.Contains("The amount you are asking for must be £1,000,000,000 or less", errors);
        Assert.Contains("Budget line 1: the amount must be in pounds, like 4,500 or 4,500.50", errors);
        Assert.Contains("Budget line 2: the amount must be in pounds and pence, with no more than 2 decimal places", errors);
        Assert.Equal("1e20", tooBig.QuerySelector("#Input_Lines_0__Amount")!.GetAttribute("value"));

        var saved = await client.SubmitFormAsync($"{draft}/Budget", new()
        {
            ["Input.AmountRequested"] = "£4,500.50", ["Input.Lines[0].Item"] = "Hall hire", ["Input.Lines[0].Amount"] = "4000",
            ["Input.Lines[1].Item"] = "Tea and biscuits", ["Input.Lines[1].Amount"] = "400.5",
        });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var page = await client.GetPageAsync(saved.Headers.Location!.OriginalString);
        Assert.Equal("4,500.50", page.QuerySelector("#Input_AmountRequested")!.GetAttribute("value"));
        Assert.Equal("400.50", page.QuerySelector("#Input_Lines_1__Amount")!.GetAttribute("value"));
        var warning = page.QuerySelector(".govuk-warning-text")!.TextContent;
        Assert.Contains("the lines add up to £4,400.50 and you are asking for £4,500.50", warning);
        Assert.Null(page.QuerySelector(".govuk-notification-banner--success"));
        var budget = await app.WithDbAsync(db => db.Applications.Where(a => a.Id == id).Select(a => new { a.AmountRequested, Lines = a.Budget.OrderBy(l => l.Id).Select(l => new { l.Item, l.Amount }).ToList() }).SingleAsync());
        Assert.Equal(4500.50m, budget.AmountRequested);
        Assert.Equal([("Hall hire", 4000m), ("Tea and biscuits", 400.5m)], budget.Lines.Select(l => (l.Item, l.Amount)));
    }

    [Fact]
    public async Task Going_back_and_continuing_again_resumes_the_same_draft_and_a_draft_can_be_deleted()
    {
        var email = NewEmail();
        var client = await NewApplicant.RegisterAsync(app, email, "Minster Knit and Natter");
        var first = await StartAsync(client);
        var second = await StartAsync(client);
        Assert.Equal(first, second);
        var userId = await app.WithDbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync());
        Assert.Equal(1, await app.WithDbAsync(db => db.Applications.CountAsync(a => a.CreatedById == userId)));

        // Another organisation cannot delete it, or even learn it exists.
        var other = await app.SignedInAsync("applicant2@example.org");
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"{first}/Delete")).StatusCode);

        var confirm = await client.GetPageAsync($"{first}/Delete");
        Assert.Equal("Are you sure you want to delete this draft?", confirm.QuerySelector("h1")!.TextContent.Trim());
        var deleted = await client.SubmitFormAsync($"{first}/Delete");
        Assert.Equal("/Applicant", deleted.Headers.Location!.OriginalString);
        Assert.Equal(0, await app.WithDbAsync(db => db.Applications.CountAsync(a => a.CreatedById == userId)));
    }

    [Fact]
    public async Task The_closing_date_is_the_last_day_applications_are_accepted_everywhere()
    {
        // A round an administrator sets to close after 28 February: its cut-off is 00:00 on 1 March
        // (of a coming year that is not a leap year, so the last day is the 28th whatever year it is now).
        var fundId = await FundIdAsync();
        var year = Enumerable.Range(Today.Year + 1, 4).First(y => !DateTime.IsLeapYear(y));
        var closes = UkTime.StartOfDay(new DateOnly(year, 3, 1));
        await app.WithDbAsync(async db =>
        {
            var round = await db.Rounds.Where(r => r.FundId == fundId).OrderBy(r => r.Id).FirstAsync();
            round.ClosesAt = closes;
            return await db.SaveChangesAsync();
        });
        var lastDay = $"28 February {year}";
        var start = (await app.Browser().GetPageAsync("/")).QuerySelector("main")!.TextContent;
        Assert.Contains(lastDay, start);
        Assert.DoesNotContain($"1 March {year}", start);
        var applicant = await app.SignedInAsync("applicant@example.org");
        Assert.Contains(lastDay, (await applicant.GetPageAsync("/Applicant")).QuerySelector("main")!.TextContent);
        var officer = await app.SignedInAsync("officer@example.org");
        Assert.Contains(lastDay, (await officer.GetPageAsync("/Staff")).QuerySelector("main")!.TextContent);
        var funds = await (await app.ApiClientAsync("applicant@example.org")).GetFromJsonAsync<List<FundView>>("/api/funds");
        Assert.Equal(new DateOnly(year, 2, 28), funds!.Single(f => f.Id == fundId).LastDay);
    }

    private sealed record FundView(int Id, DateOnly LastDay);

    [Fact]
    public async Task The_API_names_the_field_for_impossible_dates_amounts_and_empty_list_entries()
    {
        var api = await app.ApiClientAsync("applicant@example.org");
        var created = await api.PostAsJsonAsync("/api/applications", new { fundId = await FundIdAsync() });
        created.EnsureSuccessStatusCode();
        var location = created.Headers.Location!.OriginalString;
        foreach (var (body, field) in new (object Body, string Field)[]
        {
            (new { startDate = "9999-12-31" }, "startDate"),
            (new { startDate = "0001-01-01" }, "startDate"),
            (new { budget = new object?[] { null } }, "budget[0]"),
            (new { outcomes = new object?[] { null } }, "outcomes[0]"),
            (new { budget = new[] { new { item = "Hall", amount = 93000000000000000m } } }, "budget[0].amount"),
        })
        {
            var response = await api.PutAsJsonAsync(location, body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<Problem>();
            Assert.True(problem!.Errors.ContainsKey(field), $"{System.Text.Json.JsonSerializer.Serialize(body)}: {string.Join(", ", problem.Errors.Keys)}");
        }
        var login = await app.CreateClient().PostAsJsonAsync("/api/identity/login", new { email = (string?)null, password = (string?)null });
        Assert.Equal(HttpStatusCode.BadRequest, login.StatusCode);
        var loginProblem = await login.Content.ReadFromJsonAsync<Problem>();
        Assert.True(loginProblem!.Errors.ContainsKey("email") && loginProblem.Errors.ContainsKey("password"));

        var officer = await app.SignedInAsync("officer@example.org");
        var fundId = await FundIdAsync();
        Assert.Equal(HttpStatusCode.BadRequest, (await officer.GetAsync($"/Staff/Funds/{fundId}/Quarterly?handler=Csv&Quarter=9999-12-31")).StatusCode);
        var quarterly = await officer.GetAsync($"/Staff/Funds/{fundId}/Quarterly?Quarter=9999-12-31");
        Assert.Equal(HttpStatusCode.OK, quarterly.StatusCode);
        Assert.Contains("Choose the quarter from the list", await quarterly.Content.ReadAsStringAsync());
    }

    private sealed record Problem(Dictionary<string, string[]> Errors);
}
