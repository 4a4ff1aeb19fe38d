using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using GrantManager.Core.Email;
using GrantManager.Core.Workflows;
using GrantManager.Web.Api;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GrantManager.Web.Hosting;

internal static partial class GrantManagerPipeline
{
    public static void UseGrantManager(this WebApplication app)
    {
        // API callers get problem details; people get the council's error pages.
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/api"), api =>
        {
            api.UseExceptionHandler();
            api.UseStatusCodePages();
        });
        app.UseWhen(c => !c.Request.Path.StartsWithSegments("/api"), pages =>
        {
            pages.UseExceptionHandler(new ExceptionHandlerOptions
            {
                ExceptionHandlingPath = "/Error",
                StatusCodeSelector = e => DatabaseWrites.IsUnavailable(e) ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status500InternalServerError,
            });
            pages.UseStatusCodePagesWithReExecute("/Error/{0}");
        });
        app.UseSecurityHeaders();
        app.UseResponseCompression();
        app.UseStaticFiles();
        app.UseRateLimiter();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapHealthChecks("/health");
        app.MapOpenApi();
        app.MapRazorPages();
        app.MapGrantManagerApi();

        app.Lifetime.ApplicationStarted.Register(() => AnnounceAddresses(app));
    }

    public static async Task InitialiseDatabaseAsync(this WebApplication app)
    {
        // Bad workflow definitions stop start-up, listing every problem.
        try
        {
            var registry = app.Services.GetRequiredService<WorkflowCatalog>().Current;
            app.Services.GetRequiredService<Core.Monitoring.MonitoringSchedules>();
            app.Services.GetRequiredService<Core.Places.Districts>();
            app.Services.GetRequiredService<Core.SocialValue.ShippedProxies>();
            app.Logger.LogInformation("Loaded workflows: {Workflows}", string.Join(", ", registry.All));
        }
        catch (WorkflowLoadException e)
        {
            app.Logger.LogCritical("{Problems}", e.Message);
            throw;
        }
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<GrantDbContext>();
        await BackUpBeforeMigratingAsync(app, db);
        // Nothing to apply: no need to write (a node over a read-only database still starts, serves reads and reports itself unhealthy).
        if ((await db.Database.GetPendingMigrationsAsync()).Any()) await db.Database.MigrateAsync();
        if (!OperatingSystem.IsWindows())
            app.Logger.LogInformation("Cookie and token keys are kept in {Path}, not encrypted at rest: only the service's account should be able to read that folder",
                Path.GetFullPath(app.Configuration["DataProtection:KeysPath"] ?? Path.Combine(app.Environment.ContentRootPath, "App_Data", "keys")));
        // Shipped files newer than the database's versions are recorded; versions published in the browser are loaded beside them.
        await app.Services.GetRequiredService<WorkflowCatalog>().RecordFilesAsync(db, app.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime);
        // Email templates published in the browser replace their files from the first request.
        app.Services.GetRequiredService<EmailTemplates>().Use(await EmailTemplateVersions.LatestAsync(db));
        await DemoData.EnsureRolesAsync(scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>());
        await scope.ServiceProvider.GetRequiredService<Core.SocialValue.SocialValueProxies>()
            .EnsureShippedAsync(scope.ServiceProvider.GetRequiredService<Core.SocialValue.ShippedProxies>());
        var seed = scope.ServiceProvider.GetRequiredService<IOptions<SeedOptions>>().Value;
        if (seed.Demo && app.Environment.IsProduction())
            app.Logger.LogWarning("Seed:Demo is ignored in Production: demo accounts are never created there");
        else if (seed.Demo)
            await scope.ServiceProvider.GetRequiredService<DemoData>().SeedAsync();
    }

    /// <summary>
    /// Copies an existing SQLite database aside before migrations change it. Some SQLite changes (a
    /// table rebuild) cannot run inside the migration's transaction; if start-up stops half-way
    /// through one, the copy is the way back.
    /// </summary>
    private static async Task BackUpBeforeMigratingAsync(WebApplication app, GrantDbContext db)
    {
        if (!db.Database.IsSqlite()) return;
        var pending = (await db.Database.GetPendingMigrationsAsync()).ToList();
        if (pending.Count == 0 || !(await db.Database.GetAppliedMigrationsAsync()).Any()) return;
        var file = db.Database.GetDbConnection().DataSource;
        if (string.IsNullOrEmpty(file) || !File.Exists(file)) return;
        var backup = $"{file}.before-{pending[^1]}.bak";
        if (File.Exists(backup)) File.Delete(backup);
        // VACUUM INTO takes its file name as a bound value: a consistent copy, WAL included.
        await db.Database.ExecuteSqlAsync($"VACUUM INTO {backup}");
        app.Logger.LogInformation("Backed up the database to {Backup} before applying {Migrations}", backup, string.Join(", ", pending));
    }

    private static void AnnounceAddresses(WebApplication app)
    {
        var addresses = app.Services.GetService<Microsoft.AspNetCore.Hosting.Server.IServer>()?
            .Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var address in addresses)
            app.Logger.LogInformation("GrantManager is serving at {Address}", address);
        // Without Email:PublicBaseUrl, links in emails point at where this server listens.
        if (Core.Email.EmailLinks.ServerAddressFrom(addresses) is { } own)
        {
            var links = app.Services.GetRequiredService<Core.Email.EmailLinks>();
            links.ServerAddress = own;
            if (string.IsNullOrWhiteSpace(app.Services.GetRequiredService<IOptions<Core.Configuration.EmailOptions>>().Value.PublicBaseUrl))
                app.Logger.LogInformation("Links in emails point at {Address}: set Email:PublicBaseUrl to the service's public address", own);
        }
        if (app.Services.GetRequiredService<IOptions<SeedOptions>>().Value.Demo && !app.Environment.IsProduction())
        {
            var accounts = string.Join(", ", DemoData.Applicants.Select(a => a.Email).Concat(DemoData.Staff.Select(s => $"{s.Email} ({s.Role})")));
            app.Logger.LogInformation("Demo sign-ins (password {Password}): {Accounts}", DemoData.Password, accounts);
        }
    }
}
