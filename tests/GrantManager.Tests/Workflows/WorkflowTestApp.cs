using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using GrantManager.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace GrantManager.Tests.Workflows;

/// <summary>
/// A workflows folder for tests: the repository's schema, definitions and templates, plus the
/// test definitions beside this file. Tests may add or change files before the app starts.
/// </summary>
public sealed class WorkflowFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "grantmanager-workflows", Guid.NewGuid().ToString("N"));

    public WorkflowFolder(bool withTestDefinitions = true)
    {
        var repository = FindRepositoryWorkflows();
        Directory.CreateDirectory(System.IO.Path.Combine(Path, "templates"));
        foreach (var file in Directory.GetFiles(repository, "*.json")) File.Copy(file, System.IO.Path.Combine(Path, System.IO.Path.GetFileName(file)));
        foreach (var file in Directory.GetFiles(System.IO.Path.Combine(repository, "templates")))
            File.Copy(file, System.IO.Path.Combine(Path, "templates", System.IO.Path.GetFileName(file)));
        // The council's districts are part of every workflows folder.
        Directory.CreateDirectory(System.IO.Path.Combine(Path, "settings"));
        foreach (var file in Directory.GetFiles(System.IO.Path.Combine(repository, "settings"), "districts*.json"))
            File.Copy(file, System.IO.Path.Combine(Path, "settings", System.IO.Path.GetFileName(file)));
        if (!withTestDefinitions) return;
        var tests = System.IO.Path.Combine(AppContext.BaseDirectory, "Workflows", "Definitions");
        foreach (var file in Directory.GetFiles(tests, "*.json")) File.Copy(file, System.IO.Path.Combine(Path, System.IO.Path.GetFileName(file)));
        foreach (var file in Directory.GetFiles(tests, "*.liquid")) File.Copy(file, System.IO.Path.Combine(Path, "templates", System.IO.Path.GetFileName(file)));
    }

    public static string FindRepositoryWorkflows()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "workflows", "workflow.schema.json")))
                return System.IO.Path.Combine(dir.FullName, "workflows");
        throw new DirectoryNotFoundException("workflows/ not found above the test binaries");
    }

    public void Write(string name, string text) => File.WriteAllText(System.IO.Path.Combine(Path, name), text);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The application on a fake clock with the test workflows; timers are driven by the test, one pass at a time.</summary>
public sealed class WorkflowTestApp : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2027, 1, 4, 9, 0, 0, TimeSpan.Zero);

    public FakeTimeProvider Clock { get; }
    public GrantManagerFactory App { get; }
    public WorkflowFolder Folder { get; }

    public WorkflowTestApp(WorkflowFolder? folder = null, FakeTimeProvider? clock = null, string? databasePath = null)
    {
        Folder = folder ?? new WorkflowFolder();
        Clock = clock ?? new FakeTimeProvider(Start);
        App = new GrantManagerFactory { Clock = Clock };
        App.Set("Workflows:Path", Folder.Path).Set("Workflows:RunTimers", "false");
        if (databasePath is not null) App.Set("ConnectionStrings:GrantManager", $"Data Source={databasePath}");
    }

    public DateTime Now => Clock.GetUtcNow().UtcDateTime;

    public async Task<T> RuntimeAsync<T>(Func<WorkflowRuntime, GrantDbContext, Task<T>> use)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await use(scope.ServiceProvider.GetRequiredService<WorkflowRuntime>(), scope.ServiceProvider.GetRequiredService<GrantDbContext>());
    }

    public async Task<Actor> ActorAsync(string email)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        var user = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException(email);
        return new Actor(user.Id, user.DisplayName, (await users.GetRolesAsync(user)).ToHashSet(), user.OrganisationId);
    }

    public async Task<WorkflowInstance> StartEverythingAsync(decimal amount = 3000, bool urgent = false, DateTime? deadline = null)
    {
        var data = new Dictionary<string, object?>
        {
            ["amount"] = amount, ["urgent"] = urgent, ["district"] = "Swale", ["deadline"] = deadline ?? Now.AddDays(30),
        };
        var subject = new WorkflowSubject("test", Guid.NewGuid().ToString("N")[..8], data)
        {
            Reference = "TEST-" + Random.Shared.Next(1000, 9999), Path = "/test",
            OrganisationId = (await ActorAsync("applicant@example.org")).OrganisationId,
            ContactEmail = "applicant@example.org", ContactName = "Amira Applicant",
        };
        var officer = await ActorAsync("officer@example.org");
        return await RuntimeAsync((rt, _) => rt.StartAsync("everything", subject, officer));
    }

    public Task<List<InboxTask>> TasksAsync(Guid instanceId) =>
        App.WithDbAsync(db => db.InboxTasks.AsNoTracking().Where(t => t.InstanceId == instanceId).OrderBy(t => t.Id).ToListAsync());

    public Task<List<WorkflowTimer>> TimersAsync(Guid instanceId) =>
        App.WithDbAsync(db => db.WorkflowTimers.AsNoTracking().Where(t => t.InstanceId == instanceId).OrderBy(t => t.Id).ToListAsync());

    public Task<WorkflowInstance> InstanceAsync(Guid id) =>
        App.WithDbAsync(db => db.WorkflowInstances.AsNoTracking().SingleAsync(i => i.Id == id));

    public Task<List<WorkflowHistoryEntry>> HistoryAsync(Guid id) =>
        App.WithDbAsync(db => db.WorkflowHistory.AsNoTracking().Where(h => h.InstanceId == id).OrderBy(h => h.Id).ToListAsync());

    public Task<List<GrantManager.Core.Email.OutboxEmail>> OutboxAsync(string subjectId) =>
        App.WithDbAsync(db => db.OutboxEmails.AsNoTracking().Where(m => m.SubjectId == subjectId).OrderBy(m => m.CreatedAt).ThenBy(m => m.ToAddress).ToListAsync());

    /// <summary>One pass of the timer processor, as the hosted service would run it.</summary>
    public Task<int> RunTimersAsync() => App.Services.GetRequiredService<TimerProcessor>().RunDueAsync();

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        Folder.Dispose();
    }
}
