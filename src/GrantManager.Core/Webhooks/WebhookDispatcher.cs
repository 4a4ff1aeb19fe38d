using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GrantManager.Core.Webhooks;

/// <summary>
/// Sends webhook deliveries from the outbox beside the email dispatcher, never in its way. Each pass
/// claims what is due (with a lease longer than a delivery may take, so another node or this one after
/// a crash takes over after it) and starts each delivery on its own, up to <c>Webhooks:Concurrency</c>
/// at once, without waiting for those still in flight: a receiver that hangs holds up only its own
/// deliveries, for at most <c>Webhooks:Timeout</c>. A 2xx answer is delivered; anything else, or no answer,
/// counts as an attempt, is retried with back-off and is dead-lettered after <c>Webhooks:MaxAttempts</c>.
/// </summary>
public sealed class WebhookDispatcher : IDisposable
{
    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _time;
    private readonly IOptions<WebhookOptions> _options;
    private readonly ILogger<WebhookDispatcher> _logger;
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<Guid, Task> _inFlight = new();

    public WebhookDispatcher(IServiceScopeFactory scopes, TimeProvider time, IOptions<WebhookOptions> options, ILogger<WebhookDispatcher> logger)
    {
        (_scopes, _time, _options, _logger) = (scopes, time, options, logger);
        var allowInsecure = options.Value.AllowInsecure;
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            // Checked where the connection is made, so a name that resolves to an inside address later is refused then.
            ConnectCallback = async (context, ct) =>
            {
                var addresses = IPAddress.TryParse(context.DnsEndPoint.Host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, ct);
                var usable = allowInsecure ? addresses : addresses.Where(a => !WebhookAddresses.IsInternal(a)).ToArray();
                if (usable.Length == 0) throw new HttpRequestException($"{context.DnsEndPoint.Host} resolves only to private or local addresses");
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(usable, context.DnsEndPoint.Port, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        }) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("GrantManager-Webhooks/1");
    }

    private WebhookOptions Options => _options.Value;
    private DateTime Now => _time.GetUtcNow().UtcDateTime;

    /// <summary>Deliveries started and not finished.</summary>
    public int InFlight => _inFlight.Count;

    /// <summary>One pass: starts every delivery due now that there is room for. Returns how many it started.</summary>
    public async Task<int> StartDueAsync(CancellationToken ct = default)
    {
        var room = Options.Concurrency - _inFlight.Count;
        if (room <= 0) return 0;
        var owner = Guid.NewGuid();
        var claimed = await ClaimAsync(owner, room, ct);
        foreach (var id in claimed)
        {
            // Listed before it starts, so a delivery that finishes at once is not left behind in the list.
            var listed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _inFlight[id] = Task.Run(async () =>
            {
                await listed.Task;
                try { await DeliverAsync(id, owner, ct); }
                finally { _inFlight.TryRemove(id, out _); }
            }, CancellationToken.None);
            listed.SetResult();
        }
        return claimed.Count;
    }

    /// <summary>Waits for the deliveries in flight now (tests, and stopping).</summary>
    public Task WhenIdleAsync() => Task.WhenAll(_inFlight.Values);

    private async Task<List<Guid>> ClaimAsync(Guid owner, int count, CancellationToken ct)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GrantDbContext>();
        var now = Now;
        var leaseUntil = now + Options.Timeout * 2 + TimeSpan.FromSeconds(30);
        var candidates = Due(db, now).OrderBy(d => d.NextAttemptAt).Take(count).Select(d => d.Id);
        // The lease is checked again by the update itself, so two nodes racing for a row cannot both win it.
        var claimed = await db.WebhookDeliveries.Where(d => candidates.Contains(d.Id) && (d.LeaseUntil == null || d.LeaseUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.LeaseUntil, leaseUntil).SetProperty(d => d.LeaseOwner, owner), ct);
        if (claimed == 0) return [];
        return await db.WebhookDeliveries.AsNoTracking().Where(d => d.LeaseOwner == owner).Select(d => d.Id).ToListAsync(ct);
    }

    private static IQueryable<WebhookDelivery> Due(GrantDbContext db, DateTime now) =>
        db.WebhookDeliveries.Where(d => d.Status == WebhookDeliveryStatus.Pending && d.NextAttemptAt <= now && (d.LeaseUntil == null || d.LeaseUntil < now));

    private async Task DeliverAsync(Guid id, Guid owner, CancellationToken stopping)
    {
        WebhookDelivery? delivery;
        WebhookEndpoint? endpoint;
        await using (var scope = _scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<GrantDbContext>();
            delivery = await db.WebhookDeliveries.AsNoTracking().SingleOrDefaultAsync(d => d.Id == id && d.LeaseOwner == owner, CancellationToken.None);
            if (delivery is null) return;
            endpoint = await db.WebhookEndpoints.AsNoTracking().SingleOrDefaultAsync(e => e.Id == delivery.EndpointId, CancellationToken.None);
        }
        if (endpoint is null) return;

        int? status = null;
        string? error = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            timeout.CancelAfter(Options.Timeout);
            var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url)
            {
                Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("webhook-id", delivery.MessageId);
            request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add("webhook-signature", WebhookSignature.Sign(endpoint.Secret, delivery.MessageId, timestamp, delivery.Payload));
            try
            {
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                status = (int)response.StatusCode;
                if (!response.IsSuccessStatusCode) error = $"The receiver answered {status} {response.ReasonPhrase}";
            }
            catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
            {
                error = $"No answer within {Options.Timeout.TotalSeconds:0} seconds";
            }
            catch (HttpRequestException e)
            {
                error = $"Could not reach the receiver: {e.Message}";
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: the lease runs out and the delivery is tried again (with the same webhook-id).
            return;
        }
        await RecordAsync(delivery, owner, status, error);
    }

    private async Task RecordAsync(WebhookDelivery delivery, Guid owner, int? status, string? error)
    {
        var now = Now;
        var attempts = delivery.Attempts + 1;
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<GrantDbContext>();
            var mine = db.WebhookDeliveries.Where(d => d.Id == delivery.Id && d.LeaseOwner == owner && d.Status == WebhookDeliveryStatus.Pending);
            if (error is null)
            {
                await mine.ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, WebhookDeliveryStatus.Delivered).SetProperty(d => d.DeliveredAt, now)
                    .SetProperty(d => d.Attempts, attempts).SetProperty(d => d.LastStatusCode, status).SetProperty(d => d.LastError, (string?)null)
                    .SetProperty(d => d.LeaseUntil, (DateTime?)null).SetProperty(d => d.LeaseOwner, (Guid?)null));
                return;
            }
            var dead = attempts >= Options.MaxAttempts;
            var next = dead ? delivery.NextAttemptAt : now + Backoff.After(attempts);
            if (dead)
                _logger.LogWarning("Webhook delivery {DeliveryId} ({Event}) dead-lettered after {Attempts} attempts: {Error}", delivery.Id, delivery.EventType, attempts, error);
            else
                _logger.LogInformation("Webhook delivery {DeliveryId} ({Event}) failed, attempt {Attempts}; retrying at {Next}: {Error}", delivery.Id, delivery.EventType, attempts, next, error);
            await mine.ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, dead ? WebhookDeliveryStatus.DeadLetter : WebhookDeliveryStatus.Pending)
                .SetProperty(d => d.Attempts, attempts).SetProperty(d => d.NextAttemptAt, next).SetProperty(d => d.LastStatusCode, status)
                .SetProperty(d => d.LastError, error).SetProperty(d => d.LeaseUntil, (DateTime?)null).SetProperty(d => d.LeaseOwner, (Guid?)null));
        }
        catch (Exception e)
        {
            // Left leased: sent again after the lease, with the same webhook-id so the receiver can tell.
            _logger.LogError(e, "Could not record the outcome of webhook delivery {DeliveryId}", delivery.Id);
        }
    }

    /// <summary>Sends a delivery again from now (an administrator's re-send), attempts afresh, same webhook-id.</summary>
    public static async Task<bool> ResendAsync(GrantDbContext db, Guid endpointId, Guid deliveryId, DateTime now, CancellationToken ct = default) =>
        await db.WebhookDeliveries.Where(d => d.Id == deliveryId && d.EndpointId == endpointId && (d.LeaseUntil == null || d.LeaseUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, WebhookDeliveryStatus.Pending).SetProperty(d => d.Attempts, 0)
                .SetProperty(d => d.NextAttemptAt, now).SetProperty(d => d.LeaseUntil, (DateTime?)null).SetProperty(d => d.LeaseOwner, (Guid?)null), ct) == 1;

    public void Dispose() => _http.Dispose();
}
