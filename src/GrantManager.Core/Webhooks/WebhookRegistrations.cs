using GrantManager.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GrantManager.Core.Webhooks;

/// <summary>Registering, listing and removing webhook endpoints (administrators, on the page and through the API).</summary>
public sealed class WebhookRegistrations(GrantDbContext db, TimeProvider time, IOptions<WebhookOptions> options)
{
    /// <summary>
    /// Checks and saves a new endpoint with a new secret, which is shown once: by the caller (the API's answer), or, when
    /// <paramref name="revealTo"/> names a user, on the endpoint's page the first time that user opens it
    /// (<see cref="RevealSecretOnceAsync"/>). Refused with the field named: url, events, description.
    /// </summary>
    /// <param name="createdBy">The administrator's name, as the endpoint's pages show it.</param>
    public async Task<WebhookEndpoint> RegisterAsync(string? url, IReadOnlyCollection<string>? events, string? description, string createdBy,
        string? revealTo = null, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string[]>();
        if (await WebhookAddresses.ProblemAsync(url, options.Value.AllowInsecure, ct) is { } problem) errors["url"] = [problem];
        var chosen = (events ?? []).Where(e => !string.IsNullOrWhiteSpace(e)).Select(e => e.Trim()).Distinct().ToList();
        if (chosen.Count == 0) errors["events"] = ["Choose at least one event to send"];
        else if (chosen.FirstOrDefault(e => !WebhookEventTypes.All.ContainsKey(e)) is { } unknown)
            errors["events"] = [$"'{unknown}' is not an event; choose from {string.Join(", ", WebhookEventTypes.All.Keys)}"];
        if (description?.Trim().Length > 200) errors["description"] = ["The description must be 200 characters or fewer"];
        if (errors.Count > 0) throw new InputException(errors);
        var endpoint = new WebhookEndpoint
        {
            Id = Guid.CreateVersion7(time.GetUtcNow()), Url = url!.Trim(), Events = string.Join(' ', WebhookEventTypes.All.Keys.Where(chosen.Contains)),
            Secret = WebhookSignature.NewSecret(), Description = string.IsNullOrWhiteSpace(description) ? null : description.Trim(),
            CreatedAt = time.GetUtcNow().UtcDateTime, CreatedBy = createdBy, SecretRevealTo = revealTo,
        };
        db.WebhookEndpoints.Add(endpoint);
        await db.SaveChangesAsync(ct);
        return endpoint;
    }

    /// <summary>
    /// The endpoint's secret if <paramref name="userId"/> registered it on the page and has not yet seen it, and from
    /// now on never again: null otherwise. The stored reveal is cleared by a conditional update, so a reload, a second
    /// tab or another node shows it to nobody, and a restart in between changes nothing.
    /// </summary>
    public async Task<string?> RevealSecretOnceAsync(Guid id, string? userId, CancellationToken ct = default)
    {
        if (userId is null) return null;
        var secret = await db.WebhookEndpoints.AsNoTracking().Where(e => e.Id == id && e.SecretRevealTo == userId).Select(e => e.Secret).SingleOrDefaultAsync(ct);
        if (secret is null) return null;
        var cleared = await db.WebhookEndpoints.Where(e => e.Id == id && e.SecretRevealTo == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.SecretRevealTo, (string?)null), ct);
        return cleared == 1 ? secret : null;
    }

    public Task<List<WebhookEndpoint>> AllAsync(CancellationToken ct = default) =>
        db.WebhookEndpoints.AsNoTracking().OrderBy(e => e.CreatedAt).ToListAsync(ct);

    public Task<WebhookEndpoint?> FindAsync(Guid id, CancellationToken ct = default) =>
        db.WebhookEndpoints.AsNoTracking().SingleOrDefaultAsync(e => e.Id == id, ct);

    /// <summary>The endpoint's newest deliveries, with their status and the receiver's last answer.</summary>
    public Task<List<WebhookDelivery>> DeliveriesAsync(Guid endpointId, int take, CancellationToken ct = default) =>
        db.WebhookDeliveries.AsNoTracking().Where(d => d.EndpointId == endpointId).OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id).Take(take).ToListAsync(ct);

    /// <summary>Removes the endpoint and its deliveries: nothing more is sent to it. False when there is no such endpoint.</summary>
    public async Task<bool> RemoveAsync(Guid id, CancellationToken ct = default)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.WebhookDeliveries.Where(d => d.EndpointId == id).ExecuteDeleteAsync(ct);
        var removed = await db.WebhookEndpoints.Where(e => e.Id == id).ExecuteDeleteAsync(ct) == 1;
        await tx.CommitAsync(ct);
        return removed;
    }
}
