using GrantManager.Core.Webhooks;
using GrantManager.Web.Forms;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace GrantManager.Web.Pages.Admin.Webhooks;

/// <summary>
/// The endpoints that receive signed events, and adding one. Adding redirects to the new endpoint's page, which shows
/// its secret to the administrator who added it the first time they open it, and never again: reloading either page
/// neither adds a second endpoint nor shows the secret twice.
/// </summary>
public sealed class IndexModel(WebhookRegistrations registrations, WorkflowActors actors, ILogger<IndexModel> logger) : PageModel
{
    [BindProperty(Name = "Input")] public EndpointInput Input { get; set; } = new();

    public sealed class EndpointInput
    {
        public string? Url { get; set; }
        public List<string> Events { get; set; } = [];
        public string? Description { get; set; }
    }

    public List<WebhookEndpoint> Endpoints { get; private set; } = [];

    public async Task OnGetAsync() => Endpoints = await registrations.AllAsync();

    public async Task<IActionResult> OnPostAsync()
    {
        var administrator = await actors.ForAsync(User);
        try
        {
            var added = await registrations.RegisterAsync(Input.Url, Input.Events, Input.Description, administrator.Name, revealTo: administrator.UserId);
            logger.LogWarning("Administrator {UserId} registered webhook endpoint {EndpointId} for {Events}", administrator.UserId, added.Id, added.Events);
            return RedirectToPage("Endpoint", new { id = added.Id });
        }
        catch (Core.InputException e)
        {
            ModelState.AddServiceErrors(e);
        }
        Endpoints = await registrations.AllAsync();
        return Page();
    }
}
