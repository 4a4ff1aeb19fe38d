using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using GrantManager.Web.Hosting;
using Microsoft.Extensions.Options;

namespace GrantManager.Web.Workflows;

/// <summary>
/// Looks every <c>Workflows:Refresh</c> for workflow versions published on another node, so a version published
/// anywhere starts new cases everywhere within seconds, without a restart.
/// </summary>
internal sealed class WorkflowRefreshService(IServiceScopeFactory scopes, WorkflowCatalog catalog, TimeProvider time,
    IOptions<WorkflowOptions> options, ILogger<WorkflowRefreshService> logger) : RepeatingWorker(logger)
{
    protected override bool Enabled => true;
    protected override string Name => "The workflow version refresh";

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        if (await catalog.RefreshAsync(scope.ServiceProvider.GetRequiredService<GrantDbContext>(), ct))
            logger.LogInformation("Loaded workflows: {Workflows}", string.Join(", ", catalog.Current.All));
    }

    protected override Task WaitAsync(CancellationToken ct) => Task.Delay(options.Value.Refresh, time, ct);
}
