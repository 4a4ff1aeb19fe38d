using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GrantManager.Tests.Support;

namespace GrantManager.Tests.Workflows;

public sealed class WorkflowApiTests : IAsyncLifetime
{
    private readonly WorkflowTestApp _t = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _t.DisposeAsync();

    [Fact]
    public async Task Staff_list_the_definitions_with_their_states()
    {
        var officer = await _t.App.ApiClientAsync("officer@example.org");
        var list = await officer.GetFromJsonAsync<JsonElement>("/api/workflows");
        var grant = list.EnumerateArray().Single(d => d.GetProperty("id").GetString() == "grant-application");
        Assert.Equal(1, grant.GetProperty("version").GetInt32());
        Assert.Equal("Grant application", grant.GetProperty("name").GetString());
        var states = grant.GetProperty("states").EnumerateArray().Select(s => s.GetProperty("name").GetString()).ToList();
        Assert.Equal(["eligibility", "more-information", "assessment", "delegated-decision", "panel-decision", "offer", "awarded", "rejected", "declined", "withdrawn"], states);
    }

    [Fact]
    public async Task One_definition_and_its_diagram()
    {
        var assessor = await _t.App.ApiClientAsync("assessor@example.org");
        var definition = await assessor.GetFromJsonAsync<JsonElement>("/api/workflows/everything?version=1");
        Assert.Equal("start", definition.GetProperty("initialState").GetString());
        Assert.Equal("amount <= 5000 and not urgent",
            definition.GetProperty("states").GetProperty("start").GetProperty("transitions")[0].GetProperty("when").GetString());

        var diagram = await assessor.GetAsync("/api/workflows/grant-application/diagram");
        Assert.Equal("text/plain", diagram.Content.Headers.ContentType?.MediaType);
        var text = await diagram.Content.ReadAsStringAsync();
        Assert.StartsWith("stateDiagram-v2", text);
        Assert.Contains("[*] --> eligibility", text);
        Assert.Contains("assessment --> delegated_decision : Recommend#58; fund", text);
        Assert.DoesNotContain("allTasksComplete", text);
        Assert.Contains("awarded --> [*]", text);

        var missing = await assessor.GetAsync("/api/workflows/grant-application?version=9");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("version 9", (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_instance_journal_lists_who_did_what_and_when()
    {
        var instance = await _t.StartEverythingAsync();
        var officerActor = await _t.ActorAsync("officer@example.org");
        var triage = (await _t.TasksAsync(instance.Id)).Single();
        await _t.RuntimeAsync((rt, _) => rt.CompleteTaskAsync(triage.Id, "stop", officerActor, "Out of area"));

        var officer = await _t.App.ApiClientAsync("officer@example.org");
        var view = await officer.GetFromJsonAsync<JsonElement>($"/api/workflow-instances/{instance.Id}");
        Assert.Equal("closed", view.GetProperty("state").GetString());
        Assert.True(view.GetProperty("completed").GetBoolean());
        var history = view.GetProperty("history").EnumerateArray().ToList();
        Assert.Equal(["started", "task-completed", "transition"], history.Select(h => h.GetProperty("kind").GetString()));
        Assert.Equal("Triage: Out of area", history[1].GetProperty("comment").GetString());
        Assert.Equal("Olivia Officer", history[2].GetProperty("actor").GetString());
    }

    [Fact]
    public async Task Actions_over_the_API_answer_409_403_and_400_as_problem_details()
    {
        var instance = await _t.StartEverythingAsync();
        var otherOrganisation = await _t.App.ApiClientAsync("applicant2@example.org");
        var officer = await _t.App.ApiClientAsync("officer@example.org");
        var applicant = await _t.App.ApiClientAsync("applicant@example.org");
        var url = $"/api/workflow-instances/{instance.Id}/actions";

        var foreign = await otherOrganisation.PostAsJsonAsync($"{url}/cancel", new { comment = "mine now" });
        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Equal("You can only act on your own organisation's applications", (await foreign.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await officer.PostAsJsonAsync($"{url}/cancel", new { })).StatusCode);

        var unknown = await applicant.PostAsJsonAsync($"{url}/approve", new { });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        var problem = await unknown.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Contains("'approve' is not possible", problem.GetProperty("errors").GetProperty("trigger")[0].GetString());

        var done = await applicant.PostAsJsonAsync($"{url}/cancel", new { comment = "We found other funding", version = instance.Version });
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Equal("closed", (await done.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());

        var late = await applicant.PostAsJsonAsync($"{url}/cancel", new { version = instance.Version });
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Contains("changed since you opened it", (await late.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal("closed", (await _t.InstanceAsync(instance.Id)).State);
    }

    [Theory]
    [InlineData("/api/workflows")]
    [InlineData("/api/workflows/grant-application")]
    [InlineData("/api/workflows/grant-application/diagram")]
    [InlineData("/api/workflow-incidents")]
    public async Task An_applicant_is_refused_the_workflow_API(string url)
    {
        var applicant = await _t.App.ApiClientAsync("applicant@example.org");
        Assert.Equal(HttpStatusCode.Forbidden, (await applicant.GetAsync(url)).StatusCode);
    }

    [Fact]
    public async Task An_applicant_cannot_read_an_instance_journal()
    {
        var instance = await _t.StartEverythingAsync();
        var applicant = await _t.App.ApiClientAsync("applicant@example.org");
        Assert.Equal(HttpStatusCode.Forbidden, (await applicant.GetAsync($"/api/workflow-instances/{instance.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _t.App.CreateClient().GetAsync("/api/workflows")).StatusCode);
    }
}
