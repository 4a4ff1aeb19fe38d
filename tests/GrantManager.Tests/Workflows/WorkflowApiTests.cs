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
        Assert.Contains("assessment --> delegated_decision : fund [allTasksComplete and amountRequested #lt;= 5000]", text);
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
