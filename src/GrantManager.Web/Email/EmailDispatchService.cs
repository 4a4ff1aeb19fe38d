using GrantManager.Core.Configuration;
using GrantManager.Core.Email;
using GrantManager.Web.Hosting;
using Microsoft.Extensions.Options;

namespace GrantManager.Web.Email;

/// <summary>Runs the outbox dispatcher: at once when email is committed, otherwise every <c>Email:DispatchInterval</c>.</summary>
internal sealed class EmailDispatchService(EmailDispatcher dispatcher, OutboxSignal signal, TimeProvider time,
    IOptions<EmailOptions> options, ILogger<EmailDispatchService> logger) : RepeatingWorker(logger)
{
    protected override bool Enabled => options.Value.RunDispatcher;
    protected override string Name => "The email dispatcher (Email:RunDispatcher)";
    protected override Task RunOnceAsync(CancellationToken ct) => dispatcher.DispatchDueAsync(ct);
    protected override Task WaitAsync(CancellationToken ct) => signal.WaitAsync(options.Value.DispatchInterval, time, ct);
}
