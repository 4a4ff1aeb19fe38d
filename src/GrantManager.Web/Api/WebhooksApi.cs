using GrantManager.Core.Data;
using GrantManager.Core.Webhooks;
using GrantManager.Core.Workflows;
using GrantManager.Web.Hosting;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Http.HttpResults;
using GrantManager.Core;

namespace GrantManager.Web.Api;

/// <summary>Webhook endpoints and their deliveries, for administrators: the same as /Admin/Webhooks.</summary>
public static class WebhooksApi
{
    public sealed record CreateWebhookRequest(string? Url, List<string>? Events, string? Description);
    public sealed record WebhookView(Guid Id, string Url, List<string> Events, string? Description, DateTime CreatedAt, string CreatedBy);
    /// <summary>The new endpoint with its signing secret, which is shown this once.</summary>
    public sealed record CreatedWebhook(Guid Id, string Url, List<string> Events, string? Description, DateTime CreatedAt, string Secret);
    public sealed record DeliveryView(Guid Id, string WebhookId, string EventType, string Status, int Attempts, DateTime CreatedAt, DateTime NextAttemptAt,
        DateTime? DeliveredAt, int? LastStatusCode, string? LastError);

    public static void Map(RouteGroupBuilder api)
    {
        var admin = api.MapGroup("/webhooks").RequireAuthorization(GrantManagerServices.ApiAdministratorPolicy);
        admin.MapPost("", async Task<Created<CreatedWebhook>> (CreateWebhookRequest body, WebhookRegistrations registrations, WorkflowActors actors, HttpContext http) =>
        {
            var administrator = await actors.ForAsync(http.User);
            var e = await registrations.RegisterAsync(body.Url, body.Events, body.Description, administrator.Name, ct: http.RequestAborted);
            return TypedResults.Created($"/api/webhooks/{e.Id}", new CreatedWebhook(e.Id, e.Url, e.EventList.ToList(), e.Description, e.CreatedAt, e.Secret));
        }).WithName("CreateWebhook").WithSummary("Register an endpoint for {url, events, description}; the answer holds its signing secret, shown this once");

        admin.MapGet("", async (WebhookRegistrations registrations, HttpContext http) =>
                TypedResults.Ok((await registrations.AllAsync(http.RequestAborted)).Select(View).ToList()))
            .WithName("ListWebhooks").WithSummary("Every registered endpoint (without its secret)");

        admin.MapGet("/{id:guid}", async (Guid id, WebhookRegistrations registrations, HttpContext http) =>
                TypedResults.Ok(View(await registrations.FindAsync(id, http.RequestAborted) ?? throw new NotFoundException("No such webhook endpoint"))))
            .WithName("GetWebhook").WithSummary("One endpoint (without its secret)");

        admin.MapDelete("/{id:guid}", async (Guid id, WebhookRegistrations registrations, HttpContext http) =>
        {
            if (!await registrations.RemoveAsync(id, http.RequestAborted)) throw new NotFoundException("No such webhook endpoint");
            return TypedResults.NoContent();
        }).WithName("DeleteWebhook").WithSummary("Remove an endpoint: nothing more is sent to it");

        admin.MapGet("/{id:guid}/deliveries", async (Guid id, WebhookRegistrations registrations, HttpContext http) =>
        {
            _ = await registrations.FindAsync(id, http.RequestAborted) ?? throw new NotFoundException("No such webhook endpoint");
            return TypedResults.Ok((await registrations.DeliveriesAsync(id, 200, http.RequestAborted)).Select(View).ToList());
        }).WithName("ListWebhookDeliveries").WithSummary("The endpoint's newest 200 deliveries: status (pending, delivered, deadletter), attempts and the receiver's last answer");

        admin.MapPost("/{id:guid}/deliveries/{deliveryId:guid}/resend", async (Guid id, Guid deliveryId, GrantDbContext db, TimeProvider time) =>
        {
            if (!await WebhookDispatcher.ResendAsync(db, id, deliveryId, time.GetUtcNow().UtcDateTime))
                throw new NotFoundException("No such delivery, or it is being sent now");
            return TypedResults.NoContent();
        }).WithName("ResendWebhookDelivery").WithSummary("Send a delivery again, with its attempts starting afresh and the same webhook-id");
    }

    private static WebhookView View(WebhookEndpoint e) => new(e.Id, e.Url, e.EventList.ToList(), e.Description, e.CreatedAt, e.CreatedBy);

    public static DeliveryView View(WebhookDelivery d) => new(d.Id, d.MessageId, d.EventType, d.Status.ToString().ToLowerInvariant(), d.Attempts, d.CreatedAt,
        d.NextAttemptAt, d.DeliveredAt, d.LastStatusCode, d.LastError);
}
