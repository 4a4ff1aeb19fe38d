using System.Net;
using System.Net.Http.Json;
using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GrantManager.Tests.Workflows;

/// <summary>
/// Case journals, task ids and applications show each person what their work needs: found in a
/// security review, where any staff member read every journal and any signed-in person learnt a
/// task's outcome from its id.
/// </summary>
public sealed class CaseAccessTests(GrantManagerFactory app) : IClassFixture<GrantManagerFactory>
{
    private Task<Guid> InstanceOfAsync(int applicationId) =>
        app.WithDbAsync(db => db.Applications.Where(a => a.Id == applicationId).Select(a => a.WorkflowInstanceId!.Value).SingleAsync());

    private Task<List<InboxTask>> AssessmentsAsync(int applicationId) =>
        app.WithDbAsync(db => db.InboxTasks.Include(t => t.Instance).Where(t => t.Instance!.SubjectId == applicationId.ToString() && t.TaskKey == "assess").OrderBy(t => t.Id).ToListAsync());

    private async Task DeclareNoConflictAsync(long taskId, string email)
    {
        var actor = await app.ActorAsync(email);
        await app.WithAsync(async sp => { await sp.GetRequiredService<WorkflowRuntime>().DeclareConflictAsync(taskId, false, null, actor); return 0; });
    }

    private async Task<Dictionary<int, int>> ScoresAsync() =>
        (await app.WithDbAsync(db => db.Criteria.Select(c => c.Id).ToListAsync())).ToDictionary(c => c, _ => 3);

    private async Task<string> EverythingSeenAsync(string email, Guid instance, long? task = null)
    {
        var api = await app.ApiClientAsync(email);
        var page = await app.SignedInAsync(email);
        var seen = await api.GetStringAsync($"/api/workflow-instances/{instance}") + await page.GetStringAsync($"/Staff/Workflows/Instance/{instance}");
        if (task is long t) seen += await page.GetStringAsync($"/Staff/Tasks/{t}");
        return seen;
    }

    [Fact]
    public async Task An_assessor_reads_the_other_assessors_recommendation_only_after_completing_their_own()
    {
        var id = (await app.CreateApplicationAsync(a => a.Submitted())).Id;
        var instance = await InstanceOfAsync(id);
        await app.CompleteAsync((await app.OpenTaskAsync(ApplicationService.SubjectType, id))!.Id, "officer@example.org", new TaskCompletion("eligible", null));
        var scores = (await ScoresAsync()).ToDictionary(s => s.Key.ToString(), s => s.Value);
        var (first, second) = (await AssessmentsAsync(id)) is [var a, var b] ? (a, b) : throw new InvalidOperationException("two assessments");
        await DeclareNoConflictAsync(first.Id, "assessor@example.org");
        await app.CompleteAsync(first.Id, "assessor@example.org", new TaskCompletion("do-not-fund", "FIRST-ASSESSOR-REASONS: the budget does not add up", scores));

        // Before declaring, the second assessor may not open the case at all.
        var api = await app.ApiClientAsync("assessor2@example.org");
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/workflow-instances/{instance}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await (await app.SignedInAsync("assessor2@example.org")).GetAsync($"/Staff/Workflows/Instance/{instance}")).StatusCode);

        // Declared, doing their own: the case, but not the other's comments, scores or recommendation.
        await DeclareNoConflictAsync(second.Id, "assessor2@example.org");
        var before = await EverythingSeenAsync("assessor2@example.org", instance, second.Id);
        Assert.DoesNotContain("FIRST-ASSESSOR-REASONS", before);
        var journal = await api.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/workflow-instances/{instance}");
        Assert.DoesNotContain("do-not-fund", journal.GetRawText());
        Assert.Contains(journal.GetProperty("history").EnumerateArray(), h => h.GetProperty("kind").GetString() == HistoryKinds.TaskCompleted);

        await app.CompleteAsync(second.Id, "assessor2@example.org", new TaskCompletion("fund", "Second view", scores));
        Assert.Contains("FIRST-ASSESSOR-REASONS", await EverythingSeenAsync("assessor2@example.org", instance));
        Assert.Contains("FIRST-ASSESSOR-REASONS", await EverythingSeenAsync("officer@example.org", instance));
    }

    [Fact]
    public async Task An_assessor_with_a_conflict_of_interest_cannot_read_the_case()
    {
        var id = (await app.CreateApplicationAsync(a => a.Submitted())).Id;
        var instance = await InstanceOfAsync(id);
        await app.CompleteAsync((await app.OpenTaskAsync(ApplicationService.SubjectType, id))!.Id, "officer@example.org", new TaskCompletion("eligible", "OFFICER-NOTE"));
        var task = (await AssessmentsAsync(id))[0];
        var actor = await app.ActorAsync("assessor2@example.org");
        await app.WithAsync(async sp => { await sp.GetRequiredService<WorkflowRuntime>().DeclareConflictAsync(task.Id, true, "My sister runs it", actor); return 0; });

        var api = await app.ApiClientAsync("assessor2@example.org");
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/workflow-instances/{instance}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await (await app.SignedInAsync("assessor2@example.org")).GetAsync($"/Staff/Workflows/Instance/{instance}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync($"/api/applications/{id}")).StatusCode);
    }

    [Fact]
    public async Task A_task_id_tells_someone_who_may_not_see_the_task_nothing()
    {
        var id = (await app.CreateApplicationAsync(a => a.Submitted())).Id;
        var check = (await app.OpenTaskAsync(ApplicationService.SubjectType, id))!;
        await app.CompleteAsync(check.Id, "officer@example.org", new TaskCompletion("more-information-needed", "Please send your accounts") { MessageToApplicant = "Please send your accounts" });

        // Another organisation's applicant, and staff whose role the task is not for, learn nothing: 404 whatever its state.
        foreach (var email in new[] { "applicant2@example.org", "assessor@example.org", "finance@example.org" })
        {
            var api = await app.ApiClientAsync(email);
            var answers = new List<HttpResponseMessage>
            {
                await api.PostAsync($"/api/tasks/{check.Id}/claim", null),
                await api.PostAsync($"/api/tasks/{check.Id}/release", null),
                await api.PostAsJsonAsync($"/api/tasks/{check.Id}/declare", new { hasConflict = false }),
                await api.PostAsJsonAsync($"/api/tasks/{check.Id}/complete", new { outcome = "eligible" }),
            };
            foreach (var answer in answers)
            {
                Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
                var body = await answer.Content.ReadAsStringAsync();
                Assert.DoesNotContain("Olivia", body);
                Assert.DoesNotContain("more-information", body);
            }
            // And a task id that does not exist answers the same.
            Assert.Equal(HttpStatusCode.NotFound, (await api.PostAsync("/api/tasks/999999/claim", null)).StatusCode);
        }
        var assessorPage = await app.SignedInAsync("assessor@example.org");
        Assert.Equal(HttpStatusCode.NotFound, (await assessorPage.GetAsync($"/Staff/Tasks/{check.Id}")).StatusCode);
        var claim = await assessorPage.PostFormAsync($"/Staff/Tasks/{check.Id}?handler=Claim", new(), "/Staff/Inbox");
        Assert.Equal(HttpStatusCode.NotFound, claim.StatusCode);
        Assert.DoesNotContain("Olivia", await claim.Content.ReadAsStringAsync());

        // The people the task is for still hear what happened to it.
        var officer = await app.ApiClientAsync("officer@example.org");
        var again = await officer.PostAsync($"/api/tasks/{check.Id}/claim", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("already completed by Olivia Officer", await again.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_panel_member_reads_the_assessments_of_what_the_panel_decides_and_nothing_else()
    {
        var panelCase = (await app.CreateApplicationAsync(a => a.Asking(8000m).Assessed())).Id;
        var officerCase = (await app.CreateApplicationAsync(a => a.Asking(3000m).Assessed())).Id;

        var panel = await app.ApiClientAsync("panel@example.org");
        var decided = await panel.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/applications/{panelCase}");
        Assert.Contains(decided.GetProperty("history").EnumerateArray(), h => h.GetProperty("comment").GetString()?.Contains("Good") == true);
        Assert.Equal(HttpStatusCode.OK, (await panel.GetAsync($"/api/workflow-instances/{await InstanceOfAsync(panelCase)}")).StatusCode);
        var decisionTask = (await app.OpenTaskAsync(ApplicationService.SubjectType, panelCase))!;
        var taskPage = await (await app.SignedInAsync("panel@example.org")).GetPageAsync($"/Staff/Tasks/{decisionTask.Id}");
        Assert.Contains("Good", taskPage.QuerySelector("main")!.TextContent);

        Assert.Equal(HttpStatusCode.Forbidden, (await panel.GetAsync($"/api/applications/{officerCase}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await panel.GetAsync($"/api/workflow-instances/{await InstanceOfAsync(officerCase)}")).StatusCode);
    }

    [Fact]
    public async Task A_finance_officer_sees_the_grant_and_its_payments_but_not_the_assessments()
    {
        var pending = (await app.CreateApplicationAsync(a => a.Assessed())).Id;
        var grant = await app.CreateGrantAsync();

        var finance = await app.ApiClientAsync("finance@example.org");
        var awarded = await finance.GetAsync($"/api/applications/{grant.ApplicationId}");
        Assert.Equal(HttpStatusCode.OK, awarded.StatusCode);
        var body = await awarded.Content.ReadAsStringAsync();
        Assert.DoesNotContain("Good", body);
        var journal = await finance.GetStringAsync($"/api/workflow-instances/{await InstanceOfAsync(grant.ApplicationId)}");
        Assert.DoesNotContain("Good", journal);
        Assert.DoesNotContain(HistoryKinds.TaskCompleted, journal);
        Assert.Equal(HttpStatusCode.OK, (await finance.GetAsync($"/api/grants/{grant.Id}")).StatusCode);

        // An application still being decided is not finance's to read.
        Assert.Equal(HttpStatusCode.Forbidden, (await finance.GetAsync($"/api/applications/{pending}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await finance.GetAsync($"/api/workflow-instances/{await InstanceOfAsync(pending)}")).StatusCode);

        // The officer still sees the whole journal.
        Assert.Contains("Good", await (await app.ApiClientAsync("officer@example.org")).GetStringAsync($"/api/workflow-instances/{await InstanceOfAsync(grant.ApplicationId)}"));
    }
}
