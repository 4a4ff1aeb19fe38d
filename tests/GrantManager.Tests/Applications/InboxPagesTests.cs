using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Tests.Applications;

/// <summary>The workflow inbox and task pages, posted as a browser would.</summary>
public sealed class InboxPagesTests(GrantManagerFactory app) : IClassFixture<GrantManagerFactory>
{
    private async Task<(int Id, string Reference)> SubmittedAsync(string applicantEmail = "applicant@example.org", decimal amount = 3000m)
    {
        var applicant = await app.ApiClientAsync(applicantEmail);
        var fundId = (await applicant.GetFromJsonAsync<JsonElement>("/api/funds")).EnumerateArray().First().GetProperty("id").GetInt32();
        var created = await (await applicant.PostAsJsonAsync("/api/applications", new
        {
            fundId, projectTitle = "Carers' cafe", projectSummary = "A weekly cafe for carers.", innovation = "Run by carers for carers.",
            beneficiaries = "Unpaid carers in Dover", districts = new[] { "Dover" }, startDate = app.Now().AddMonths(1).ToString("yyyy-MM-01"),
            endDate = app.Now().AddMonths(12).ToString("yyyy-MM-01"), amountRequested = amount,
            budget = new[] { new { item = "Venue and refreshments", amount } }, outcomes = new[] { new { measure = "carers-reached", target = 60m } },
        })).Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("id").GetInt32();
        (await applicant.PostAsJsonAsync($"/api/applications/{id}/submit", new { declaration = true })).EnsureSuccessStatusCode();
        return (id, created.GetProperty("reference").GetString()!);
    }

    [Fact]
    public async Task An_officer_finds_the_task_in_the_inbox_and_completes_it_on_its_page()
    {
        var (id, reference) = await SubmittedAsync();
        var officer = await app.SignedInAsync("officer@example.org");
        var inbox = await officer.GetPageAsync("/Staff/Inbox");
        Assert.Contains("taken by you", inbox.QuerySelector("#inbox-counts")!.TextContent);
        var link = inbox.QuerySelectorAll("tbody a").First(a => a.TextContent.Contains(reference));
        var taskUrl = link.GetAttribute("href")!;

        var page = await officer.GetPageAsync(taskUrl);
        Assert.Equal("Check eligibility", page.QuerySelector("h1")!.TextContent.Trim());
        Assert.Contains("Carers' cafe", page.QuerySelector("main")!.TextContent);
        Assert.NotNull(page.QuerySelector("pre.mermaid"));
        Assert.Contains(page.QuerySelectorAll("tbody tr"), r => r.TextContent.Contains($"We have received your application {reference}"));

        var empty = await officer.PostFormAsync($"{taskUrl}?handler=Complete", new(), taskUrl);
        Assert.Contains("Choose an outcome: Eligible, Not eligible or More information needed", (await empty.ReadPageAsync()).ErrorSummary());
        var noReason = await officer.PostFormAsync($"{taskUrl}?handler=Complete", new() { ["Input.Outcome"] = "ineligible" }, taskUrl);
        Assert.Contains("Give the reasons: the applicant will see them", (await noReason.ReadPageAsync()).ErrorSummary());

        var done = await officer.PostFormAsync($"{taskUrl}?handler=Complete", new() { ["Input.Outcome"] = "eligible", ["Input.Comment"] = "Meets the criteria" }, taskUrl);
        Assert.Equal("/Staff/Inbox", done.Headers.Location!.OriginalString);
        var again = await officer.GetPageAsync(taskUrl);
        Assert.Contains("This task was completed by Olivia Officer", again.QuerySelector(".govuk-inset-text")!.TextContent);
        var api = await app.ApiClientAsync("officer@example.org");
        Assert.Equal("assessment", (await api.GetFromJsonAsync<JsonElement>($"/api/applications/{id}")).GetProperty("stage").GetString());
    }

    [Fact]
    public async Task A_case_on_an_earlier_version_of_its_workflow_is_told_its_stage_from_that_version()
    {
        // Version 2 renames the assessment stage; a case started on version 1 keeps version 1's words.
        using var folder = new Workflows.WorkflowFolder(withTestDefinitions: false);
        var v2 = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(folder.Path, "grant-application.json")))!;
        v2["version"] = 2;
        v2["states"]!["assessment"]!["title"] = "Scoring by two assessors";
        folder.Write("grant-application.v2.json", v2.ToJsonString());
        await using var versioned = new GrantManagerFactory();
        versioned.Set("Workflows:Path", folder.Path);
        var applicant = await versioned.ApiClientAsync("applicant@example.org");
        var fundId = (await applicant.GetFromJsonAsync<JsonElement>("/api/funds")).EnumerateArray().First().GetProperty("id").GetInt32();
        var start = app.Today().AddMonths(2);
        var id = (await (await applicant.PostAsJsonAsync("/api/applications", new
        {
            fundId, projectTitle = "Men's shed", projectSummary = "A workshop.", innovation = "Peer support.", beneficiaries = "Older men",
            districts = new[] { "Dover" }, startDate = start.ToString("yyyy-MM-dd"), endDate = start.AddMonths(6).ToString("yyyy-MM-dd"), amountRequested = 1200m,
            budget = new[] { new { item = "Tools", amount = 1200m } }, outcomes = new[] { new { measure = "people-supported", target = 20m } },
        })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        (await applicant.PostAsJsonAsync($"/api/applications/{id}/submit", new { declaration = true })).EnsureSuccessStatusCode();
        await versioned.WithDbAsync(db => db.WorkflowInstances.Where(i => i.SubjectType == "application" && i.SubjectId == id.ToString())
            .ExecuteUpdateAsync(u => u.SetProperty(i => i.DefinitionVersion, 1)));

        var task = (await versioned.OpenTaskAsync("application", id))!;
        var officer = await versioned.SignedInAsync("officer@example.org");
        var done = await officer.SubmitFormAsync($"/Staff/Tasks/{task.Id}", new() { ["Input.Outcome"] = "eligible", ["Input.Comment"] = "Meets the criteria" },
            "form[action*='handler=Complete']");
        Assert.Equal("/Staff/Inbox", done.Headers.Location!.OriginalString);

        var inbox = await officer.GetPageAsync("/Staff/Inbox");
        Assert.Contains("Task completed. It is now at the stage: Assessment", inbox.QuerySelector(".govuk-notification-banner")!.TextContent);
        // Its assessment tasks in the inbox name the stage the same way.
        var reference = await versioned.WithDbAsync(db => db.Applications.Where(a => a.Id == id).Select(a => a.Reference).SingleAsync());
        var everyone = await officer.GetPageAsync("/Staff/Inbox?All=true");
        var row = everyone.QuerySelectorAll("tbody tr").First(r => r.TextContent.Contains(reference));
        Assert.Contains("Assessment", row.TextContent);
        Assert.DoesNotContain("Scoring by two assessors", row.TextContent);
    }

    [Fact]
    public async Task An_assessor_declares_before_seeing_the_application_and_must_score_every_criterion()
    {
        var (id, reference) = await SubmittedAsync(amount: 2500m);
        var officerApi = await app.ApiClientAsync("officer@example.org");
        var check = (await officerApi.GetFromJsonAsync<JsonElement>("/api/tasks")).EnumerateArray().First(t => t.GetProperty("applicationId").GetInt32() == id);
        (await officerApi.PostAsJsonAsync($"/api/tasks/{check.GetProperty("id").GetInt64()}/complete", new { outcome = "eligible" })).EnsureSuccessStatusCode();

        var assessor = await app.SignedInAsync("assessor@example.org");
        var link = (await assessor.GetPageAsync("/Staff/Inbox")).QuerySelectorAll("tbody a").First(a => a.TextContent.Contains(reference));
        var taskUrl = link.GetAttribute("href")!;
        var before = await assessor.GetPageAsync(taskUrl);
        Assert.Contains("Do you have a conflict of interest?", before.QuerySelector("legend")!.TextContent);
        Assert.DoesNotContain("Carers' cafe", before.QuerySelector("main")!.TextContent);
        Assert.Null(before.QuerySelector("dl.govuk-summary-list"));

        var unanswered = await assessor.PostFormAsync($"{taskUrl}?handler=Declare", new(), taskUrl);
        Assert.Contains("Say whether you have a conflict of interest", (await unanswered.ReadPageAsync()).ErrorSummary());
        // The details box is always there (no reveal, so no aria-expanded on a radio) and is needed only with "Yes".
        Assert.Null(before.QuerySelector("[data-aria-controls], [aria-expanded], .govuk-radios__conditional"));
        Assert.Equal("Only if you have a conflict of interest. The task goes back to the other assessors; you will not be able to take it again.",
            before.QuerySelector("#Input_ConflictDetails-hint")!.TextContent.Trim());
        var noDetails = await (await assessor.PostFormAsync($"{taskUrl}?handler=Declare", new() { ["Input.HasConflict"] = "true", ["Input.ConflictDetails"] = " " }, taskUrl)).ReadPageAsync();
        Assert.Contains("Describe the conflict of interest", noDetails.ErrorSummary());
        Assert.Equal("Describe the conflict of interest", noDetails.QuerySelector("#Input_ConflictDetails-error")!.TextContent.Replace("Error:", "").Trim());
        Assert.NotNull(noDetails.QuerySelector("#Input_HasConflict-2[checked]"));
        await assessor.PostFormAsync($"{taskUrl}?handler=Declare", new() { ["Input.HasConflict"] = "false" }, taskUrl);

        var after = await assessor.GetPageAsync(taskUrl);
        Assert.NotNull(after.QuerySelector("dl.govuk-summary-list"));
        Assert.Equal(4, after.QuerySelectorAll("fieldset legend").Count(l => l.TextContent.Contains("(weight")));
        var partial = await assessor.PostFormAsync($"{taskUrl}?handler=Complete", new() { ["Input.Outcome"] = "fund", ["Input.Comment"] = "Good", ["Input.Scores[1]"] = "4" }, taskUrl);
        var errors = (await partial.ReadPageAsync()).ErrorSummary();
        Assert.Contains("Score 'Innovation' from 0 to 5", errors);
        Assert.Contains("Score 'Social value' from 0 to 5", errors);
    }

    [Fact]
    public async Task An_officer_sees_everyone_s_tasks_and_assigns_an_assessment()
    {
        var (id, reference) = await SubmittedAsync(amount: 2200m);
        var officerApi = await app.ApiClientAsync("officer@example.org");
        var check = (await officerApi.GetFromJsonAsync<JsonElement>("/api/tasks")).EnumerateArray().First(t => t.GetProperty("applicationId").GetInt32() == id);
        (await officerApi.PostAsJsonAsync($"/api/tasks/{check.GetProperty("id").GetInt64()}/complete", new { outcome = "eligible" })).EnsureSuccessStatusCode();
        var officer = await app.SignedInAsync("officer@example.org");

        Assert.DoesNotContain((await officer.GetPageAsync("/Staff/Inbox")).QuerySelectorAll("tbody a"), a => a.TextContent.Contains($"Assess the application for {reference}"));
        var everyone = await officer.GetPageAsync("/Staff/Inbox?All=true");
        var assessments = everyone.QuerySelectorAll("tbody a").Where(a => a.TextContent.Contains($"Assess the application for {reference}")).ToList();
        Assert.Equal(2, assessments.Count);

        var url = assessments[0].GetAttribute("href")!;
        var page = await officer.GetPageAsync(url);
        Assert.Null(page.QuerySelector("input[name='Input.HasConflict']"));
        Assert.Null(page.QuerySelector("button[formaction], form[action*='handler=Complete']"));
        var aled = page.QuerySelectorAll("#AssignTo option").Single(o => o.TextContent == "Aled Assessor").GetAttribute("value")!;
        var assigned = await officer.PostFormAsync($"{url}?handler=Assign", new() { ["AssignTo"] = aled }, url);
        Assert.Equal(HttpStatusCode.Redirect, assigned.StatusCode);

        var assessorApi = await app.ApiClientAsync("assessor2@example.org");
        var mine = (await assessorApi.GetFromJsonAsync<JsonElement>("/api/tasks")).EnumerateArray().Single(t => t.GetProperty("applicationId").GetInt32() == id);
        Assert.Equal("Aled Assessor", mine.GetProperty("assignee").GetString());
        var asha = await app.ApiClientAsync("assessor@example.org");
        Assert.Single((await asha.GetFromJsonAsync<JsonElement>("/api/tasks")).EnumerateArray(), t => t.GetProperty("applicationId").GetInt32() == id);
    }

    [Fact]
    public async Task An_officer_sends_again_an_email_that_could_not_be_delivered()
    {
        var (id, reference) = await SubmittedAsync();
        var key = id.ToString();
        // Let the dispatcher finish with the receipt first, so that marking it failed is not undone by its own save.
        await app.Smtp.WaitForAsync("applicant@example.org", $"We have received your application {reference}");
        var receipt = await app.WithDbAsync(db => db.OutboxEmails.FirstAsync(m => m.SubjectId == key && m.Subject.StartsWith("We have received")));
        for (var i = 0; i < 100 && receipt.Status != Core.Email.OutboxStatus.Sent; i++)
        {
            await Task.Delay(50);
            receipt = await app.WithDbAsync(db => db.OutboxEmails.FirstAsync(m => m.Id == receipt.Id));
        }
        await app.WithDbAsync(db => db.OutboxEmails.Where(m => m.Id == receipt.Id).ExecuteUpdateAsync(u => u
            .SetProperty(m => m.Status, Core.Email.OutboxStatus.DeadLetter).SetProperty(m => m.LastError, "SMTP 550: mailbox unavailable")));
        var officer = await app.SignedInAsync("officer@example.org");
        var link = (await officer.GetPageAsync("/Staff/Inbox")).QuerySelectorAll("tbody a").First(a => a.TextContent.Contains(reference)).GetAttribute("href")!;
        var page = await officer.GetPageAsync(link);
        Assert.Contains("SMTP 550: mailbox unavailable", page.QuerySelector("main")!.TextContent);

        var retried = await officer.PostFormAsync($"{link}?handler=RetryEmail&email={receipt.Id}", new(), link);

        Assert.Equal(HttpStatusCode.Redirect, retried.StatusCode);
        Assert.NotEqual(Core.Email.OutboxStatus.DeadLetter, (await app.WithDbAsync(db => db.OutboxEmails.SingleAsync(m => m.Id == receipt.Id))).Status);
    }

    [Fact]
    public async Task Others_are_refused_the_task_page()
    {
        var (id, _) = await SubmittedAsync(applicantEmail: "applicant2@example.org");
        var officerApi = await app.ApiClientAsync("officer@example.org");
        var check = (await officerApi.GetFromJsonAsync<JsonElement>("/api/tasks")).EnumerateArray().First(t => t.GetProperty("applicationId").GetInt32() == id);
        var url = $"/Staff/Tasks/{check.GetProperty("id").GetInt64()}";

        var applicant = await app.SignedInAsync("applicant2@example.org");
        Assert.StartsWith("/Account/AccessDenied", (await applicant.GetAsync(url)).Headers.Location!.PathAndQuery);
        var assessor = await app.SignedInAsync("assessor2@example.org");
        // Staff whose role the task is not for: not found, as for a task that does not exist.
        Assert.Equal(HttpStatusCode.NotFound, (await assessor.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await (await app.SignedInAsync("officer@example.org")).GetAsync("/Staff/Tasks/999999")).StatusCode);
    }
}
