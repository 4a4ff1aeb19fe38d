using System.Globalization;
using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Grants;
using GrantManager.Core.Workflows;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Web.Pages.Applicant.Returns;

/// <summary>The grant holder's progress report: fill it in over time as a draft, add evidence, and send it for review.</summary>
[Authorize(Roles = Roles.Applicant)]
public sealed class ReturnModel(GrantDbContext db, ReturnService returns, AttachmentStore store, WorkflowActors actors) : PageModel
{
    public sealed class ReturnForm
    {
        public string? Progress { get; set; }
        public List<string?> Spend { get; set; } = [];
        public List<string?> Actuals { get; set; } = [];
        public string? BeneficiariesReached { get; set; }
        public string? CaseStudy { get; set; }
    }

    [BindProperty] public ReturnForm Input { get; set; } = new();
    public MonitoringReturn Return { get; private set; } = null!;
    public Grant Grant { get; private set; } = null!;
    public Dictionary<string, string> MeasureNames { get; private set; } = new();
    public List<Attachment> Evidence { get; private set; } = [];
    public bool Editable => ReturnService.IsEditable(Return);
    public string? ProjectTitle { get; private set; }

    public async Task<IActionResult> OnGetAsync(int id)
    {
        if (!await LoadAsync(id)) return NotFound();
        Input = new ReturnForm
        {
            Progress = Return.Progress, CaseStudy = Return.CaseStudy,
            BeneficiariesReached = Return.BeneficiariesReached?.ToString(CultureInfo.InvariantCulture),
            Spend = Return.Spend.Select(s => s.Spent?.ToString("0.00", CultureInfo.InvariantCulture)).ToList(),
            Actuals = Return.Actuals.Select(a => a.Actual?.ToString("0.##", CultureInfo.InvariantCulture)).ToList(),
        };
        return Page();
    }

    public Task<IActionResult> OnPostSaveAsync(int id) => SaveAsync(id, submit: false);

    public Task<IActionResult> OnPostSubmitAsync(int id) => SaveAsync(id, submit: true);

    private async Task<IActionResult> SaveAsync(int id, bool submit)
    {
        if (!await LoadAsync(id)) return NotFound();
        ModelState.Clear();
        var input = Parse();
        if (!ModelState.IsValid) return Page();
        try
        {
            var actor = await actors.ForAsync(User);
            if (submit) await returns.SubmitAsync(id, actor, input);
            else await returns.SaveDraftAsync(id, actor, input);
            TempData["Success"] = submit ? "Your progress report has been sent. A grant officer will review it." : "Your draft has been saved";
            return RedirectToPage(new { id });
        }
        catch (InputException e)
        {
            foreach (var (field, messages) in e.Errors)
                foreach (var message in messages)
                    ModelState.AddModelError(FieldOf(field), message);
        }
        catch (WorkflowException e) { ModelState.AddModelError("", e.Message); }
        await LoadAsync(id);
        return Page();
    }

    [BindProperty] public IFormFile? Upload { get; set; }

    public async Task<IActionResult> OnPostEvidenceAsync(int id)
    {
        if (!await LoadAsync(id)) return NotFound();
        ModelState.Clear();
        try
        {
            await using var content = Upload?.OpenReadStream() ?? Stream.Null;
            await store.AddEvidenceAsync(id, await actors.ForAsync(User), Upload?.FileName, Upload?.Length ?? 0, content);
            TempData["Success"] = $"{Path.GetFileName(Upload!.FileName)} has been added";
            return RedirectToPage(new { id });
        }
        catch (InputException e)
        {
            foreach (var message in e.Errors.Values.SelectMany(m => m)) ModelState.AddModelError("Upload", message);
        }
        catch (WorkflowException e) { ModelState.AddModelError("", e.Message); }
        await OnGetAsync(id);
        return Page();
    }

    public async Task<IActionResult> OnPostRemoveEvidenceAsync(int id, Guid document)
    {
        if (!await LoadAsync(id)) return NotFound();
        try
        {
            await store.RemoveEvidenceAsync(document, await actors.ForAsync(User));
            TempData["Success"] = "The document has been removed";
        }
        catch (WorkflowNotFoundException) { return NotFound(); }
        catch (WorkflowException e) { TempData["Success"] = e.Message; }
        return RedirectToPage(new { id });
    }

    private static string FieldOf(string field)
    {
        if (field.StartsWith("spend[")) return "Input.Spend[" + field[6..field.IndexOf(']')] + "]";
        if (field.StartsWith("actuals[")) return "Input.Actuals[" + field[8..field.IndexOf(']')] + "]";
        return field switch
        {
            "progress" => "Input.Progress", "beneficiariesReached" => "Input.BeneficiariesReached", "caseStudy" => "Input.CaseStudy", _ => "",
        };
    }

    /// <summary>What was typed, as the service takes it; numbers that are not numbers are errors here, and nothing is saved.</summary>
    private ReturnInput Parse()
    {
        decimal? Number(string? text, string key, string message)
        {
            text = text?.Replace("£", "").Replace(",", "").Trim();
            if (string.IsNullOrEmpty(text)) return null;
            if (decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var n) && n >= 0) return n;
            ModelState.AddModelError(key, message);
            return null;
        }
        var spend = Return.Spend.Select((s, i) => new SpendInput(s.Item,
            Number(Input.Spend.ElementAtOrDefault(i), $"Input.Spend[{i}]", $"Enter the spend to date on '{s.Item}' in pounds, like 450.00"))).ToList();
        var actuals = Return.Actuals.Select((a, i) => new ActualInput(a.MeasureCode,
            Number(Input.Actuals.ElementAtOrDefault(i), $"Input.Actuals[{i}]", $"Enter the {MeasureName(a.MeasureCode).ToLowerInvariant()} so far as a number, like 25"))).ToList();
        var people = Number(Input.BeneficiariesReached, "Input.BeneficiariesReached", "Enter the number of people reached as a whole number, like 40");
        if (people is decimal p && decimal.Truncate(p) != p) ModelState.AddModelError("Input.BeneficiariesReached", "Enter the number of people reached as a whole number, like 40");
        return new ReturnInput
        {
            Progress = Input.Progress ?? "", CaseStudy = Input.CaseStudy ?? "", Spend = spend, Actuals = actuals,
            BeneficiariesReached = people is decimal n && n <= int.MaxValue ? (int)n : null,
        };
    }

    public string MeasureName(string code) => MeasureNames.GetValueOrDefault(code, code);

    private async Task<bool> LoadAsync(int id)
    {
        try { (Return, Grant) = await returns.ForReadingAsync(id, await actors.ForAsync(User)); }
        catch (WorkflowException) { return false; }
        MeasureNames = await db.OutcomeMeasures.AsNoTracking().Where(m => m.FundId == Grant.FundId).ToDictionaryAsync(m => m.Code, m => $"{m.Name} ({m.Unit})");
        ProjectTitle = await db.Applications.Where(a => a.Id == Grant.ApplicationId).Select(a => a.ProjectTitle).SingleOrDefaultAsync();
        Evidence = await store.ForReturnAsync(id);
        return true;
    }
}
