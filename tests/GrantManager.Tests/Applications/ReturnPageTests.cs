using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AngleSharp.Html.Dom;
using GrantManager.Core.Grants;
using GrantManager.Core.Monitoring;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Tests.Applications;

/// <summary>
/// The grant holder's progress report page as a browser posts it: evidence that keeps what was typed,
/// Enter that saves rather than sends, check your answers before sending, the warning on spend above
/// the award, and figures too large to take.
/// </summary>
public sealed class ReturnPageTests : IAsyncLifetime
{
    private readonly GrantManagerFactory _app = new();
    private Grant _grant = null!;

    // A £6,000 grant: "Volunteer training" has a budget of £5,000 and "Phone costs" £1,000.
    public async Task InitializeAsync() => _grant = await _app.AwardAsync(new DateOnly(2027, 4, 1), new DateOnly(2028, 3, 31), 6000m);
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private int FirstReturn => _grant.Returns.OrderBy(r => r.Sequence).First().Id;
    private string Url => $"/Applicant/Returns/{FirstReturn}";

    private Task<MonitoringReturn> StoredAsync() => _app.WithDbAsync(db => db.Set<MonitoringReturn>()
        .Include(r => r.Spend.OrderBy(s => s.Id)).Include(r => r.Actuals.OrderBy(a => a.Id)).SingleAsync(r => r.Id == FirstReturn));

    private static Dictionary<string, string> Complete(string training = "1250.50", string phones = "300") => new()
    {
        ["Input.Progress"] = "Training has started.", ["Input.Spend[0].Spent"] = training, ["Input.Spend[1].Spent"] = phones,
        ["Input.Actuals[0]"] = "12", ["Input.Actuals[1]"] = "90", ["Input.BeneficiariesReached"] = "12",
    };

    private static string Text(IHtmlDocument page) => System.Text.RegularExpressions.Regex.Replace(page.Body!.TextContent, @"\s+", " ");

    [Fact]
    public async Task A_file_chosen_before_saving_the_draft_is_added_with_it_not_dropped()
    {
        var applicant = await _app.SignedInAsync("applicant@example.org");
        var saved = await applicant.SubmitFormAsync(Url, new() { ["Input.Progress"] = "Our first walks went well." },
            button: "Save as draft", file: ("Upload", "walks.pdf", "%PDF-1.4 walks"u8.ToArray()));
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var page = await applicant.GetPageAsync(Url);
        Assert.Contains("Your draft has been saved with walks.pdf", Text(page));
        Assert.Contains(page.QuerySelectorAll("a[href^='/Documents/']"), a => a.TextContent.Contains("walks.pdf"));
        Assert.Equal("Our first walks went well.", (await StoredAsync()).Progress);
    }

    [Fact]
    public async Task Adding_evidence_saves_what_was_typed_and_comes_back_with_the_file_listed_and_the_edits_in_place()
    {
        var applicant = await _app.SignedInAsync("applicant@example.org");
        var added = await applicant.SubmitFormAsync(Url, new()
        {
            ["Input.Progress"] = "Forty people came to the first session.", ["Input.Spend[0].Spent"] = "£1,250.50", ["Input.Actuals[1]"] = "35",
        }, button: "Add the file", file: ("Upload", "register.pdf", "%PDF-1.4 attendance"u8.ToArray()));

        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        var stored = await StoredAsync();
        Assert.Equal("Forty people came to the first session.", stored.Progress);
        Assert.Equal(1250.50m, stored.Spend[0].Spent);
        Assert.Equal(35m, stored.Actuals[1].Actual);
        var page = await applicant.GetPageAsync(Url);
        Assert.Contains("register.pdf has been added and your draft has been saved", Text(page));
        Assert.NotNull(page.QuerySelector("a[href^='/Documents/']"));
        Assert.Equal("Forty people came to the first session.", page.QuerySelector("textarea[name='Input.Progress']")!.TextContent.Trim());
        Assert.Equal("1250.50", page.QuerySelector("input[name='Input.Spend[0].Spent']")!.GetAttribute("value"));

        // A figure that cannot be read: the file is still added, nothing else is saved, and what was typed stays on the page.
        var bad = await applicant.SubmitFormAsync(Url, new() { ["Input.Progress"] = "Changed my mind", ["Input.Spend[1].Spent"] = "lots" },
            button: "Add the file", file: ("Upload", "photo.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]));
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        var shown = await bad.ReadPageAsync();
        Assert.Equal(["The spend to date on 'Phone costs' must be in pounds, like 4,500 or 4,500.50"], shown.ErrorSummary());
        Assert.Equal("Changed my mind", shown.QuerySelector("textarea[name='Input.Progress']")!.TextContent.Trim());
        Assert.Equal("lots", shown.QuerySelector("input[name='Input.Spend[1].Spent']")!.GetAttribute("value"));
        Assert.Contains("photo.png", Text(shown));
        Assert.Equal("Forty people came to the first session.", (await StoredAsync()).Progress);

        // Removing a file saves what was typed too.
        var removed = await applicant.SubmitFormAsync(Url, new() { ["Input.Progress"] = "Sessions are weekly now." }, button: "Remove register.pdf");
        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        Assert.Equal("Sessions are weekly now.", (await StoredAsync()).Progress);
        var after = Text(await applicant.GetPageAsync(Url));
        Assert.DoesNotContain("register.pdf", after);
        Assert.Contains("photo.png", after);
    }

    [Fact]
    public async Task Pressing_Enter_saves_a_draft_and_never_sends_the_report()
    {
        var applicant = await _app.SignedInAsync("applicant@example.org");
        var page = await applicant.GetPageAsync(Url);
        // A browser submits a form on Enter with its first submit button.
        var form = (IHtmlFormElement)page.QuerySelector("#return-form")!;
        var first = form.Elements.OfType<IHtmlButtonElement>().First();
        Assert.Equal("Save as draft", first.TextContent.Trim());
        Assert.Contains("handler=Save", first.GetAttribute("formaction"));
        Assert.Contains("handler=Save", form.GetAttribute("action"));

        // Every answer complete, then Enter: the form's default action.
        var response = await applicant.SubmitFormAsync(page, Url, Complete(), formSelector: "#return-form");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(Url, response.Headers.Location!.OriginalString);
        var stored = await StoredAsync();
        Assert.Equal("Training has started.", stored.Progress);
        Assert.Equal(12, stored.BeneficiariesReached);
        Assert.Null(stored.SubmittedAt);
        Assert.Equal(ReturnStatus.Upcoming, stored.Status);
        Assert.Null(await _app.OpenTaskAsync(GrantWorkflows.ReturnSubject, FirstReturn, "review-return"));
        Assert.Contains("Your draft has been saved", Text(await applicant.GetPageAsync(Url)));
        // Nothing on the report page itself sends it.
        Assert.DoesNotContain("Send the report", Text(await applicant.GetPageAsync(Url)));
    }

    [Fact]
    public async Task The_grant_holder_checks_every_answer_with_change_links_then_sends_the_report()
    {
        var applicant = await _app.SignedInAsync("applicant@example.org");

        // Something missing: the report page says what, and does not move on.
        var incomplete = await applicant.SubmitFormAsync(Url, new() { ["Input.Progress"] = "Training has started." }, button: "Continue to check and send");
        Assert.Equal(HttpStatusCode.OK, incomplete.StatusCode);
        var errors = (await incomplete.ReadPageAsync()).ErrorSummary();
        Assert.Contains("Enter the spend to date on 'Phone costs'", errors);
        Assert.Contains("Enter how many people the project has reached so far", errors);
        Assert.Equal("Training has started.", (await StoredAsync()).Progress);

        var toCheck = await applicant.SubmitFormAsync(Url, Complete(), button: "Continue to check and send");
        Assert.Equal(HttpStatusCode.Redirect, toCheck.StatusCode);
        var checkUrl = $"{Url}/Check";
        Assert.Equal(checkUrl, toCheck.Headers.Location!.OriginalString);
        var check = await applicant.GetPageAsync(checkUrl);
        var text = Text(check);
        Assert.Contains("Training has started.", text);
        Assert.Contains("£1,250.50 of a budget of £5,000", text);
        Assert.Contains("£300 of a budget of £1,000", text);
        Assert.Contains("£1,550.50 of the grant of £6,000", text);
        Assert.Contains("12 of a target of 50", text);
        Assert.Contains("90 of a target of 400", text);
        Assert.Null(check.QuerySelector(".govuk-warning-text"));
        Assert.Empty(check.ErrorSummary());
        var changes = check.QuerySelectorAll(".govuk-summary-list__actions a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Contains($"{Url}#Input_Progress", changes);
        Assert.Contains($"{Url}#Input_Spend_1__Spent", changes);
        Assert.Contains($"{Url}#Input_Actuals_0_", changes);
        Assert.Contains($"{Url}#Input_BeneficiariesReached", changes);
        // Each change link leads to a field the report page renders.
        var report = await applicant.GetPageAsync(Url);
        foreach (var link in changes.OfType<string>().Where(c => c.Contains('#')))
            Assert.NotNull(report.GetElementById(link[(link.IndexOf('#') + 1)..]));

        var sent = await applicant.SubmitFormAsync(check, checkUrl, button: "Send the report");
        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        var stored = await StoredAsync();
        Assert.Equal(ReturnStatus.Submitted, stored.Status);
        Assert.NotNull(stored.SubmittedAt);
        Assert.Contains("Your progress report has been sent", Text(await applicant.GetPageAsync(Url)));
        Assert.NotNull(await _app.OpenTaskAsync(GrantWorkflows.ReturnSubject, FirstReturn, "review-return"));
        await _app.Smtp.WaitForAsync("applicant@example.org", "received");
        // Once sent, checking again goes back to the report.
        Assert.Equal(HttpStatusCode.Redirect, (await applicant.GetAsync(checkUrl)).StatusCode);
    }

    [Fact]
    public async Task Spend_above_the_award_or_a_budget_line_is_warned_about_and_sent_only_once_confirmed()
    {
        var applicant = await _app.SignedInAsync("applicant@example.org");
        var toCheck = await applicant.SubmitFormAsync(Url, Complete(training: "5500", phones: "900"), button: "Continue to check and send");
        Assert.Equal(HttpStatusCode.Redirect, toCheck.StatusCode);

        var checkUrl = $"{Url}/Check";
        var check = await applicant.GetPageAsync(checkUrl);
        var warning = System.Text.RegularExpressions.Regex.Replace(check.QuerySelector(".govuk-warning-text")!.TextContent, @"\s+", " ");
        Assert.Contains("You have reported spending £6,400 in total, which is £400 more than the grant of £6,000.", warning);
        Assert.Contains("The spend on Volunteer training, £5,500, is more than its budget of £5,000.", warning);
        Assert.DoesNotContain("Phone costs", warning);
        // The report page warns too.
        Assert.Contains("£6,400 in total", (await applicant.GetPageAsync(Url)).QuerySelector(".govuk-warning-text")!.TextContent);

        var unconfirmed = await applicant.SubmitFormAsync(check, checkUrl, button: "Send the report");
        Assert.Equal(HttpStatusCode.OK, unconfirmed.StatusCode);
        var refused = await unconfirmed.ReadPageAsync();
        Assert.Equal(["Confirm that the spend figures are right, or change them before you send the report"], refused.ErrorSummary());
        Assert.Equal("#Input_ConfirmSpend", refused.QuerySelector(".govuk-error-summary__list a")!.GetAttribute("href"));
        Assert.Null((await StoredAsync()).SubmittedAt);

        var sent = await applicant.SubmitFormAsync(refused, checkUrl, new() { ["Input.ConfirmSpend"] = "true" }, button: "Send the report");
        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        var stored = await StoredAsync();
        Assert.Equal(ReturnStatus.Submitted, stored.Status);
        Assert.Equal([5500m, 900m], stored.Spend.Select(s => s.Spent));
    }

    [Fact]
    public async Task A_report_changed_after_it_was_checked_is_not_sent_unseen()
    {
        var applicant = await _app.SignedInAsync("applicant@example.org");
        await applicant.SubmitFormAsync(Url, Complete(), button: "Continue to check and send");
        var checkUrl = $"{Url}/Check";
        var check = await applicant.GetPageAsync(checkUrl);
        // Meanwhile, in another tab, the progress is changed.
        Assert.Equal(HttpStatusCode.Redirect, (await applicant.SubmitFormAsync(Url, new() { ["Input.Progress"] = "Rewritten elsewhere." })).StatusCode);

        var stale = await applicant.SubmitFormAsync(check, checkUrl, button: "Send the report");
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        var page = await stale.ReadPageAsync();
        Assert.Contains("The report has changed since you checked it. Check it again before sending it.", page.ErrorSummary());
        Assert.Contains("Rewritten elsewhere.", Text(page));
        Assert.Null((await StoredAsync()).SubmittedAt);
        Assert.Equal(HttpStatusCode.Redirect, (await applicant.SubmitFormAsync(page, checkUrl, button: "Send the report")).StatusCode);
        Assert.Equal("Rewritten elsewhere.", (await StoredAsync()).Progress);
    }

    [Theory]
    [InlineData("93000000000000000")]
    [InlineData("1e20")]
    [InlineData("99999999999999999999")]
    [InlineData("-5")]
    public async Task Figures_too_large_or_not_figures_are_field_errors_on_the_page_and_nothing_is_saved(string typed)
    {
        var applicant = await _app.SignedInAsync("applicant@example.org");
        var response = await applicant.SubmitFormAsync(Url, new()
        {
            ["Input.Progress"] = "Started", ["Input.Spend[0].Spent"] = typed, ["Input.Actuals[0]"] = typed, ["Input.BeneficiariesReached"] = typed,
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.ReadPageAsync();
        var errors = page.ErrorSummary();
        Assert.Equal(3, errors.Count);
        Assert.StartsWith("The spend to date on 'Volunteer training' must ", errors[0]);
        Assert.Equal("Enter the people supported (people) so far as a number from 0 to 100,000,000, like 25", errors[1]);
        Assert.Equal("Enter the number of people reached as a whole number from 0 to 10,000,000, like 40", errors[2]);
        Assert.Equal(typed, page.QuerySelector("input[name='Input.Spend[0].Spent']")!.GetAttribute("value"));
        Assert.Equal(typed, page.QuerySelector("input[name='Input.BeneficiariesReached']")!.GetAttribute("value"));
        var stored = await StoredAsync();
        Assert.Null(stored.Progress);
        Assert.Null(stored.Spend[0].Spent);
        Assert.Null(stored.BeneficiariesReached);
    }

    [Theory]
    [InlineData("""{ "spend": [ { "item": "Phone costs", "spent": 93000000000000000 } ] }""", "spend[0].spent")]
    [InlineData("""{ "spend": [ { "item": "Phone costs", "spent": 1e20 } ] }""", "spend[0].spent")]
    [InlineData("""{ "spend": [ { "item": "Phone costs", "spent": 99999999999999999999 } ] }""", "spend[0].spent")]
    [InlineData("""{ "spend": [ { "item": "Phone costs", "spent": 1e300 } ] }""", "spend[0].spent")]
    [InlineData("""{ "spend": [ null ] }""", "spend[0]")]
    [InlineData("""{ "spend": [ { "item": "Phone costs", "spent": 5 }, null ] }""", "spend[1]")]
    [InlineData("""{ "actuals": [ null ] }""", "actuals[0]")]
    [InlineData("""{ "actuals": [ { "measure": "people-supported", "actual": 99999999999999999999 } ] }""", "actuals[0].actual")]
    [InlineData("""{ "beneficiariesReached": 93000000000000000 }""", "beneficiariesReached")]
    public async Task The_API_answers_overflowing_or_null_entries_with_a_400_naming_the_field(string body, string field)
    {
        var api = await _app.ApiClientAsync("applicant@example.org");
        var response = await api.PutAsync($"/api/returns/{FirstReturn}", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"No error for {field}: {problem}");
        var stored = await StoredAsync();
        Assert.All(stored.Spend, s => Assert.Null(s.Spent));
        Assert.Equal(0, stored.Version);
        // Sending with the same body is refused the same way.
        var submit = await api.PostAsync($"/api/returns/{FirstReturn}/submit", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, submit.StatusCode);
    }

    [Fact]
    public async Task Another_organisation_cannot_see_check_or_send_the_report()
    {
        var owner = await _app.SignedInAsync("applicant@example.org");
        await owner.SubmitFormAsync(Url, Complete(), button: "Continue to check and send");

        Assert.Equal(HttpStatusCode.NotFound, (await owner.GetAsync("/Applicant/Returns/99999/Check")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.GetAsync("/Applicant/Returns/abc/Check")).StatusCode);

        var other = await _app.SignedInAsync("applicant2@example.org");
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"{Url}/Check")).StatusCode);
        // Their own valid token (from their organisation's page), posted to the other organisation's report.
        var token = (await other.GetPageAsync("/Applicant/Organisation")).QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var post = await other.PostAsync($"{Url}/Check", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Input.Version"] = "1", ["Input.ConfirmSpend"] = "true",
        }));
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        var save = await other.PostAsync($"{Url}?handler=Save", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Input.Progress"] = "Not mine",
        }));
        Assert.Equal(HttpStatusCode.NotFound, save.StatusCode);
        Assert.Equal("Training has started.", (await StoredAsync()).Progress);
        Assert.Null((await StoredAsync()).SubmittedAt);
        var assessor = await _app.SignedInAsync("assessor@example.org");
        Assert.NotEqual(HttpStatusCode.OK, (await assessor.GetAsync($"{Url}/Check")).StatusCode);
    }
}
