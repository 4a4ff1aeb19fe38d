namespace GrantManager.Web.Hosting;

/// <summary>
/// A background service that does one pass of work, waits, and does it again, until the host
/// stops. A failed pass is logged and the next one tried; a node can be told not to run it.
/// </summary>
internal abstract class RepeatingWorker(ILogger logger) : BackgroundService
{
    /// <summary>False when configuration leaves this work to other nodes.</summary>
    protected abstract bool Enabled { get; }
    protected abstract string Name { get; }
    protected abstract Task RunOnceAsync(CancellationToken ct);
    /// <summary>Returns when the next pass is due.</summary>
    protected abstract Task WaitAsync(CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled)
        {
            logger.LogInformation("{Worker} is switched off on this node", Name);
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "{Worker} pass failed; trying again at the next interval", Name);
            }
            try
            {
                await WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}
