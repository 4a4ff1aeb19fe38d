using GrantManager.Core;
using GrantManager.Core.Applications;
using GrantManager.Core.Workflows;
using GrantManager.Web.Forms;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace GrantManager.Web.Pages.Staff.Applications;

/// <summary>
/// What a grant officer does to the applications ticked in the register: give their open tasks to a
/// person, or write one message to their applicants, see it filled in for one of them, then send it.
/// Every step is a form post carrying the chosen ids, so it works without JavaScript.
/// </summary>
public sealed class BulkModel(BulkActions bulk, WorkflowActors actors) : PageModel
{
    public const string Assign = "assign", Message = "message";

    [BindProperty] public List<int> Ids { get; set; } = [];
    /// <summary>Which action was chosen in the register: <see cref="Assign"/> or <see cref="Message"/>.</summary>
    [BindProperty] public string? BulkAction { get; set; }
    [BindProperty] public string? AssigneeId { get; set; }
    [BindProperty] public string? Subject { get; set; }
    [BindProperty] public string? Body { get; set; }
    /// <summary>The register as it was filtered, to go back to.</summary>
    [BindProperty] public string? ReturnUrl { get; set; }

    public string Step { get; private set; } = "";
    public List<(TaskCandidate Person, int Cases)> Candidates { get; private set; } = [];
    public BulkMessagePreview? Preview { get; private set; }
    public List<BulkOutcome> Outcomes { get; private set; } = [];

    public string Back => ReturnUrl is { } r && r.StartsWith("/Staff/Applications", StringComparison.Ordinal) && !r.StartsWith("//", StringComparison.Ordinal)
        ? r : "/Staff/Applications";

    public IActionResult OnGet() => Redirect("/Staff/Applications");

    /// <summary>From the register: the action chosen and the rows ticked.</summary>
    public Task<IActionResult> OnPostAsync() => RunAsync(async actor =>
    {
        if (BulkAction == Assign) await ChooseAsync(actor);
        else if (BulkAction == Message)
        {
            BulkActions.CheckSelection(Ids);
            Subject ??= "About your application {{ reference }}";
            Body ??= "Dear {{ recipient_name }},\n\n\n\nYou can see your application at {{ base_url }}{{ path }}\n\n{{ council }} grants team";
            Step = "write";
        }
        else return Redirect(Back);
        return Page();
    });

    public Task<IActionResult> OnPostAssignAsync() => RunAsync(async actor =>
    {
        try
        {
            Outcomes = await bulk.AssignAsync(actor, Ids, AssigneeId);
            Step = "done";
        }
        catch (InputException e)
        {
            await ChooseAsync(actor);
            throw new InputException(e.Errors);
        }
        return Page();
    });

    public Task<IActionResult> OnPostPreviewAsync() => RunAsync(async actor =>
    {
        Step = "write";
        Preview = await bulk.PreviewAsync(actor, Ids, Subject, Body);
        Step = "preview";
        return Page();
    });

    public Task<IActionResult> OnPostSendAsync() => RunAsync(async actor =>
    {
        Step = "write";
        Outcomes = await bulk.SendAsync(actor, Ids, Subject, Body);
        Step = "done";
        return Page();
    });

    /// <summary>Change the message after seeing it filled in.</summary>
    public Task<IActionResult> OnPostChangeAsync() => RunAsync(_ =>
    {
        Step = "write";
        return Task.FromResult<IActionResult>(Page());
    });

    private async Task ChooseAsync(Actor actor)
    {
        BulkAction = Assign;
        Step = "assign";
        Candidates = await bulk.CandidatesAsync(actor, Ids);
    }

    private async Task<IActionResult> RunAsync(Func<Actor, Task<IActionResult>> work)
    {
        var actor = await actors.ForAsync(User);
        if (!BulkActions.MayAct(actor)) return Forbid();
        try
        {
            return await work(actor);
        }
        catch (InputException e)
        {
            ModelState.Clear();
            ModelState.AddServiceErrors(e, ModelStateErrors.Pascal);
            if (e.Errors.ContainsKey("ids"))
            {
                Step = "";
                ViewData["ErrorLinks"] = new Dictionary<string, string> { ["Ids"] = Back };
            }
            return Page();
        }
        catch (ForbiddenException) { return Forbid(); }
    }
}
