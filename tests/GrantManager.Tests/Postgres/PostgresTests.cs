using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GrantManager.Core.Workflows;
using GrantManager.Tests.Support;
using GrantManager.Tests.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace GrantManager.Tests.Postgres;

/// <summary>
/// The same application on PostgreSQL, the choice for several web nodes: its own migrations, the
/// runtime's SQL, and two nodes sharing the timers through FOR UPDATE SKIP LOCKED. The server is
/// the one ./test.sh starts; GRANTMANAGER_TEST_POSTGRES holds its connection string.
/// </summary>
public sealed class PostgresTests : IAsyncLifetime
{
    private readonly string _database = "grantmanager_test_" + Guid.NewGuid().ToString("N")[..12];
    private string ConnectionString => new NpgsqlConnectionStringBuilder(Server) { Database = _database }.ConnectionString;

    private static string Server => Environment.GetEnvironmentVariable("GRANTMANAGER_TEST_POSTGRES")
        ?? throw new InvalidOperationException("GRANTMANAGER_TEST_POSTGRES is not set: run the tests with ./test.sh, which starts PostgreSQL");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(Server);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    private GrantManagerFactory App(WorkflowFolder? folder = null, Microsoft.Extensions.Time.Testing.FakeTimeProvider? clock = null)
    {
        var app = new GrantManagerFactory { Clock = clock };
        app.Set("Database:Provider", "PostgreSql").Set("ConnectionStrings:GrantManager", ConnectionString);
        if (folder is not null) app.Set("Workflows:Path", folder.Path).Set("Workflows:RunTimers", "false");
        return app;
    }

    [Fact]
    public async Task The_register_searches_through_the_tsvector_index_on_PostgreSQL()
    {
        await using var app = App();
        var email = $"pg-{Guid.NewGuid():N}@example.org";
        await NewApplicant.RegisterCharityAsync(app, email, "Whitstable Oyster Singers", "1209911", "CT5 1AB");
        var start = DateOnly.FromDateTime(DateTime.UtcNow).AddMonths(2);
        var id = await app.SubmitApplicationAsync(start, start.AddMonths(11), 2200m, email);
        var reference = await app.WithDbAsync(db => db.Applications.Where(a => a.Id == id).Select(a => a.Reference).SingleAsync());
        var officer = await app.ApiClientAsync("officer@example.org");
        foreach (var q in new[] { reference, "oyster sing", "1209911", "CT5 1AB", "ct51ab" })
        {
            var rows = (await officer.GetFromJsonAsync<JsonElement>($"/api/applications?q={Uri.EscapeDataString(q)}")).EnumerateArray().ToList();
            Assert.Equal([id], rows.Select(r => r.GetProperty("id").GetInt32()));
        }
        // The application's workflow state is copied onto it by the triggers, so the register filters and counts by it.
        Assert.Equal([id], (await officer.GetFromJsonAsync<JsonElement>($"/api/applications?q={reference}&status=submitted&stage=eligibility"))
            .EnumerateArray().Select(r => r.GetProperty("id").GetInt32()));
        Assert.Empty((await officer.GetFromJsonAsync<JsonElement>($"/api/applications?q={reference}&status=draft")).EnumerateArray());
        var applicant = await app.SignedInAsync(email, NewApplicant.Password);
        await applicant.SubmitFormAsync("/Applicant/Organisation", new() { ["Input.Name"] = "Seasalter Shanty Choir" });
        Assert.Single((await officer.GetFromJsonAsync<JsonElement>("/api/applications?q=shanty")).EnumerateArray());
        Assert.Empty((await officer.GetFromJsonAsync<JsonElement>("/api/applications?q=oyster")).EnumerateArray());
        var tasks = await officer.GetAsync($"/api/tasks?applicationId={id}");
        Assert.Equal("1", tasks.Headers.GetValues("X-Total-Count").Single());
    }

    [Fact]
    public async Task The_application_migrates_seeds_and_runs_a_grant_journey_on_PostgreSQL()
    {
        await using var app = App();
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient().GetAsync("/health")).StatusCode);
        var applicant = await app.ApiClientAsync("applicant@example.org");
        var fundId = (await applicant.GetFromJsonAsync<JsonElement>("/api/funds")).EnumerateArray().Single().GetProperty("id").GetInt32();
        var created = await (await applicant.PostAsJsonAsync("/api/applications", new
        {
            fundId, projectTitle = "Allotment for wellbeing", projectSummary = "Shared growing.", innovation = "Run with a GP surgery.",
            beneficiaries = "Patients referred by GPs", districts = new[] { "Canterbury" }, startDate = DateTime.UtcNow.AddMonths(1).ToString("yyyy-MM-01"),
            endDate = DateTime.UtcNow.AddMonths(12).ToString("yyyy-MM-01"), amountRequested = 1800m,
            budget = new[] { new { item = "Seeds and tools", amount = 1800m } }, outcomes = new[] { new { measure = "people-supported", target = 25m } },
        })).Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("id").GetInt32();
        (await applicant.PostAsJsonAsync($"/api/applications/{id}/submit", new { declaration = true })).EnsureSuccessStatusCode();

        var officer = await app.ApiClientAsync("officer@example.org");
        var task = (await officer.GetFromJsonAsync<JsonElement>("/api/tasks")).EnumerateArray().Single(t => t.GetProperty("applicationId").GetInt32() == id);
        var results = await Task.WhenAll(
            officer.PostAsJsonAsync($"/api/tasks/{task.GetProperty("id").GetInt64()}/complete", new { outcome = "eligible" }),
            (await app.ApiClientAsync("officer@example.org")).PostAsJsonAsync($"/api/tasks/{task.GetProperty("id").GetInt64()}/complete", new { outcome = "eligible" }));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], results.Select(r => r.StatusCode).Order());

        var view = await applicant.GetFromJsonAsync<JsonElement>($"/api/applications/{id}");
        Assert.Equal(("submitted", "assessment"), (view.GetProperty("status").GetString(), view.GetProperty("stage").GetString()));
        await app.Smtp.WaitForAsync("assessor@example.org", "New task: Assess the application");
        var money = await app.WithDbAsync(db => db.Applications.Where(a => a.Id == id).Select(a => a.AmountRequested).SingleAsync());
        Assert.Equal(1800m, money);
    }

    [Fact]
    public async Task Drafts_started_at_the_same_moment_each_get_their_own_reference()
    {
        await using var app = App();
        var applicant = await app.ApiClientAsync("applicant@example.org");
        var fundId = (await applicant.GetFromJsonAsync<JsonElement>("/api/funds")).EnumerateArray().Single().GetProperty("id").GetInt32();

        var responses = await Task.WhenAll(Enumerable.Range(1, 8).Select(i =>
            applicant.PostAsJsonAsync("/api/applications", new { fundId, projectTitle = $"Walking group {i}" })));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var references = await Task.WhenAll(responses.Select(async r => (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reference").GetString()));
        Assert.Equal(8, references.Distinct().Count());
        var stored = await app.WithDbAsync(db => db.Applications.Where(a => a.ProjectTitle!.StartsWith("Walking group")).Select(a => a.Reference).ToListAsync());
        Assert.Equal(references.Order(), stored.Order());
    }

    [Fact]
    public async Task Two_assessors_taking_the_two_copies_at_the_same_moment_neither_deadlock_nor_lose_who_holds_what()
    {
        await using var app = App();
        var asha = await app.ApiClientAsync("assessor@example.org");
        var aled = await app.ApiClientAsync("assessor2@example.org");
        var start = DateOnly.FromDateTime(DateTime.UtcNow.AddMonths(2));
        for (var round = 0; round < 4; round++)
        {
            var id = await app.SubmitApplicationAsync(start, start.AddMonths(10));
            await app.CompleteAsync((await app.OpenTaskAsync(Core.Applications.ApplicationService.SubjectType, id))!.Id, "officer@example.org", new TaskCompletion("eligible", null));
            var copies = await app.WithDbAsync(db => db.InboxTasks.Where(t => t.Instance!.SubjectId == id.ToString() && t.TaskKey == "assess" && t.Status == InboxTaskStatus.Open)
                .OrderBy(t => t.Id).Select(t => t.Id).ToListAsync());
            Assert.Equal(2, copies.Count);

            var claims = await Task.WhenAll(asha.PostAsync($"/api/tasks/{copies[0]}/claim", null), aled.PostAsync($"/api/tasks/{copies[1]}/claim", null));

            // Each claim is taken or refused as a clash on the case (409); a deadlock would be a 500.
            Assert.All(claims, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.NoContent, HttpStatusCode.Conflict }));
            Assert.Contains(claims, r => r.StatusCode == HttpStatusCode.NoContent);
            var held = await app.WithDbAsync(db => db.InboxTasks.Where(t => copies.Contains(t.Id)).Select(t => new { t.Id, t.AssigneeId }).ToListAsync());
            var expected = held.Where(t => t.AssigneeId != null).Select(t => $"{copies.Single(c => c != t.Id)}:{t.AssigneeId}").Order().ToList();
            var rows = await app.WithDbAsync(db => db.InboxTaskExclusions.Where(x => copies.Contains(x.TaskId)).Select(x => new { x.TaskId, x.UserId, x.Conflict }).ToListAsync());
            Assert.Equal(expected, rows.Select(x => $"{x.TaskId}:{x.UserId}").Order().ToList());
            Assert.DoesNotContain(rows, x => x.Conflict);
        }
    }

    [Fact]
    public async Task Two_nodes_share_due_timers_and_each_fires_exactly_once()
    {
        using var folder = new WorkflowFolder();
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(WorkflowTestApp.Start);
        await using var first = App(folder, clock);
        await using var second = App(folder, clock);
        _ = first.Services;
        _ = second.Services;

        var officer = await ActorAsync(first, "officer@example.org");
        var ids = new List<Guid>();
        for (var i = 0; i < 120; i++)
        {
            await using var scope = first.Services.CreateAsyncScope();
            var instance = await scope.ServiceProvider.GetRequiredService<WorkflowRuntime>().StartAsync("everything",
                new WorkflowSubject("test", $"pg-{i}", new Dictionary<string, object?> { ["amount"] = 100m, ["deadline"] = clock.GetUtcNow().UtcDateTime.AddDays(30) })
                { Reference = $"PG-{i}", ContactEmail = "applicant@example.org" }, officer);
            ids.Add(instance.Id);
        }
        // Every instance's reminder (day 4) is due; two nodes run their processors at the same time.
        clock.Advance(TimeSpan.FromDays(4));
        var fired = await Task.WhenAll(
            Task.Run(() => first.Services.GetRequiredService<TimerProcessor>().RunDueAsync()),
            Task.Run(() => second.Services.GetRequiredService<TimerProcessor>().RunDueAsync()));

        Assert.Equal(120, fired.Sum());
        var done = await first.WithDbAsync(db => db.WorkflowTimers.CountAsync(t => t.TimerKey == "nudge" && t.Status == WorkflowTimerStatus.Done));
        Assert.Equal(120, done);
        var history = await first.WithDbAsync(db => db.WorkflowHistory.CountAsync(h => h.Kind == HistoryKinds.Timer));
        Assert.Equal(120, history);
    }

    private static async Task<Actor> ActorAsync(GrantManagerFactory app, string email)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Core.Data.User>>();
        var user = (await users.FindByEmailAsync(email))!;
        return new Actor(user.Id, user.DisplayName, (await users.GetRolesAsync(user)).ToHashSet(), user.OrganisationId);
    }
}
