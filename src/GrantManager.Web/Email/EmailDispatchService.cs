using GrantManager.Core.Configuration;
using GrantManager.Core.Email;
using Microsoft.Extensions.Options;

namespace GrantManager.Web.Email;

/// <summary>Runs the outbox dispatcher: at once when email is committed, otherwise every interval.</summary>
internal sealed class EmailDispatchService(EmailDispatcher dispatcher, OutboxSignal signal, TimeProvider time,
    IOptions<EmailOptions> options, ILogger<EmailDispatchService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RunDispatcher)
        {
            logger.LogInformation("Email:RunDispatcher is false: this node leaves the outbox to others");
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await dispatcher.DispatchDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Email dispatch pass failed; trying again at the next interval");
            }
            try
            {
                await signal.WaitAsync(options.Value.DispatchInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}
