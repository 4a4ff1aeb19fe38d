namespace GrantManager.Core.Webhooks;

public sealed class WebhookOptions
{
    public const string Section = "Webhooks";
    /// <summary>Allow http and addresses in private, loopback and link-local ranges (Development and tests); otherwise only https to public addresses.</summary>
    public bool AllowInsecure { get; set; }
    /// <summary>How long one delivery may take, from connecting to the receiver's answer.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>Attempts before a delivery is dead-lettered.</summary>
    public int MaxAttempts { get; set; } = 8;
    public TimeSpan DispatchInterval { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>Deliveries in flight at once from this node; each receiver's wait holds up only its own.</summary>
    public int Concurrency { get; set; } = 16;
    public bool RunDispatcher { get; set; } = true;
}
