using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using GrantManager.Core.Email;
using GrantManager.Web.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GrantManager.Web.Email;

/// <summary>
/// Looks every <c>Email:TemplateRefresh</c> for email templates published on another node, so a version
/// published anywhere is used everywhere within seconds, without a restart.
/// </summary>
internal sealed class TemplateRefreshService(IServiceScopeFactory scopes, EmailTemplates templates, TimeProvider time,
    IOptions<EmailOptions> options, ILogger<TemplateRefreshService> logger) : RepeatingWorker(logger)
{
    private int? _seen;

    protected override bool Enabled => true;
    protected override string Name => "The email template refresh";

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GrantDbContext>();
        // The newest id changes with every version published, on any node.
        var newest = await db.Set<EmailTemplateVersion>().MaxAsync(v => (int?)v.Id, ct) ?? 0;
        if (newest == _seen) return;
        templates.Use(await EmailTemplateVersions.LatestAsync(db, ct));
        _seen = newest;
    }

    protected override Task WaitAsync(CancellationToken ct) => Task.Delay(options.Value.TemplateRefresh, time, ct);
}
