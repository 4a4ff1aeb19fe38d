using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GrantManager.Core.Workflows;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GrantManager.Tests.Workflows;

/// <summary>
/// Workflow definitions as versions: published over the API, checked as start-up checks a file, used for new cases
/// on every node without a restart, while running cases stay on theirs until an administrator migrates them.
/// </summary>
public sealed class WorkflowVersionsTests
{
    private static readonly DateOnly Start = new(2027, 6, 1);
    private const string Monitoring = "monitoring-return";

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    /// <summary>The monitoring flow with one more reminder, three weeks before the report is due, while it is not yet open.</summary>
    private static async Task<string> WithEarlyReminderAsync(HttpClient admin)
    {
        var node = JsonNode.Parse(await admin.GetStringAsync($"/api/workflows/{Monitoring}"))!;
        node["states"]!["upcoming"]!["timers"]!.AsArray().Add(JsonNode.Parse("""
            { "id": "reminder-early", "offset": "-P21D", "from": "remindFrom", "email": { "template": "return-reminder", "to": "applicant" } }
            """));
        return node.ToJsonString();
    }

    private static Task<List<WorkflowInstance>> ReturnsOfAsync(GrantManagerFactory app, int applicationId) =>
        app.WithDbAsync(db => db.WorkflowInstances.AsNoTracking().Where(i => i.DefinitionId == Monitoring && i.CaseId == applicationId).OrderBy(i => i.CreatedAt).ToListAsync());

    private static Task<int> EarlyRemindersAsync(GrantManagerFactory app, Guid instanceId) =>
        app.WithDbAsync(db => db.WorkflowTimers.CountAsync(t => t.InstanceId == instanceId && t.TimerKey == "reminder-early" && t.Status == WorkflowTimerStatus.Pending));

    private sealed record Published(string Id, int Version);
    private sealed record Outcome(Guid Id, string From, string To, int TasksOpened, int TasksClosed, int TimersScheduled, int TimersCancelled);
    private sealed record Migrated(List<Outcome> Instances);

    [Fact]
    public async Task A_published_reminder_reaches_grants_awarded_after_it_and_a_migration_brings_earlier_ones_onto_it_once()
    {
        await using var app = new GrantManagerFactory();
        var admin = await app.ApiClientAsync("admin@example.org");
        var before = await app.AwardAsync(Start, Start.AddMonths(11));

        var response = await admin.PostAsync($"/api/workflows/{Monitoring}/versions?reason=Three+weeks%27+notice", Json(await WithEarlyReminderAsync(admin)));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(new Published(Monitoring, 2), await response.Content.ReadFromJsonAsync<Published>());
        Assert.Equal($"/api/workflows/{Monitoring}?version=2", response.Headers.Location!.OriginalString);
        var versions = JsonDocument.Parse(await admin.GetStringAsync($"/api/workflows/{Monitoring}/versions")).RootElement;
        Assert.Equal((2, "Adam Administrator", "published", "Three weeks' notice"),
            (versions[0].GetProperty("version").GetInt32(), versions[0].GetProperty("publishedBy").GetString(), versions[0].GetProperty("source").GetString(), versions[0].GetProperty("reason").GetString()));
        Assert.Equal((1, "file"), (versions[1].GetProperty("version").GetInt32(), versions[1].GetProperty("source").GetString()));
        // The version exported is the file format: the schema and the loader accept it, and it has the new reminder.
        var exported = await admin.GetStringAsync($"/api/workflows/{Monitoring}?version=2");
        Assert.Empty(app.Services.GetRequiredService<WorkflowCatalog>().Check(exported, out var loaded));
        Assert.Equal(2, loaded!.Version);
        Assert.Contains(loaded.States["upcoming"].Timers, t => t.Id == "reminder-early");

        var after = await app.AwardAsync(Start, Start.AddMonths(11), applicant: "applicant2@example.org");
        var old = await ReturnsOfAsync(app, before.ApplicationId);
        var fresh = await ReturnsOfAsync(app, after.ApplicationId);
        Assert.NotEmpty(old);
        Assert.All(old, i => Assert.Equal(1, i.DefinitionVersion));
        Assert.All(fresh, i => Assert.Equal(2, i.DefinitionVersion));
        foreach (var i in fresh) Assert.Equal(1, await EarlyRemindersAsync(app, i.Id));
        foreach (var i in old) Assert.Equal(0, await EarlyRemindersAsync(app, i.Id));

        // A dry run says what would happen to each case on version 1 and changes nothing.
        var plan = new { workflowId = Monitoring, fromVersion = 1, toVersion = 2, stateMap = new Dictionary<string, string>(), instanceIds = old.Select(i => i.Id).ToList(), dryRun = true, reason = (string?)null };
        var dry = await (await admin.PostAsJsonAsync("/api/workflow-instances/migrate", plan)).Content.ReadFromJsonAsync<Migrated>();
        Assert.Equal(old.Select(i => i.Id).Order(), dry!.Instances.Select(i => i.Id).Order());
        Assert.All(dry.Instances, i => Assert.Equal(new Outcome(i.Id, "upcoming", "upcoming", 0, 0, 1, 0), i));
        foreach (var i in old)
        {
            Assert.Equal(0, await EarlyRemindersAsync(app, i.Id));
            Assert.Equal(1, (await app.WithDbAsync(db => db.WorkflowInstances.SingleAsync(x => x.Id == i.Id))).DefinitionVersion);
        }

        // For real: each case is on version 2 with the reminder scheduled, journaled with who and why.
        var applied = await admin.PostAsJsonAsync("/api/workflow-instances/migrate", plan with { dryRun = false, reason = (string?)"Three weeks' notice for everyone" });
        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        Assert.All((await applied.Content.ReadFromJsonAsync<Migrated>())!.Instances, i => Assert.Equal(1, i.TimersScheduled));
        foreach (var i in old)
        {
            Assert.Equal(1, await EarlyRemindersAsync(app, i.Id));
            Assert.Equal(2, (await app.WithDbAsync(db => db.WorkflowInstances.SingleAsync(x => x.Id == i.Id))).DefinitionVersion);
            var entry = await app.WithDbAsync(db => db.WorkflowHistory.SingleAsync(h => h.InstanceId == i.Id && h.Kind == HistoryKinds.Migrated));
            Assert.Equal(("Adam Administrator", "Moved from version 1 to version 2: Three weeks' notice for everyone"), (entry.ActorName, entry.Comment));
        }
        // Nothing is left on version 1, so migrating again touches nothing; from 2 to 1 and back would not set the reminder twice either.
        var again = await (await admin.PostAsJsonAsync("/api/workflow-instances/migrate", new { workflowId = Monitoring, fromVersion = 1, toVersion = 2, dryRun = false, reason = "again" })).Content.ReadFromJsonAsync<Migrated>();
        Assert.Empty(again!.Instances);
        foreach (var i in old) Assert.Equal(1, await EarlyRemindersAsync(app, i.Id));
    }

    [Fact]
    public async Task Bad_definitions_are_refused_with_each_problem_at_its_path_and_nothing_is_stored()
    {
        await using var app = new GrantManagerFactory();
        var admin = await app.ApiClientAsync("admin@example.org");
        var shipped = await admin.GetStringAsync($"/api/workflows/{Monitoring}");
        // A value the schema refuses, and a meaning the loader refuses (the schema is checked first, as at start-up).
        var badOffset = JsonNode.Parse(shipped)!;
        badOffset["states"]!["due"]!["timers"]![0]!["offset"] = "three days before";
        var badTarget = JsonNode.Parse(shipped)!;
        badTarget["states"]!["review"]!["transitions"]![1]!["to"] = "nowhere";
        badTarget["states"]!["due"]!["timers"]![1]!["from"] = "someday";

        var check = JsonDocument.Parse(await (await admin.PostAsync("/api/workflows/validate", Json(badOffset.ToJsonString()))).Content.ReadAsStringAsync()).RootElement;
        var problem = Assert.Single(check.GetProperty("problems").EnumerateArray());
        Assert.Equal("$.states.due.timers[0].offset", problem.GetProperty("path").GetString());
        Assert.StartsWith("this value is not in the expected form", problem.GetProperty("message").GetString());
        var fine = JsonDocument.Parse(await (await admin.PostAsync("/api/workflows/validate", Json(shipped))).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(0, fine.GetProperty("problems").GetArrayLength());

        var refused = await admin.PostAsync($"/api/workflows/{Monitoring}/versions", Json(badTarget.ToJsonString()));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.Equal("target state 'nowhere' does not exist", errors.GetProperty("$.states.review.transitions[1].to")[0].GetString());
        Assert.Equal("'someday' is not entered, taskDue or a date field of this workflow", errors.GetProperty("$.states.due.timers[1].from")[0].GetString());

        // Not JSON at all, another definition's id, and the same definition again: each refused, by path.
        var notJson = JsonDocument.Parse(await (await admin.PostAsync($"/api/workflows/{Monitoring}/versions", Json("{ \"id\": "))).Content.ReadAsStringAsync()).RootElement;
        Assert.StartsWith("not valid JSON", notJson.GetProperty("errors").EnumerateObject().Single().Value[0].GetString());
        var renamed = JsonNode.Parse(await admin.GetStringAsync($"/api/workflows/{Monitoring}"))!;
        renamed["id"] = "something-else";
        var other = JsonDocument.Parse(await (await admin.PostAsync($"/api/workflows/{Monitoring}/versions", Json(renamed.ToJsonString()))).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal($"This is the definition '{Monitoring}': its id must stay '{Monitoring}'", other.GetProperty("errors").GetProperty("$.id")[0].GetString());
        var same = JsonDocument.Parse(await (await admin.PostAsync($"/api/workflows/{Monitoring}/versions", Json(await admin.GetStringAsync($"/api/workflows/{Monitoring}")))).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Nothing has changed: change the definition to publish a new version", same.GetProperty("errors").GetProperty("$")[0].GetString());

        Assert.Equal(1, (await admin.GetFromJsonAsync<JsonElement>($"/api/workflows/{Monitoring}/versions")).GetArrayLength());
        Assert.Equal(0, await app.WithDbAsync(db => db.Set<WorkflowDefinitionVersion>().CountAsync(v => v.Source == WorkflowVersionSources.Published)));
    }

    [Fact]
    public async Task Officers_and_applicants_may_not_publish_validate_migrate_or_operate_on_cases()
    {
        await using var app = new GrantManagerFactory();
        var officer = await app.ApiClientAsync("officer@example.org");
        var applicant = await app.ApiClientAsync("applicant@example.org");
        var admin = await app.ApiClientAsync("admin@example.org");
        var definition = await admin.GetStringAsync($"/api/workflows/{Monitoring}");
        var application = await app.SubmitApplicationAsync(Start, Start.AddMonths(11));
        var instance = await app.WithDbAsync(db => db.WorkflowInstances.Where(i => i.CaseId == application).Select(i => i.Id).SingleAsync());

        foreach (var client in new[] { officer, applicant })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync($"/api/workflows/{Monitoring}/versions", Json(definition))).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("/api/workflows/validate", Json(definition))).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsJsonAsync("/api/workflow-instances/migrate", new { workflowId = Monitoring, fromVersion = 1, toVersion = 2, dryRun = true })).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsJsonAsync($"/api/workflow-instances/{instance}/pause", new { reason = "x" })).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsJsonAsync($"/api/workflow-instances/{instance}/move", new { state = "closed", reason = "x" })).StatusCode);
        }
        // Reading a definition and its versions is for staff.
        Assert.Equal(HttpStatusCode.OK, (await officer.GetAsync($"/api/workflows/{Monitoring}/versions")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await applicant.GetAsync($"/api/workflows/{Monitoring}/versions")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await applicant.GetAsync($"/api/workflows/{Monitoring}")).StatusCode);
        Assert.Equal(0, await app.WithDbAsync(db => db.WorkflowHistory.CountAsync(h => h.Kind == HistoryKinds.Paused || h.Kind == HistoryKinds.Moved)));
    }

    [Fact]
    public async Task A_migration_to_a_stage_that_does_not_exist_or_has_no_way_out_is_refused_before_any_case_moves()
    {
        await using var app = new GrantManagerFactory();
        var admin = await app.ApiClientAsync("admin@example.org");
        var grant = await app.AwardAsync(Start, Start.AddMonths(11));
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync($"/api/workflows/{Monitoring}/versions?reason=r", Json(await WithEarlyReminderAsync(admin)))).StatusCode);

        async Task<JsonElement> ErrorsAsync(Dictionary<string, string> map)
        {
            var response = await admin.PostAsJsonAsync("/api/workflow-instances/migrate", new { workflowId = Monitoring, fromVersion = 1, toVersion = 2, stateMap = map, dryRun = false, reason = "r" });
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        }
        Assert.Equal("Version 2 has no stage 'limbo'", (await ErrorsAsync(new() { ["upcoming"] = "limbo" })).GetProperty("stateMap.upcoming")[0].GetString());
        Assert.Equal("The stage 'accepted' of version 2 has no way out for a case that is still running: choose another",
            (await ErrorsAsync(new() { ["upcoming"] = "accepted" })).GetProperty("stateMap.upcoming")[0].GetString());
        Assert.All(await ReturnsOfAsync(app, grant.ApplicationId), i => Assert.Equal(1, i.DefinitionVersion));
    }

    [Fact]
    public async Task An_instance_over_the_API_says_its_version_whether_it_is_paused_and_each_waiting_timer_with_when_it_fires()
    {
        await using var app = new GrantManagerFactory();
        var admin = await app.ApiClientAsync("admin@example.org");
        var grant = await app.AwardAsync(Start, Start.AddMonths(11));
        var instance = (await ReturnsOfAsync(app, grant.ApplicationId)).First();
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync($"/api/workflows/{Monitoring}/versions?reason=r", Json(await WithEarlyReminderAsync(admin)))).StatusCode);
        var timers = await app.WithDbAsync(db => db.WorkflowTimers.AsNoTracking()
            .Where(t => t.InstanceId == instance.Id && t.Status == WorkflowTimerStatus.Pending).OrderBy(t => t.DueAt).ToListAsync());
        Assert.NotEmpty(timers);

        var view = await admin.GetFromJsonAsync<JsonElement>($"/api/workflow-instances/{instance.Id}");
        // The case stays on version 1 of its workflow though version 2 is published; "version" is the case's own, which actions send back.
        Assert.Equal(1, view.GetProperty("definitionVersion").GetInt32());
        Assert.Equal(instance.Version, view.GetProperty("version").GetInt32());
        Assert.False(view.GetProperty("paused").GetBoolean());
        var pending = view.GetProperty("pendingTimers").EnumerateArray().ToList();
        Assert.Equal(timers.Select(t => t.Id), pending.Select(p => p.GetProperty("id").GetInt64()));
        Assert.Equal(timers.Select(t => t.DueAt), pending.Select(p => p.GetProperty("dueAt").GetDateTime()));
        Assert.All(pending, p => Assert.False(string.IsNullOrWhiteSpace(p.GetProperty("description").GetString())));
        Assert.Contains(pending, p => p.GetProperty("description").GetString()!.StartsWith("Moves the case on ("));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsJsonAsync($"/api/workflow-instances/{instance.Id}/pause", new { reason = "Grant holder in hospital" })).StatusCode);
        var paused = await admin.GetFromJsonAsync<JsonElement>($"/api/workflow-instances/{instance.Id}");
        Assert.True(paused.GetProperty("paused").GetBoolean());
        Assert.Equal(timers.Select(t => t.Id), paused.GetProperty("pendingTimers").EnumerateArray().Select(p => p.GetProperty("id").GetInt64()));
        Assert.All(paused.GetProperty("pendingTimers").EnumerateArray(), p => Assert.EndsWith("(paused)", p.GetProperty("description").GetString()));
    }

    [Fact]
    public async Task Two_nodes_over_one_database_a_version_published_on_one_starts_cases_on_the_other_without_a_restart()
    {
        await using var first = new GrantManagerFactory();
        first.Set("Workflows:Refresh", "00:00:01");
        var admin = await first.ApiClientAsync("admin@example.org");
        await using var second = GrantManagerFactory.After(first, clock: null).Set("Workflows:Refresh", "00:00:01");
        _ = second.Server;
        var catalog = second.Services.GetRequiredService<WorkflowCatalog>();
        Assert.Equal(1, catalog.Current.Find(Monitoring)!.Version);

        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync($"/api/workflows/{Monitoring}/versions?reason=r", Json(await WithEarlyReminderAsync(admin)))).StatusCode);

        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (catalog.Current.Find(Monitoring)!.Version != 2 && waited.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(100);
        Assert.Equal(2, catalog.Current.Find(Monitoring)!.Version);
        // A grant made through the second node has its returns on the new version, with the new reminder.
        var grant = await second.AwardAsync(Start, Start.AddMonths(11));
        var returns = await ReturnsOfAsync(second, grant.ApplicationId);
        Assert.NotEmpty(returns);
        Assert.All(returns, i => Assert.Equal(2, i.DefinitionVersion));
        foreach (var i in returns) Assert.Equal(1, await EarlyRemindersAsync(second, i.Id));
    }
}
