using GrantManager.Core.Email;
using GrantManager.Core.Webhooks;
using GrantManager.Web.Hosting;
using Microsoft.Extensions.Options;

namespace GrantManager.Web.Webhooks;

/// <summary>Runs the webhook dispatcher: at once when a delivery is committed, otherwise every <c>Webhooks:DispatchInterval</c>.</summary>
internal sealed class WebhookDispatchService(WebhookDispatcher dispatcher, [FromKeyedServices(WebhookEvents.SignalKey)] OutboxSignal signal, TimeProvider time,
    IOptions<WebhookOptions> options, ILogger<WebhookDispatchService> logger) : RepeatingWorker(logger)
{
    protected override bool Enabled => options.Value.RunDispatcher;
    protected override string Name => "The webhook dispatcher (Webhooks:RunDispatcher)";
    protected override Task RunOnceAsync(CancellationToken ct) => dispatcher.StartDueAsync(ct);
    protected override Task WaitAsync(CancellationToken ct) => signal.WaitAsync(options.Value.DispatchInterval, time, ct);
}
