using System.Net;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Tests.Workflows;

public sealed class WorkflowPagesTests : IAsyncLifetime
{
    private readonly WorkflowTestApp _t = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _t.DisposeAsync();

    [Fact]
    public async Task Staff_see_each_definition_with_its_diagram_and_stages()
    {
        var officer = await _t.App.SignedInAsync("officer@example.org");
        var list = await officer.GetPageAsync("/Staff/Workflows");
        var link = list.QuerySelectorAll("table a").Single(a => a.TextContent == "Grant application");

        var page = await officer.GetPageAsync(link.GetAttribute("href")!);
        Assert.Equal("Grant application", page.QuerySelector("h1")!.TextContent.Trim());
        Assert.StartsWith("stateDiagram-v2", page.QuerySelector("pre.mermaid")!.TextContent);
        var stages = page.QuerySelectorAll("ol.govuk-list li").Select(li => li.TextContent.Trim().Split('\n')[0].Trim()).ToList();
        Assert.Equal("Eligibility check", stages[0]);
        Assert.Contains("Decision by the panel", stages);
        Assert.Contains("Recommend: fund → Decision by the panel, when every task at this stage is done and the amount requested is more than £5,000",
            page.QuerySelector("main")!.TextContent.Replace("\n", " "));
    }

    [Fact]
    public async Task The_definition_page_reads_in_titles_durations_and_sentences_not_codes()
    {
        var officer = await _t.App.SignedInAsync("officer@example.org");
        var page = await officer.GetPageAsync("/Staff/Workflows/Definition?id=grant-application");
        var main = System.Text.RegularExpressions.Regex.Replace(page.QuerySelector("main")!.TextContent, "\\s+", " ");

        // The plain list of stages comes before the picture, and the picture's source is hidden until the script draws it.
        var list = page.QuerySelector("ol.app-stages")!;
        var diagram = page.QuerySelector("pre.mermaid")!;
        Assert.True(list.CompareDocumentPosition(diagram).HasFlag(AngleSharp.Dom.DocumentPositions.Following));
        Assert.True(diagram.HasAttribute("hidden"));
        // The diagram uses titles, with no conditions or trigger codes.
        var mermaid = diagram.TextContent;
        Assert.Contains("Recommend#58; fund", mermaid);
        Assert.DoesNotContain("allTasksComplete", mermaid);
        Assert.DoesNotContain(": fund", mermaid);

        Assert.Contains("Check eligibility, for a grant officer, due 5 days after the stage starts. Outcomes: Eligible, Not eligible or More information needed.", main);
        Assert.Contains("Assess the application, for 2 different people who are each an assessor, due 10 days after the stage starts.", main);
        Assert.Contains("Accept or decline the offer, for the applicant, due 3 weeks after the stage starts", main);
        Assert.Contains("3 days before the task is due: emails “More information reminder” to the applicant", main);
        Assert.Contains("When the task is due: “Offer lapsed”", main);
        Assert.Contains("Withdraw the application → Withdrawn (by the applicant)", main);
        Assert.Contains("Status shown Submitted", main);
        foreach (var code in new[] { "P5D", "P14D", "-P3D", "taskDue", "more-information-needed", "allTasksComplete", "amountRequested", "role:GrantOfficer" })
            Assert.DoesNotContain(code, main.Replace(mermaid, ""));

        var returns = System.Text.RegularExpressions.Regex.Replace((await officer.GetPageAsync("/Staff/Workflows/Definition?id=monitoring-return")).QuerySelector("main")!.TextContent, "\\s+", " ");
        Assert.Contains("2 weeks before the reminder time on the last day: “Opened for the grant holder”", returns);
        Assert.Contains("Status shown Changes requested", returns);
        Assert.DoesNotContain("changes-requested", returns.Replace((await officer.GetPageAsync("/Staff/Workflows/Definition?id=monitoring-return")).QuerySelector("pre.mermaid")!.TextContent, ""));
    }

    [Fact]
    public async Task An_instance_page_highlights_the_current_stage_and_lists_its_history()
    {
        var instance = await _t.StartEverythingAsync(amount: 9000);
        var triage = (await _t.TasksAsync(instance.Id)).Single();
        var officerActor = await _t.ActorAsync("officer@example.org");
        await _t.RuntimeAsync((rt, _) => rt.CompleteTaskAsync(triage.Id, "go", officerActor, "Big one"));

        var officer = await _t.App.SignedInAsync("officer@example.org");
        var page = await officer.GetPageAsync($"/Staff/Workflows/Instance/{instance.Id}");

        Assert.Contains("class panel current", page.QuerySelector("pre.mermaid")!.TextContent);
        var current = page.QuerySelector("li.app-stage--current")!;
        Assert.Contains("Panel", current.TextContent);
        Assert.Contains("Current stage", current.TextContent);
        var rows = page.QuerySelectorAll("tbody tr").Select(r => r.TextContent).ToList();
        Assert.Contains(rows, r => r.Contains("Moved from Start to Panel (Go). Big one"));
        Assert.Contains("Decide for Panel member", page.QuerySelector("main")!.TextContent);
    }

    [Fact]
    public async Task The_inbox_lists_tasks_of_any_workflow_not_only_applications()
    {
        var instance = await _t.StartEverythingAsync();
        var officer = await _t.App.SignedInAsync("officer@example.org");
        var response = await officer.GetAsync("/Staff/Inbox");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.ReadPageAsync();
        Assert.Contains(page.QuerySelectorAll("tbody a"), a => a.TextContent.Contains($"Triage for {instance.SubjectReference}"));
    }

    [Fact]
    public async Task Applicants_cannot_see_workflow_pages()
    {
        var instance = await _t.StartEverythingAsync();
        var applicant = await _t.App.SignedInAsync("applicant@example.org");
        foreach (var url in new[] { "/Staff/Workflows", "/Staff/Workflows/Definition?id=grant-application", $"/Staff/Workflows/Instance/{instance.Id}", "/Admin/Incidents" })
            Assert.StartsWith("/Account/AccessDenied", (await applicant.GetAsync(url)).Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task An_unknown_definition_or_instance_is_404()
    {
        var officer = await _t.App.SignedInAsync("officer@example.org");
        Assert.Equal(HttpStatusCode.NotFound, (await officer.GetAsync("/Staff/Workflows/Definition?id=nope")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await officer.GetAsync($"/Staff/Workflows/Instance/{Guid.NewGuid()}")).StatusCode);
    }

    [Fact]
    public async Task An_administrator_retries_an_incident_from_the_incidents_page()
    {
        var instance = await _t.StartEverythingAsync();
        var timer = (await _t.TimersAsync(instance.Id)).Single(t => t.TimerKey == "escalate");
        var incidentId = await _t.App.WithDbAsync(async db =>
        {
            await db.WorkflowTimers.Where(t => t.Id == timer.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, Core.Workflows.WorkflowTimerStatus.Failed));
            var incident = new Core.Workflows.WorkflowIncident { TimerId = timer.Id, InstanceId = instance.Id, Description = "Timer 'escalate' failed 5 times", Error = "template missing", CreatedAt = _t.Now };
            db.WorkflowIncidents.Add(incident);
            await db.SaveChangesAsync();
            return incident.Id;
        });
        var admin = await _t.App.SignedInAsync("admin@example.org");
        var page = await admin.GetPageAsync("/Admin/Incidents");
        Assert.Contains("template missing", page.QuerySelector("table")!.TextContent);

        var retried = await admin.PostFormAsync($"/Admin/Incidents?id={incidentId}&handler=Retry", new(), "/Admin/Incidents");
        Assert.Equal(HttpStatusCode.Redirect, retried.StatusCode);
        Assert.Equal(Core.Workflows.WorkflowTimerStatus.Pending, (await _t.TimersAsync(instance.Id)).Single(t => t.Id == timer.Id).Status);
        Assert.Contains("no unresolved incidents", (await admin.GetPageAsync("/Admin/Incidents")).QuerySelector("main")!.TextContent);
    }
}
