using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using GrantManager.Core.Email;
using GrantManager.Core.Workflows;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GrantManager.Bench;

/// <summary>The Core services wired as the web host wires them, over a fresh SQLite file.</summary>
internal sealed class BenchHost : IAsyncDisposable
{
    public ServiceProvider Services { get; }
    public string DatabasePath { get; }
    public string ConnectionString { get; }

    public BenchHost(string workflowFolder, TimeProvider? time = null, IReadOnlyCollection<string>? handlerNames = null, Action<IServiceCollection>? more = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "grantmanager-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        DatabasePath = Path.Combine(directory, "bench.db");
        ConnectionString = $"Data Source={DatabasePath}";
        var services = new ServiceCollection();
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(time ?? TimeProvider.System);
        services.AddSingleton(Options.Create(new CouncilOptions()));
        services.AddSingleton(Options.Create(new EmailOptions { From = "grants@bench.example" }));
        services.AddSingleton(Options.Create(new WorkflowOptions { Path = workflowFolder }));
        services.AddSingleton<OutboxSignalInterceptor>();
        services.AddDbContextPool<SqliteGrantDbContext>((sp, o) => o.UseSqlite(ConnectionString).AddInterceptors(sp.GetRequiredService<OutboxSignalInterceptor>()));
        services.AddScoped<GrantDbContext>(sp => sp.GetRequiredService<SqliteGrantDbContext>());
        services.AddSingleton(new EmailTemplates(Path.Combine(workflowFolder, "templates")));
        services.AddSingleton<OutboxSignal>();
        services.AddScoped<Outbox>();
        services.AddSingleton(sp => WorkflowLoader.Load(workflowFolder, sp.GetRequiredService<EmailTemplates>(), Roles.All,
            handlerNames ?? sp.GetServices<IStateHandler>().Select(h => h.Name).ToList(), Core.Tasks.GrantTaskForms.Catalog()));
        services.AddScoped<IWorkflowParticipants, Core.Tasks.GrantParticipants>();
        services.AddScoped<DbContext>(sp => sp.GetRequiredService<GrantDbContext>());
        services.AddScoped<WorkflowRuntime>();
        services.AddSingleton<TimerProcessor>();
        more?.Invoke(services);
        Services = services.BuildServiceProvider();
    }

    public async Task MigrateAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<GrantDbContext>().Database.MigrateAsync();
    }

    /// <summary>The durability settings in force, read from the database itself.</summary>
    public async Task<string> DurabilityAsync()
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        async Task<string> Pragma(string name)
        {
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = $"PRAGMA {name}";
            return Convert.ToString(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture)!;
        }
        var sync = await Pragma("synchronous") switch { "0" => "OFF", "1" => "NORMAL", "2" => "FULL", "3" => "EXTRA", var s => s };
        return $"journal_mode={await Pragma("journal_mode")}, synchronous={sync}";
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(Path.GetDirectoryName(DatabasePath)!, true); } catch (IOException) { }
    }

    /// <summary>
    /// Every state handler the Core defines, registered as the web host registers them, so the
    /// repository's definitions load with whichever handlers they name today.
    /// </summary>
    public static void AddGrantHandlers(IServiceCollection services, string workflowFolder)
    {
        services.AddSingleton(_ => Core.Monitoring.MonitoringSchedules.Load(workflowFolder));
        foreach (var type in typeof(IStateHandler).Assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IStateHandler).IsAssignableFrom(t)))
            services.AddSingleton(typeof(IStateHandler), type);
    }

    /// <summary>The bench's workflow folder: the repository's schema and the bench definitions.</summary>
    public static string WorkflowFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "grantmanager-bench-workflows", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(folder, "templates"));
        var repository = FindRepositoryWorkflows();
        File.Copy(Path.Combine(repository, WorkflowLoader.SchemaFile), Path.Combine(folder, WorkflowLoader.SchemaFile));
        var mine = Path.Combine(AppContext.BaseDirectory, "workflow");
        foreach (var f in Directory.GetFiles(mine, "*.json")) File.Copy(f, Path.Combine(folder, Path.GetFileName(f)));
        foreach (var f in Directory.GetFiles(Path.Combine(mine, "templates"))) File.Copy(f, Path.Combine(folder, "templates", Path.GetFileName(f)));
        Directory.CreateDirectory(Path.Combine(folder, "settings"));
        foreach (var f in Directory.GetFiles(Path.Combine(repository, "settings"), "districts*.json")) File.Copy(f, Path.Combine(folder, "settings", Path.GetFileName(f)));
        return folder;
    }

    public static string FindRepositoryWorkflows()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "workflows", WorkflowLoader.SchemaFile))) return Path.Combine(dir.FullName, "workflows");
        throw new DirectoryNotFoundException("workflows/ not found");
    }
}
