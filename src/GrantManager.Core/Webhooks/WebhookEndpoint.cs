namespace GrantManager.Core.Webhooks;

/// <summary>Another system's address that receives signed events (Standard Webhooks), registered by an administrator.</summary>
public sealed class WebhookEndpoint
{
    public Guid Id { get; set; }
    public string Url { get; set; } = "";
    /// <summary>The event types it receives, space-separated, e.g. "grant.awarded payment.paid".</summary>
    public string Events { get; set; } = "";
    /// <summary>The signing secret, <c>whsec_</c> and base64; shown once when the endpoint is registered.</summary>
    public string Secret { get; set; } = "";
    public string? Description { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>The name of the administrator who registered it.</summary>
    public string CreatedBy { get; set; } = "";
    /// <summary>
    /// The user id of the administrator who registered it on the page, until its secret has been shown to them on the
    /// endpoint's page (once, then cleared). Null when the secret was given in the API's answer instead.
    /// </summary>
    public string? SecretRevealTo { get; set; }

    public IReadOnlyList<string> EventList => Events.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>
/// One event for one endpoint: written in the transaction of the change that caused it, then sent by
/// the webhook dispatcher with retries and back-off, and dead-lettered after <c>Webhooks:MaxAttempts</c>.
/// </summary>
public sealed class WebhookDelivery
{
    public Guid Id { get; set; }
    public Guid EndpointId { get; set; }
    /// <summary>The event's id, the same for every endpoint and every attempt: <c>webhook-id</c> is <c>msg_</c> and this.</summary>
    public Guid EventId { get; set; }
    public string EventType { get; set; } = "";
    /// <summary>The JSON body exactly as it is signed and sent.</summary>
    public string Payload { get; set; } = "";
    public WebhookDeliveryStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime NextAttemptAt { get; set; }
    public DateTime? LeaseUntil { get; set; }
    public Guid? LeaseOwner { get; set; }
    public DateTime? DeliveredAt { get; set; }
    /// <summary>The HTTP status the receiver answered with last; null when it could not be reached or did not answer in time.</summary>
    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }

    public string MessageId => $"msg_{EventId:N}";
}

public enum WebhookDeliveryStatus
{
    Pending,
    Delivered,
    DeadLetter,
}
