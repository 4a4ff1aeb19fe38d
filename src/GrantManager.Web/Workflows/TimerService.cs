using GrantManager.Core.Configuration;
using GrantManager.Core.Workflows;
using GrantManager.Web.Hosting;
using Microsoft.Extensions.Options;

namespace GrantManager.Web.Workflows;

/// <summary>Runs the workflow timer processor every <c>Workflows:TimerInterval</c> on the application's clock.</summary>
internal sealed class TimerService(TimerProcessor processor, TimeProvider time, IOptions<WorkflowOptions> options, ILogger<TimerService> logger)
    : RepeatingWorker(logger)
{
    protected override bool Enabled => options.Value.RunTimers;
    protected override string Name => "The workflow timer processor (Workflows:RunTimers)";
    protected override Task RunOnceAsync(CancellationToken ct) => processor.RunDueAsync(ct);
    protected override Task WaitAsync(CancellationToken ct) => Task.Delay(options.Value.TimerInterval, time, ct);
}
