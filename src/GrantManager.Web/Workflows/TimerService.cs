using GrantManager.Core.Configuration;
using GrantManager.Core.Workflows;
using Microsoft.Extensions.Options;

namespace GrantManager.Web.Workflows;

/// <summary>Runs the workflow timer processor every <c>Workflows:TimerInterval</c> on the application's clock.</summary>
internal sealed class TimerService(TimerProcessor processor, TimeProvider time, IOptions<WorkflowOptions> options, ILogger<TimerService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RunTimers)
        {
            logger.LogInformation("Workflows:RunTimers is false: this node leaves timers to others");
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await processor.RunDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Workflow timer pass failed; trying again at the next interval");
            }
            try
            {
                await Task.Delay(options.Value.TimerInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}
