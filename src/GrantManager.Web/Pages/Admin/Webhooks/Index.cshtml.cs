using GrantManager.Core.Webhooks;
using GrantManager.Web.Forms;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace GrantManager.Web.Pages.Admin.Webhooks;

/// <summary>The endpoints that receive signed events, and adding one: its secret is shown once, on the page that follows.</summary>
public sealed class IndexModel(WebhookRegistrations registrations, ILogger<IndexModel> logger) : PageModel
{
    [BindProperty(Name = "Input")] public EndpointInput Input { get; set; } = new();

    public sealed class EndpointInput
    {
        public string? Url { get; set; }
        public List<string> Events { get; set; } = [];
        public string? Description { get; set; }
    }

    public List<WebhookEndpoint> Endpoints { get; private set; } = [];
    /// <summary>The endpoint just added, with its secret: shown on this response only.</summary>
    public WebhookEndpoint? Added { get; private set; }

    public async Task OnGetAsync() => Endpoints = await registrations.AllAsync();

    public async Task<IActionResult> OnPostAsync()
    {
        try
        {
            Added = await registrations.RegisterAsync(Input.Url, Input.Events, Input.Description, User.Identity?.Name ?? "administrator");
            logger.LogWarning("{Administrator} registered webhook endpoint {EndpointId} for {Events}", User.Identity?.Name, Added.Id, Added.Events);
            Input = new();
        }
        catch (Core.InputException e)
        {
            ModelState.AddServiceErrors(e);
        }
        Endpoints = await registrations.AllAsync();
        return Page();
    }
}
