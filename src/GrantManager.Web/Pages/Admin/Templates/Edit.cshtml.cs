using GrantManager.Core.Data;
using GrantManager.Core.Email;
using GrantManager.Core.Workflows;
using GrantManager.Web.Forms;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using GrantManager.Core;

namespace GrantManager.Web.Pages.Admin.Templates;

/// <summary>
/// One email template: change its words, check them, preview them with a real case's values, send a test
/// to yourself, and publish a new version. What was typed stays on the page whichever button is pressed.
/// </summary>
public sealed class EditModel(EmailTemplates templates, EmailTemplateVersions versions, WorkflowRegistry registry, Outbox outbox,
    GrantDbContext db, WorkflowActors actors, WorkflowRuntime runtime) : PageModel
{
    public sealed class TemplateForm
    {
        public string? Text { get; set; }
        public string? Html { get; set; }
        public string? CaseReference { get; set; }
        public string? Reason { get; set; }
    }

    [BindProperty(SupportsGet = true)] public string? Name { get; set; }
    [BindProperty(Name = "Input")] public TemplateForm Input { get; set; } = new();
    public List<EmailTemplateVersion> Versions { get; private set; } = [];
    public int InUse { get; private set; }
    public bool HasHtml { get; private set; }
    public List<string> Uses { get; private set; } = [];
    public RenderedEmail? Preview { get; private set; }
    public string? PreviewCase { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (!await LoadAsync()) return NotFound();
        var (text, html) = templates.Source(Name!);
        Input = new TemplateForm { Text = text, Html = html };
        return Page();
    }

    /// <summary>Shows the email as the chosen case (or the newest case sent it) would get it, without publishing.</summary>
    public async Task<IActionResult> OnPostPreviewAsync()
    {
        if (!await LoadAsync()) return NotFound();
        ModelState.Clear();
        if (await RenderAsync(new EmailRecipient("preview@example.org", (await actors.ForAsync(User)).Name)) is { } rendered) Preview = rendered;
        return Page();
    }

    /// <summary>Sends the email as typed, with the case's values, to the signed-in administrator only.</summary>
    public async Task<IActionResult> OnPostTestAsync()
    {
        if (!await LoadAsync()) return NotFound();
        ModelState.Clear();
        var actor = await actors.ForAsync(User);
        var me = await db.Users.AsNoTracking().Where(u => u.Id == actor.UserId).Select(u => new { u.Email, u.DisplayName }).SingleAsync();
        var to = new EmailRecipient(me.Email!, me.DisplayName);
        if (await RenderAsync(to) is not { } rendered) return Page();
        outbox.AddRendered(db, Name!, rendered with { Subject = "[Test] " + rendered.Subject }, to);
        await db.SaveChangesAsync();
        TempData["Success"] = $"A test of this email has been sent to {me.Email}";
        Preview = rendered;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!await LoadAsync()) return NotFound();
        ModelState.Clear();
        try
        {
            var saved = await versions.PublishAsync(Name!, new TemplateDraft(Input.Text, HasHtml ? Input.Html : null, Input.Reason), await actors.ForAsync(User));
            TempData["Success"] = $"Version {saved.Version} of this email has been published";
            return RedirectToPage(new { name = Name });
        }
        catch (InputException e)
        {
            ModelState.AddServiceErrors(e, ModelStateErrors.InputField);
            return Page();
        }
        catch (ConflictException e)
        {
            ModelState.AddModelError("Input.Text", e.Message);
            return Page();
        }
    }

    private async Task<RenderedEmail?> RenderAsync(EmailRecipient to)
    {
        var errors = EmailTemplateVersions.Check(new TemplateDraft(Input.Text, HasHtml ? Input.Html : null, null));
        if (errors.Any)
        {
            ModelState.AddServiceErrors(new InputException(errors.ToDictionary()), ModelStateErrors.InputField);
            return null;
        }
        var model = new Dictionary<string, object?>();
        var reference = Input.CaseReference?.Trim();
        var instance = await CaseAsync(reference);
        if (!string.IsNullOrEmpty(reference) && instance is null)
        {
            ModelState.AddModelError("Input.CaseReference", $"There is no case with the reference {reference}: check it, or leave it empty to use the newest case sent this email");
            return null;
        }
        if (instance is not null && registry.Find(instance.DefinitionId, instance.DefinitionVersion) is { } definition)
        {
            var task = await db.InboxTasks.AsNoTracking().Where(t => t.InstanceId == instance.Id).OrderByDescending(t => t.CreatedAt).FirstOrDefaultAsync();
            model = runtime.TemplateModel(definition, instance, task);
            PreviewCase = instance.SubjectReference;
        }
        try
        {
            return templates.RenderDraft(EmailTemplateVersions.Normalise(Input.Text), HasHtml ? EmailTemplateVersions.Normalise(Input.Html) : null, outbox.Values(to, model));
        }
        catch (Exception e) when (e is EmailTemplateException or Fluid.ParseException or InvalidOperationException or ArgumentException)
        {
            ModelState.AddModelError("Input.Text", $"The email cannot be shown with this case's values: {e.Message}");
            return null;
        }
    }

    /// <summary>The case with this reference, or when none is given the newest case this email went to.</summary>
    private async Task<WorkflowInstance?> CaseAsync(string? reference)
    {
        if (!string.IsNullOrEmpty(reference))
            return await db.WorkflowInstances.AsNoTracking().Where(i => i.SubjectReference == reference).OrderByDescending(i => i.CreatedAt).FirstOrDefaultAsync();
        var last = await db.OutboxEmails.AsNoTracking().Where(e => e.Template == Name && e.SubjectId != null)
            .OrderByDescending(e => e.CreatedAt).Select(e => new { e.SubjectType, e.SubjectId }).FirstOrDefaultAsync();
        return last is null ? null : await db.WorkflowInstances.AsNoTracking()
            .Where(i => i.SubjectType == last.SubjectType && i.SubjectId == last.SubjectId).OrderByDescending(i => i.CreatedAt).FirstOrDefaultAsync();
    }

    private async Task<bool> LoadAsync()
    {
        if (string.IsNullOrEmpty(Name) || !templates.Names().Contains(Name)) return false;
        Versions = await versions.HistoryAsync(Name);
        InUse = templates.VersionOf(Name);
        HasHtml = templates.Source(Name).Html is not null;
        Uses = TemplateUses.Of(registry).GetValueOrDefault(Name) ?? [];
        return true;
    }
}
