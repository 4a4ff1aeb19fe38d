using System.ComponentModel.DataAnnotations;
using System.Globalization;
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
/// The grant holder's progress report: fill it in over time as a draft, add evidence, then check it
/// and send it (on <see cref="CheckModel"/>). Every button on the form saves what was typed first,
/// and pressing Enter saves a draft: nothing is sent from here.
/// </summary>
[Authorize(Roles = Roles.Applicant)]
public sealed class ReturnModel(GrantDbContext db, ReturnService returns, AttachmentStore store, Core.Cases.GrantEvidence evidence, WorkflowActors actors) : PageModel
{
    public const string SpendLabel = "Spend to date";

    public sealed class SpendField
    {
        [Pounds, Display(Name = SpendLabel)] public decimal? Spent { get; set; }
    }

    public sealed class ReturnForm
    {
        public string? Progress { get; set; }
        public List<SpendField> Spend { get; set; } = [];
        public List<string?> Actuals { get; set; } = [];
        public string? BeneficiariesReached { get; set; }
        public string? CaseStudy { get; set; }
    }

    [BindProperty(Name = "Input")] public ReturnForm Input { get; set; } = new();
    [BindProperty] public IFormFile? Upload { get; set; }
    public MonitoringReturn Return { get; private set; } = null!;
    public Grant Grant { get; private set; } = null!;
    public Dictionary<string, string> MeasureNames { get; private set; } = new();
    public List<Attachment> Evidence { get; private set; } = [];
    public bool Editable => ReturnService.IsEditable(Return);
    public string? ProjectTitle { get; private set; }
    /// <summary>Spend saved so far above the grant or a line's budget, for the warning.</summary>
    public Overspend? Overspend => Overspend.Of(Return, Grant.Amount);

    public async Task<IActionResult> OnGetAsync(int id)
    {
        if (!await LoadAsync(id)) return NotFound();
        Input = new ReturnForm
        {
            Progress = Return.Progress, CaseStudy = Return.CaseStudy,
            BeneficiariesReached = Return.BeneficiariesReached?.ToString(CultureInfo.InvariantCulture),
            Spend = Return.Spend.Select(s => new SpendField { Spent = s.Spent }).ToList(),
            Actuals = Return.Actuals.Select(a => a.Actual?.ToString("0.##", CultureInfo.InvariantCulture)).ToList(),
        };
        return Page();
    }

    /// <summary>Save as draft: the form's default action, so Enter in any field saves rather than sends.</summary>
    public async Task<IActionResult> OnPostSaveAsync(int id)
    {
        if (!await LoadAsync(id)) return NotFound();
        if (!await SaveDraftAsync(id)) return await PageAsync(id);
        if (!await AddChosenFileAsync(id)) return await PageAsync(id);
        TempData["Success"] = Upload is { Length: > 0 } ? $"Your draft has been saved with {Path.GetFileName(Upload.FileName)}" : "Your draft has been saved";
        return RedirectToPage(new { id });
    }

    /// <summary>A file chosen in the evidence box goes with whichever button was pressed, never silently dropped.</summary>
    private async Task<bool> AddChosenFileAsync(int id)
    {
        if (Upload is not { Length: > 0 }) return true;
        try
        {
            await using var content = Upload.OpenReadStream();
            await evidence.AddEvidenceAsync(id, await actors.ForAsync(User), Upload.FileName, Upload.Length, content);
            return true;
        }
        catch (InputException e)
        {
            foreach (var message in e.Errors.Values.SelectMany(m => m)) ModelState.AddModelError(nameof(Upload), message);
        }
        catch (RefusedException e) { ModelState.AddModelError("", e.Message); }
        return false;
    }

    /// <summary>Saves the draft, then goes on to check it before sending, unless something is missing.</summary>
    public async Task<IActionResult> OnPostCheckAsync(int id)
    {
        if (!await LoadAsync(id)) return NotFound();
        if (!await SaveDraftAsync(id)) return await PageAsync(id);
        if (!await AddChosenFileAsync(id)) return await PageAsync(id);
        await LoadAsync(id);
        var missing = new Errors();
        ReturnService.Completeness(Return, missing);
        if (missing.Any)
        {
            ModelState.AddServiceErrors(new InputException(missing.ToDictionary()), FieldOf);
            return await PageAsync(id);
        }
        return RedirectToPage("Check", new { id });
    }

    /// <summary>Adds a file, saving everything typed first so that none of it is lost.</summary>
    public async Task<IActionResult> OnPostEvidenceAsync(int id)
    {
        if (!await LoadAsync(id)) return NotFound();
        var saved = await SaveDraftAsync(id);
        try
        {
            await using var content = Upload?.OpenReadStream() ?? Stream.Null;
            await evidence.AddEvidenceAsync(id, await actors.ForAsync(User), Upload?.FileName, Upload?.Length ?? 0, content);
            if (!saved) return await PageAsync(id);
            TempData["Success"] = $"{Path.GetFileName(Upload!.FileName)} has been added and your draft has been saved";
            return RedirectToPage(new { id });
        }
        catch (InputException e)
        {
            foreach (var message in e.Errors.Values.SelectMany(m => m)) ModelState.AddModelError(nameof(Upload), message);
        }
        catch (RefusedException e) { ModelState.AddModelError("", e.Message); }
        return await PageAsync(id);
    }

    /// <summary>Removes a file, saving everything typed first.</summary>
    public async Task<IActionResult> OnPostRemoveEvidenceAsync(int id, Guid document)
    {
        if (!await LoadAsync(id)) return NotFound();
        var saved = await SaveDraftAsync(id);
        try
        {
            await evidence.RemoveEvidenceAsync(document, await actors.ForAsync(User));
        }
        catch (NotFoundException) { return NotFound(); }
        catch (RefusedException e) { ModelState.AddModelError("", e.Message); return await PageAsync(id); }
        if (!saved) return await PageAsync(id);
        TempData["Success"] = "The document has been removed and your draft has been saved";
        return RedirectToPage(new { id });
    }

    /// <summary>Saves what was typed as a draft; false (with the errors on the fields, and nothing saved) if any of it cannot be taken.</summary>
    private async Task<bool> SaveDraftAsync(int id)
    {
        if (!Editable) { ModelState.AddModelError("", "This report has been sent, so it can no longer be changed"); return false; }
        // Only the form's own fields: the file is the evidence handlers' business.
        foreach (var key in ModelState.Keys.Where(k => !k.StartsWith("Input.", StringComparison.Ordinal)).ToList()) ModelState.Remove(key);
        var input = Parse();
        if (!ModelState.IsValid) return false;
        try
        {
            await returns.SaveDraftAsync(id, await actors.ForAsync(User), input);
            return true;
        }
        catch (InputException e) { ModelState.AddServiceErrors(e, FieldOf); }
        catch (RefusedException e) { ModelState.AddModelError("", e.Message); }
        return false;
    }

    /// <summary>The page again after a post, showing what is saved now (evidence, warnings) and what was typed.</summary>
    private async Task<IActionResult> PageAsync(int id)
    {
        await LoadAsync(id);
        return Page();
    }

    public static string FieldOf(string field)
    {
        if (field.StartsWith("spend[", StringComparison.Ordinal)) return "Input.Spend[" + field[6..field.IndexOf(']')] + "].Spent";
        if (field.StartsWith("actuals[", StringComparison.Ordinal)) return "Input.Actuals[" + field[8..field.IndexOf(']')] + "]";
        return field switch
        {
            "progress" => "Input.Progress", "beneficiariesReached" => "Input.BeneficiariesReached", "caseStudy" => "Input.CaseStudy", _ => "",
        };
    }

    /// <summary>What was typed, as the service takes it; figures that cannot be read are field errors here, and nothing is saved.</summary>
    private ReturnInput Parse()
    {
        // The pounds binder names the field generically; name the budget line too.
        for (var i = 0; i < Return.Spend.Count; i++)
        {
            var key = $"Input.Spend[{i}].Spent";
            if (ModelState.TryGetValue(key, out var entry) && entry.Errors.Count > 0)
            {
                var messages = entry.Errors.Select(e => e.ErrorMessage.Replace(SpendLabel, $"The spend to date on '{Return.Spend[i].Item}'")).ToList();
                entry.Errors.Clear();
                foreach (var m in messages) ModelState.AddModelError(key, m);
            }
        }
        decimal? Number(string? text, string key, string message, decimal max)
        {
            text = text?.Replace(",", "").Trim();
            if (string.IsNullOrEmpty(text)) return null;
            if (decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) && n <= max) return n;
            ModelState.AddModelError(key, message);
            return null;
        }
        var spend = Return.Spend.Select((s, i) => new SpendInput(s.Item, Input.Spend.ElementAtOrDefault(i)?.Spent)).ToList();
        var actuals = Return.Actuals.Select((a, i) => new ActualInput(a.MeasureCode,
            Number(Input.Actuals.ElementAtOrDefault(i), $"Input.Actuals[{i}]",
                $"Enter the {MeasureName(a.MeasureCode).ToLowerInvariant()} so far as a number from 0 to 100,000,000, like 25", ReturnService.MaxFigure))).ToList();
        const string peopleMessage = "Enter the number of people reached as a whole number from 0 to 10,000,000, like 40";
        var people = Number(Input.BeneficiariesReached, "Input.BeneficiariesReached", peopleMessage, ReturnService.MaxPeople);
        if (people is decimal p && decimal.Truncate(p) != p)
        {
            ModelState.AddModelError("Input.BeneficiariesReached", peopleMessage);
            people = null;
        }
        return new ReturnInput
        {
            Progress = Input.Progress ?? "", CaseStudy = Input.CaseStudy ?? "", Spend = spend, Actuals = actuals,
            BeneficiariesReached = people is decimal n ? (int)n : null,
        };
    }

    public string MeasureName(string code) => MeasureNames.GetValueOrDefault(code, code);

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
