using GrantManager.Core.Data;
using GrantManager.Core.Webhooks;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace GrantManager.Web.Pages.Admin.Webhooks;

/// <summary>One endpoint: its secret, once, to the administrator who has just added it; its deliveries with their status and the receiver's answers, sending one again, and removing the endpoint.</summary>
public sealed class EndpointModel(WebhookRegistrations registrations, GrantDbContext db, TimeProvider time, UserManager<User> users,
    ILogger<EndpointModel> logger) : PageModel
{
    public const int Shown = 100;

    public WebhookEndpoint Endpoint { get; private set; } = null!;
    public List<WebhookDelivery> Deliveries { get; private set; } = [];
    /// <summary>The signing secret, on the first view by the administrator who has just added the endpoint, and only then.</summary>
    public string? Secret { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id)
    {
        if (await registrations.FindAsync(id) is not { } endpoint) return NotFound();
        Endpoint = endpoint;
        Secret = await registrations.RevealSecretOnceAsync(id, users.GetUserId(User));
        Deliveries = await registrations.DeliveriesAsync(id, Shown);
        return Page();
    }

    public async Task<IActionResult> OnPostResendAsync(Guid id, Guid deliveryId)
    {
        if (await registrations.FindAsync(id) is null) return NotFound();
        TempData["Success"] = await WebhookDispatcher.ResendAsync(db, id, deliveryId, time.GetUtcNow().UtcDateTime)
            ? "The event will be sent again within a few seconds"
            : "That delivery is being sent now; look again in a moment";
        logger.LogWarning("Administrator {UserId} sent webhook delivery {DeliveryId} again", users.GetUserId(User), deliveryId);
        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnPostRemoveAsync(Guid id)
    {
        if (!await registrations.RemoveAsync(id)) return NotFound();
        logger.LogWarning("Administrator {UserId} removed webhook endpoint {EndpointId}", users.GetUserId(User), id);
        TempData["Success"] = "The endpoint was removed: nothing more will be sent to it";
        return RedirectToPage("Index");
    }
}
