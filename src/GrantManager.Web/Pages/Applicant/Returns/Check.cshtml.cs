using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Grants;
using GrantManager.Core.Monitoring;
using GrantManager.Core.Workflows;
using GrantManager.Web.Forms;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using GrantManager.Core;

namespace GrantManager.Web.Pages.Applicant.Returns;

/// <summary>
/// Check your answers before sending a progress report: everything it says, each with a link to
/// change it, a warning when the spend is above the grant or a line's budget (which the grant
/// holder confirms), then "Send the report".
/// </summary>
[Authorize(Roles = Roles.Applicant)]
public sealed class CheckModel(GrantDbContext db, ReturnService returns, AttachmentStore store, WorkflowActors actors) : PageModel
{
    public sealed class SendForm
    {
        /// <summary>The version of the report checked: a report changed since (in another tab) is not sent unseen.</summary>
        public int Version { get; set; }
        public bool ConfirmSpend { get; set; }
    }

    [BindProperty(Name = "Input")] public SendForm Input { get; set; } = new();
    public MonitoringReturn Return { get; private set; } = null!;
    public Grant Grant { get; private set; } = null!;
    public Dictionary<string, string> MeasureNames { get; private set; } = new();
    public List<Attachment> Evidence { get; private set; } = [];
    public string? ProjectTitle { get; private set; }
    public Overspend? Overspend => Overspend.Of(Return, Grant.Amount);

    public string ReturnUrl => $"/Applicant/Returns/{Return.Id}";
    public string MeasureName(string code) => MeasureNames.GetValueOrDefault(code, code);

    public async Task<IActionResult> OnGetAsync(int id)
    {
        if (!await LoadAsync(id)) return NotFound();
        if (!ReturnService.IsEditable(Return)) return RedirectToPage("Return", new { id });
        Input.Version = Return.Version;
        AddMissing();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(int id)
    {
        if (!await LoadAsync(id)) return NotFound();
        if (!ReturnService.IsEditable(Return)) return RedirectToPage("Return", new { id });
        ModelState.Clear();
        if (Overspend is not null && !Input.ConfirmSpend)
            ModelState.AddModelError("Input.ConfirmSpend", "Confirm that the spend figures are right, or change them before you send the report");
        if (!ModelState.IsValid) return Page();
        try
        {
            await returns.SubmitAsync(id, await actors.ForAsync(User), expectedVersion: Input.Version);
            TempData["Success"] = "Your progress report has been sent. A grant officer will review it.";
            return RedirectToPage("Return", new { id });
        }
        catch (InputException e)
        {
            // Something is missing: each message links to its row here, where "Change" leads to the field.
            ModelState.AddServiceErrors(e, ReturnModel.FieldOf);
        }
        catch (RefusedException e) { ModelState.AddModelError("", e.Message); }
        await LoadAsync(id);
        Input.Version = Return.Version;
        ModelState.Remove("Input.Version");
        return Page();
    }

    /// <summary>What must still be answered, as errors on the rows that lack it.</summary>
    private void AddMissing()
    {
        var missing = new Errors();
        ReturnService.Completeness(Return, missing);
        if (missing.Any) ModelState.AddServiceErrors(new InputException(missing.ToDictionary()), ReturnModel.FieldOf);
    }

    private async Task<bool> LoadAsync(int id)
    {
        try { (Return, Grant) = await returns.ForReadingAsync(id, await actors.ForAsync(User)); }
        catch (RefusedException) { return false; }
        MeasureNames = await db.OutcomeMeasures.AsNoTracking().Where(m => m.FundId == Grant.FundId).ToDictionaryAsync(m => m.Code, m => $"{m.Name} ({m.Unit})");
        ProjectTitle = await db.Applications.Where(a => a.Id == Grant.ApplicationId).Select(a => a.ProjectTitle).SingleOrDefaultAsync();
        Evidence = await store.ForReturnAsync(id);
        return true;
    }
}
