using GrantManager.Core.Monitoring;
using GrantManager.Core.Workflows;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GrantManager.Core.Grants;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Tests.Applications;

/// <summary>The return form, the officer's review and finance's payment through the pages; the dashboard, the quarterly report and who may see them.</summary>
public sealed class MonitoringPagesTests : IAsyncLifetime
{
    private readonly GrantManagerFactory _app = new();
    private Grant _grant = null!;

    public async Task InitializeAsync() => _grant = await _app.AwardAsync(new DateOnly(2027, 4, 1), new DateOnly(2028, 3, 31), 6000m);
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private int FirstReturn => _grant.Returns.OrderBy(r => r.Sequence).First().Id;

    [Fact]
    public async Task The_grant_holder_saves_a_draft_sees_errors_by_field_and_sends_the_report_which_an_officer_accepts()
    {
        var applicant = await _app.SignedInAsync("applicant@example.org");
        var url = $"/Applicant/Returns/{FirstReturn}";
        var grantPage = await applicant.GetPageAsync($"/Applicant/Applications/{_grant.ApplicationId}");
        Assert.NotNull(grantPage.QuerySelector($"a[href='{url}']"));

        // A draft with a bad figure saves nothing and names the field.
        var bad = await applicant.SubmitFormAsync(url, new() { ["Input.Progress"] = "Started", ["Input.Spend[0].Spent"] = "lots" }, button: "Save as draft");
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        Assert.Contains("The spend to date on 'Volunteer training' must be in pounds, like 4,500 or 4,500.50", (await bad.ReadPageAsync()).ErrorSummary());
        Assert.Null((await _app.WithDbAsync(db => db.Set<MonitoringReturn>().SingleAsync(r => r.Id == FirstReturn))).Progress);

        var saved = await applicant.SubmitFormAsync(url, new() { ["Input.Progress"] = "Training has started.", ["Input.Spend[0].Spent"] = "1,250.50" }, button: "Save as draft");
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var draft = await _app.WithDbAsync(db => db.Set<MonitoringReturn>().Include(r => r.Spend).SingleAsync(r => r.Id == FirstReturn));
        Assert.Equal("Training has started.", draft.Progress);
        Assert.Equal(1250.50m, draft.Spend.OrderBy(s => s.Id).First().Spent);

        // Sending it needs every figure.
        var incomplete = await applicant.SubmitFormAsync(url, button: "Continue to check and send");
        var errors = (await incomplete.ReadPageAsync()).ErrorSummary();
        Assert.Contains("Enter the spend to date on 'Phone costs'", errors);
        Assert.Contains("Enter how many people the project has reached so far", errors);

        var evidence = await applicant.SubmitFormAsync(url, button: "Add the file", file: ("Upload", "register.pdf", "%PDF-1.4 attendance"u8.ToArray()));
        Assert.Equal(HttpStatusCode.Redirect, evidence.StatusCode);
        var checking = await applicant.SubmitFormAsync(url, new()
        {
            ["Input.Spend[1].Spent"] = "100", ["Input.Actuals[0]"] = "12", ["Input.Actuals[1]"] = "90", ["Input.BeneficiariesReached"] = "12",
        }, button: "Continue to check and send");
        Assert.Equal(HttpStatusCode.Redirect, checking.StatusCode);
        var sent = await applicant.SubmitFormAsync($"{url}/Check", button: "Send the report");
        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        var readOnly = await applicant.GetPageAsync(url);
        Assert.Null(readOnly.QuerySelector("textarea"));
        // The month keeps its capital letter.
        Assert.Equal("Progress report: quarter to 30 June 2027", readOnly.QuerySelector("h1")!.TextContent.Trim());
        Assert.Contains("register.pdf", readOnly.Body!.TextContent);

        // The officer sees the report in the task, and a request for changes without reasons is refused.
        var review = await _app.OpenTaskAsync(GrantWorkflows.ReturnSubject, FirstReturn, "review-return");
        var officer = await _app.SignedInAsync("officer@example.org");
        var taskUrl = $"/Staff/Tasks/{review!.Id}";
        var taskPage = await officer.GetPageAsync(taskUrl);
        Assert.Contains("Training has started.", taskPage.Body!.TextContent);
        var noReason = await officer.PostFormAsync(taskUrl + "?handler=Complete", new() { ["Input.Outcome"] = "request-changes" }, taskUrl);
        Assert.Contains("Say what needs to change: the grant holder will see it", (await noReason.ReadPageAsync()).ErrorSummary());
        var accepted = await officer.PostFormAsync(taskUrl + "?handler=Complete", new() { ["Input.Outcome"] = "accept-report" }, taskUrl);
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        Assert.Equal(ReturnStatus.Accepted, (await _app.WithDbAsync(db => db.Set<MonitoringReturn>().SingleAsync(r => r.Id == FirstReturn))).Status);
        await _app.Smtp.WaitForAsync("applicant@example.org", "has been accepted");
    }

    [Fact]
    public async Task Finance_records_the_payment_with_its_reference_and_a_missing_reference_is_refused()
    {
        var instalment = _grant.Instalments.Single(i => i.ReleasedBy == "acceptance");
        var task = await _app.OpenTaskAsync(GrantWorkflows.InstalmentSubject, instalment.Id, "pay-instalment");
        var finance = await _app.SignedInAsync("finance@example.org");
        var taskUrl = $"/Staff/Tasks/{task!.Id}";
        // The fund filter on the inbox keeps a grant's payment tasks, with the project they are for.
        var inbox = (await finance.GetPageAsync($"/Staff/Inbox?fund={_grant.FundId}")).Body!.TextContent;
        Assert.Contains("Pay the instalment", inbox);
        Assert.Contains("Befriending by phone", inbox);
        var page = await finance.GetPageAsync(taskUrl);
        Assert.Contains("Payment 1 (50%): £3,000", System.Text.RegularExpressions.Regex.Replace(page.Body!.TextContent, @"\s+", " "));
        // Paying needs no message, so the hint says only when one is sent.
        var messageHint = page.QuerySelector("[id$='MessageToApplicant-hint']")!.TextContent.Trim();
        Assert.StartsWith("Emailed to the applicant and shown on their application page when you choose:", messageHint);
        Assert.DoesNotContain("Required", messageHint);
        var missing = await finance.PostFormAsync(taskUrl + "?handler=Complete", new() { ["Input.Outcome"] = "paid" }, taskUrl);
        Assert.Contains("Enter the payment reference from the finance system", (await missing.ReadPageAsync()).ErrorSummary());
        var paid = await finance.PostFormAsync(taskUrl + "?handler=Complete", new() { ["Input.Outcome"] = "paid", ["Input.PaymentReference"] = "BACS-77" }, taskUrl);
        Assert.Equal(HttpStatusCode.Redirect, paid.StatusCode);
        var remittance = await _app.Smtp.WaitForAsync("applicant@example.org", "Remittance advice: payment 1");
        Assert.Contains("BACS-77", remittance.TextBody);

        // The dashboard counts it as paid; the quarter's CSV lists it.
        var officer = await _app.SignedInAsync("officer@example.org");
        var dashboard = await officer.GetPageAsync($"/Staff/Funds/{_grant.FundId}/Dashboard");
        var text = dashboard.Body!.TextContent;
        Assert.Contains("Committed in 1 grant (1 active)", text);
        Assert.Contains("£6,000", dashboard.QuerySelector("#money-table tr[data-figure=committed]")!.TextContent);
        Assert.Contains("illustrative proxy values", text);
        Assert.Contains("Maidstone", text);
        // The header's Funds link takes staff to their list of funds, which leads to the reports.
        var funds = (await officer.GetPageAsync("/Staff")).QuerySelectorAll("header a, nav a").First(a => a.TextContent.Trim() == "Funds").GetAttribute("href");
        Assert.Equal("/Staff/Funds", funds);
        var list = await officer.GetPageAsync(funds!);
        var quarterlyLink = list.QuerySelectorAll("#staff-funds a").First(a => a.TextContent.StartsWith("Quarterly report")).GetAttribute("href")!;
        var quarterly = System.Text.RegularExpressions.Regex.Replace((await officer.GetPageAsync(quarterlyLink)).Body!.TextContent, @"\s+", " ");
        Assert.Contains("£3,000 in 1 payment", quarterly);
        Assert.DoesNotContain("1 payments", quarterly);
        var csv = await officer.GetStringAsync($"/Staff/Funds/{_grant.FundId}/Quarterly?handler=Csv");
        Assert.Contains("Payment,", csv);
        Assert.Contains("BACS-77", csv);
        Assert.Contains("Award,", csv);
    }

    [Fact]
    public async Task Another_organisation_cannot_see_or_change_the_return_and_assessors_cannot_see_the_dashboard()
    {
        var other = await _app.SignedInAsync("applicant2@example.org");
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/Applicant/Returns/{FirstReturn}")).StatusCode);
        var api = await _app.ApiClientAsync("applicant2@example.org");
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/returns/{FirstReturn}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.PutAsJsonAsync($"/api/returns/{FirstReturn}", new { progress = "Not mine" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.PostAsJsonAsync($"/api/returns/{FirstReturn}/submit", new { })).StatusCode);
        Assert.Null((await _app.WithDbAsync(db => db.Set<MonitoringReturn>().SingleAsync(r => r.Id == FirstReturn))).Progress);

        var assessor = await _app.SignedInAsync("assessor@example.org");
        Assert.Equal(HttpStatusCode.Redirect, (await assessor.GetAsync($"/Staff/Funds/{_grant.FundId}/Dashboard")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await _app.ApiClientAsync("assessor@example.org")).GetAsync($"/api/returns/{FirstReturn}")).StatusCode);
    }

    [Fact]
    public async Task The_returns_API_saves_drafts_names_bad_fields_and_submits()
    {
        var api = await _app.ApiClientAsync("applicant@example.org");
        var bad = await api.PutAsJsonAsync($"/api/returns/{FirstReturn}", new { spend = new[] { new { item = "Cake", spent = 5 } }, beneficiariesReached = -1 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = await bad.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("spend[0].item", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("beneficiariesReached", out _));

        var draft = await api.PutAsJsonAsync($"/api/returns/{FirstReturn}", new { progress = "Going well" });
        Assert.Equal(HttpStatusCode.OK, draft.StatusCode);
        Assert.Equal("Going well", (await draft.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("progress").GetString());

        var missing = await api.PostAsJsonAsync($"/api/returns/{FirstReturn}/submit", new { });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        var submitted = await api.PostAsJsonAsync($"/api/returns/{FirstReturn}/submit", GrantJourney.FullReturn(5, 10) with
        {
            Spend = [new SpendInput("Volunteer training", 10m), new SpendInput("Phone costs", 5m)],
        });
        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        var list = await api.GetFromJsonAsync<JsonElement>($"/api/grants/{_grant.Id}/returns");
        Assert.Equal("submitted", list.EnumerateArray().First().GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await api.PutAsJsonAsync($"/api/returns/{FirstReturn}", new { progress = "Too late" })).StatusCode);
    }

    [Fact]
    public async Task The_officer_adjusts_the_outcome_targets_in_the_offer_and_the_grant_and_its_returns_take_them()
    {
        var id = await _app.SubmitApplicationAsync(new DateOnly(2027, 4, 1), new DateOnly(2028, 3, 31), 3000m);
        await _app.AssessAsync(id);
        var decide = await _app.OpenTaskAsync(Core.Applications.ApplicationService.SubjectType, id);
        var officer = await _app.SignedInAsync("officer@example.org");
        var url = $"/Staff/Tasks/{decide!.Id}";
        var page = await officer.GetPageAsync(url);
        Assert.Equal("50", page.QuerySelector("input[name='Input.Targets[people-supported]']")!.GetAttribute("value"));

        var bad = await officer.PostFormAsync(url + "?handler=Complete", new() { ["Input.Outcome"] = "approve", ["Input.Targets[people-supported]"] = "0" }, url);
        Assert.Contains("The target for People supported must be more than 0", (await bad.ReadPageAsync()).ErrorSummary());
        var approved = await officer.PostFormAsync(url + "?handler=Complete", new()
        {
            ["Input.Outcome"] = "approve", ["Input.Targets[people-supported]"] = "40", ["Input.Targets[volunteer-hours]"] = "400",
        }, url);
        Assert.Equal(HttpStatusCode.Redirect, approved.StatusCode);
        var letter = await _app.Smtp.WaitForAsync(m => (m.Subject ?? "").StartsWith("Grant offer for") && (m.TextBody ?? "").Contains("People supported: 40"));
        Assert.Contains("Volunteer hours: 400", letter.TextBody);

        await _app.CompleteAsync((await _app.OpenTaskAsync(Core.Applications.ApplicationService.SubjectType, id))!.Id, "applicant@example.org",
            new Core.Workflows.TaskCompletion("accept", null));
        var grant = await _app.WithDbAsync(db => db.Grants.Include(g => g.Targets).Include(g => g.Returns).ThenInclude(r => r.Actuals).SingleAsync(g => g.ApplicationId == id));
        Assert.Equal(40m, grant.Targets.Single(t => t.MeasureCode == "people-supported").Target);
        Assert.All(grant.Returns, r => Assert.Equal(40m, r.Actuals.Single(a => a.MeasureCode == "people-supported").Target));
    }
}
