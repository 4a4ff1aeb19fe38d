namespace GrantManager.Core.Webhooks;

/// <summary>The events another system can subscribe to.</summary>
public static class WebhookEventTypes
{
    public const string ApplicationSubmitted = "application.submitted";
    public const string ApplicationDecided = "application.decided";
    public const string GrantAwarded = "grant.awarded";
    public const string PaymentReleased = "payment.released";
    public const string PaymentPaid = "payment.paid";
    public const string ReturnSubmitted = "return.submitted";
    public const string ReturnAccepted = "return.accepted";
    public const string ReturnOverdue = "return.overdue";

    public static readonly IReadOnlyDictionary<string, string> All = new Dictionary<string, string>
    {
        [ApplicationSubmitted] = "An application is submitted",
        [ApplicationDecided] = "An application is approved (an offer is made) or refused",
        [GrantAwarded] = "The applicant accepts the offer and the grant is made, with its payment schedule",
        [PaymentReleased] = "A payment becomes due to be paid (at acceptance, or when a progress report is accepted)",
        [PaymentPaid] = "A finance officer records a payment as paid, with its reference",
        [ReturnSubmitted] = "A grant holder sends a progress report",
        [ReturnAccepted] = "A grant officer accepts a progress report",
        [ReturnOverdue] = "A progress report is a week overdue and the grant holder has been reminded",
    };
}
