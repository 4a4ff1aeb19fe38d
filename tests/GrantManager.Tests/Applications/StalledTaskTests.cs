using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GrantManager.Core.Applications;
using GrantManager.Core.Workflows;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace GrantManager.Tests.Applications;

/// <summary>
/// One conflict of interest with two assessors: the second assessment has nobody who may take it.
/// The assign list offers only people who may take a task, the inbox and the task page say so, and a
/// grant officer either gives it to a grant officer standing in or sets it aside with a reason.
/// </summary>
public sealed class StalledTaskTests : IAsyncLifetime
{
    private static readonly DateOnly Start = new(2027, 8, 1), End = new(2028, 7, 31);
    // 7:07pm UTC in June is 8:07pm in the UK.
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2027, 6, 1, 19, 7, 0, TimeSpan.Zero));
    private readonly GrantManagerFactory _app;

    public StalledTaskTests() => _app = new GrantManagerFactory { Clock = _clock }.Set("Workflows:RunTimers", "false");

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>An application past eligibility, with its two assessment tasks.</summary>
    private async Task<(int Id, string Reference, long First, long Second)> AtAssessmentAsync()
    {
        var id = await _app.SubmitApplicationAsync(Start, End, 3000m);
        await _app.CompleteAsync((await _app.OpenTaskAsync(ApplicationService.SubjectType, id))!.Id, "officer@example.org", new TaskCompletion("eligible", null));
        var tasks = await _app.WithDbAsync(db => db.InboxTasks.Where(t => t.Instance!.SubjectId == id.ToString() && t.TaskKey == "assess" && t.Status == InboxTaskStatus.Open)
            .OrderBy(t => t.Id).Select(t => t.Id).ToListAsync());
        var reference = await _app.WithDbAsync(db => db.Applications.Where(a => a.Id == id).Select(a => a.Reference).SingleAsync());
        return (id, reference, tasks[0], tasks[1]);
    }

    private Task RuntimeAsync(Func<WorkflowRuntime, Actor, Task> act, string email) => _app.WithAsync(async sp =>
    {
        await act(sp.GetRequiredService<WorkflowRuntime>(), await _app.ActorAsync(email));
        return 0;
    });

    private async Task AssessAsync(long taskId, string email)
    {
        var criteria = await _app.WithDbAsync(db => db.Criteria.Select(c => c.Id).ToListAsync());
        await RuntimeAsync((r, a) => r.DeclareConflictAsync(taskId, false, null, a), email);
        await _app.CompleteAsync(taskId, email, new TaskCompletion("fund", "Strong and well costed", criteria.ToDictionary(c => c.ToString(), _ => 4)));
    }

    private static List<string> Options(AngleSharp.Html.Dom.IHtmlDocument page) =>
        page.QuerySelectorAll("#AssignTo option").Select(o => o.TextContent.Trim()).Where(t => t != "Choose someone").ToList();

    [Fact]
    public async Task The_assign_list_offers_only_people_who_may_take_the_task()
    {
        var (_, _, first, second) = await AtAssessmentAsync();
        var officer = await _app.SignedInAsync("officer@example.org");

        // Before anyone acts, either assessor may take either copy.
        Assert.Equal(["Aled Assessor", "Asha Assessor"], Options(await officer.GetPageAsync($"/Staff/Tasks/{second}")));

        // Aled takes the first; he may not also be given the second.
        await RuntimeAsync((r, a) => r.ClaimTaskAsync(first, a), "assessor2@example.org");
        Assert.Equal(["Asha Assessor"], Options(await officer.GetPageAsync($"/Staff/Tasks/{second}")));

        // Asha declares a conflict: she is barred, so no assessor is left for the second copy.
        await RuntimeAsync((r, a) => r.DeclareConflictAsync(second, true, "My sister chairs the trust", a), "assessor@example.org");
        var page = await officer.GetPageAsync($"/Staff/Tasks/{second}");
        var offered = Options(page);
        Assert.DoesNotContain(offered, o => o.Contains("Asha") || o.Contains("Aled"));
        Assert.Equal(["Olivia Officer (grant officer, standing in)"], offered);
        Assert.Contains("No eligible assessor", page.QuerySelector("#nobody-eligible")!.TextContent);

        // The runtime refuses the barred people too, naming why.
        var aledId = await _app.WithDbAsync(db => db.Users.Where(u => u.Email == "assessor2@example.org").Select(u => u.Id).SingleAsync());
        var refused = await Assert.ThrowsAsync<WorkflowInvalidException>(() => RuntimeAsync((r, a) => r.AssignTaskAsync(second, aledId, a), "officer@example.org"));
        Assert.Equal("Aled Assessor is doing or has done the other 'Assess the application' task for this application; someone else must do this one", refused.Message);
    }

    [Fact]
    public async Task The_stalled_task_is_flagged_on_the_inbox_and_a_grant_officer_can_stand_in()
    {
        var (id, reference, first, second) = await AtAssessmentAsync();
        await RuntimeAsync((r, a) => r.DeclareConflictAsync(first, true, "I volunteer there", a), "assessor@example.org");
        await AssessAsync(first, "assessor2@example.org");

        var officer = await _app.SignedInAsync("officer@example.org");
        var inbox = await officer.GetPageAsync("/Staff/Inbox");
        var row = inbox.QuerySelectorAll("tbody tr").Single(r => r.TextContent.Contains($"Assess the application for {reference}"));
        Assert.Equal("No eligible assessor", row.QuerySelector(".app-task-stalled")!.TextContent.Trim());
        Assert.Contains("Assign someone or override", row.TextContent);
        Assert.Contains("1 task has nobody eligible to take it", inbox.QuerySelector("#stalled-tasks")!.TextContent);

        var url = $"/Staff/Tasks/{second}";
        var olivia = (await officer.GetPageAsync(url)).QuerySelectorAll("#AssignTo option").Single(o => o.TextContent.StartsWith("Olivia Officer")).GetAttribute("value")!;
        var assigned = await officer.SubmitFormAsync(url, new() { ["AssignTo"] = olivia }, "form[action*='handler=Assign']");
        Assert.Equal(HttpStatusCode.Redirect, assigned.StatusCode);
        var stored = await _app.WithDbAsync(db => db.InboxTasks.SingleAsync(t => t.Id == second));
        Assert.Equal("Olivia Officer", stored.AssigneeName);
        var history = await _app.WithDbAsync(db => db.WorkflowHistory.Where(h => h.InstanceId == stored.InstanceId && h.Kind == HistoryKinds.TaskAssigned).Select(h => h.Comment).ToListAsync());
        Assert.Contains("Assess the application: Assigned to Olivia Officer, a grant officer standing in: no assessor may take it", history);

        // The stand-in finds it in her own inbox, declares, assesses, and the application goes to the decision.
        Assert.Contains((await officer.GetPageAsync("/Staff/Inbox")).QuerySelectorAll("tbody a"), a => a.TextContent.Contains($"Assess the application for {reference}"));
        Assert.Equal(HttpStatusCode.Redirect, (await officer.SubmitFormAsync(url, new() { ["Input.HasConflict"] = "false" })).StatusCode);
        await AssessAsync(second, "officer@example.org");
        var api = await _app.ApiClientAsync("officer@example.org");
        Assert.Equal("delegated-decision", (await api.GetFromJsonAsync<JsonElement>($"/api/applications/{id}")).GetProperty("stage").GetString());
    }

    [Fact]
    public async Task A_task_is_stalled_only_while_its_other_copy_is_held_and_a_barred_assessor_never_sees_or_takes_it()
    {
        var (id, reference, first, second) = await AtAssessmentAsync();
        var officer = await _app.SignedInAsync("officer@example.org");
        var asha = await _app.ApiClientAsync("assessor@example.org");
        await RuntimeAsync((r, a) => r.DeclareConflictAsync(second, true, "I volunteer there", a), "assessor@example.org");

        // Aled may still take either copy: nothing is stalled, and the grant officer's list does not hold the assessments.
        var before = await officer.GetPageAsync("/Staff/Inbox");
        Assert.Null(before.QuerySelector("#stalled-tasks"));
        Assert.DoesNotContain(before.QuerySelectorAll("tbody a"), a => a.GetAttribute("href")!.Contains($"/Staff/Tasks/{second}"));

        // Aled takes the first: nobody may take the second.
        await RuntimeAsync((r, a) => r.ClaimTaskAsync(first, a), "assessor2@example.org");
        var inbox = await officer.GetPageAsync("/Staff/Inbox");
        Assert.Contains("1 task has nobody eligible to take it", inbox.QuerySelector("#stalled-tasks")!.TextContent);
        var row = inbox.QuerySelectorAll("tbody tr").Single(r => r.TextContent.Contains($"Assess the application for {reference}") && r.QuerySelector(".app-task-stalled") is not null);
        Assert.Contains($"/Staff/Tasks/{second}", row.QuerySelector("a")!.GetAttribute("href"));

        // He puts it back: either copy is his to take again, so nothing is stalled, and he may be given the second.
        await RuntimeAsync((r, a) => r.ReleaseTaskAsync(first, a), "assessor2@example.org");
        inbox = await officer.GetPageAsync("/Staff/Inbox");
        Assert.Null(inbox.QuerySelector("#stalled-tasks"));
        Assert.DoesNotContain(inbox.QuerySelectorAll("tbody a"), a => a.GetAttribute("href")!.Contains($"/Staff/Tasks/{second}"));
        Assert.Equal(["Aled Assessor"], Options(await officer.GetPageAsync($"/Staff/Tasks/{second}")));

        // Asha, barred by her conflict, sees neither copy in her list and may take neither.
        Assert.DoesNotContain((await asha.GetFromJsonAsync<JsonElement>("/api/tasks")).EnumerateArray(), t => t.GetProperty("applicationId").GetInt32() == id);
        foreach (var task in new[] { first, second })
            Assert.Equal(HttpStatusCode.Forbidden, (await asha.PostAsync($"/api/tasks/{task}/claim", null)).StatusCode);
    }

    [Fact]
    public async Task A_grant_officer_sets_the_stalled_task_aside_with_a_reason_and_the_application_moves_on()
    {
        var (id, reference, first, second) = await AtAssessmentAsync();
        await RuntimeAsync((r, a) => r.DeclareConflictAsync(first, true, "I volunteer there", a), "assessor@example.org");
        await AssessAsync(first, "assessor2@example.org");
        var officer = await _app.SignedInAsync("officer@example.org");
        var url = $"/Staff/Tasks/{second}";

        var blank = await officer.SubmitFormAsync(url, new(), "#override-form");
        var errors = (await blank.ReadPageAsync()).ErrorSummary();
        Assert.Equal(["Enter the reason for going ahead without this task"], errors);

        var done = await officer.SubmitFormAsync(url, new() { ["OverrideReason"] = "Only one assessor is free of a conflict of interest" }, "#override-form");
        Assert.Equal("/Staff/Inbox", done.Headers.Location!.OriginalString);

        var task = await _app.WithDbAsync(db => db.InboxTasks.SingleAsync(t => t.Id == second));
        Assert.Equal(InboxTaskStatus.SetAside, task.Status);
        Assert.Equal("Only one assessor is free of a conflict of interest", task.Comment);
        var entries = await _app.WithDbAsync(db => db.WorkflowHistory.Where(h => h.InstanceId == task.InstanceId).OrderBy(h => h.Id).ToListAsync());
        var overridden = entries.Single(h => h.Kind == HistoryKinds.TaskOverridden);
        Assert.Equal("Olivia Officer", overridden.ActorName);
        Assert.Equal("Assess the application: not needed: Only one assessor is free of a conflict of interest", overridden.Comment);
        var api = await _app.ApiClientAsync("officer@example.org");
        Assert.Equal("delegated-decision", (await api.GetFromJsonAsync<JsonElement>($"/api/applications/{id}")).GetProperty("stage").GetString());

        // The decision page's history says who set it aside and why; the set-aside task says so too.
        var decision = await _app.OpenTaskAsync(ApplicationService.SubjectType, id);
        var decisionPage = await officer.GetPageAsync($"/Staff/Tasks/{decision!.Id}");
        Assert.Contains("Olivia Officer, task set aside: Assess the application: not needed: Only one assessor is free of a conflict of interest", decisionPage.QuerySelector("main")!.TextContent);
        Assert.Contains("This task was set aside by Olivia Officer on 1 June 2027 at 8:07pm", (await officer.GetPageAsync(url)).QuerySelector(".govuk-inset-text")!.TextContent);
        Assert.Empty((await officer.GetPageAsync("/Staff/Inbox")).QuerySelectorAll(".app-task-stalled"));
    }

    [Fact]
    public async Task The_override_endpoint_needs_a_reason_a_grant_officer_and_a_task_nobody_can_take()
    {
        var (id, _, first, second) = await AtAssessmentAsync();
        var officer = await _app.ApiClientAsync("officer@example.org");

        var early = await officer.PostAsJsonAsync($"/api/tasks/{second}/override", new { reason = "Short of time" });
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Contains("Aled Assessor, Asha Assessor can still take this task: assign it instead", await early.Content.ReadAsStringAsync());

        await RuntimeAsync((r, a) => r.DeclareConflictAsync(first, true, "I volunteer there", a), "assessor@example.org");
        await AssessAsync(first, "assessor2@example.org");
        var assessor = await _app.ApiClientAsync("assessor2@example.org");
        Assert.Equal(HttpStatusCode.Forbidden, (await assessor.PostAsJsonAsync($"/api/tasks/{second}/override", new { reason = "Quicker" })).StatusCode);
        var noReason = await officer.PostAsJsonAsync($"/api/tasks/{second}/override", new { reason = " " });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Contains("reason", (await noReason.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(p => p.Name));

        var ok = await officer.PostAsJsonAsync($"/api/tasks/{second}/override", new { reason = "Only one assessor is free of a conflict" });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("delegated-decision", (await ok.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("stage").GetString());

        // Completing the first copy again is refused with who and when, in UK time.
        var again = await Assert.ThrowsAsync<WorkflowConflictException>(() => RuntimeAsync((r, a) => r.CompleteTaskAsync(first, "fund", a), "assessor2@example.org"));
        Assert.Equal("This task was already completed by Aled Assessor on 1 June 2027 at 8:07pm (Recommend: fund)", again.Message);
        var stage = (await officer.GetFromJsonAsync<JsonElement>($"/api/applications/{id}")).GetProperty("stage").GetString();
        Assert.Equal("delegated-decision", stage);
    }

    [Fact]
    public async Task The_error_summary_follows_the_order_of_the_fields_on_the_page()
    {
        // The assessment form shows the scores first, then the outcome, then the comment.
        var (_, _, first, _) = await AtAssessmentAsync();
        await RuntimeAsync((r, a) => r.DeclareConflictAsync(first, false, null, a), "assessor@example.org");
        var assessor = await _app.SignedInAsync("assessor@example.org");
        var url = $"/Staff/Tasks/{first}";

        var response = await assessor.SubmitFormAsync(url, new(), "form[action*='handler=Complete']");

        var page = await response.ReadPageAsync();
        var errors = page.ErrorSummary();
        Assert.Equal(["Score 'Need and benefit' from 0 to 5", "Score 'Innovation' from 0 to 5", "Score 'Deliverability' from 0 to 5", "Score 'Social value' from 0 to 5",
            "Choose an outcome: Recommend: fund or Recommend: do not fund", "Explain your scores and recommendation"], errors);
        var targets = page.QuerySelectorAll(".govuk-error-summary__list a").Select(a => a.GetAttribute("href")![1..]).ToList();
        Assert.All(targets, id => Assert.NotNull(page.GetElementById(id)));
    }
}
