using System.Globalization;
using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Funds;
using GrantManager.Core.Workflows;
using GrantManager.Web.Pages.Shared;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using GrantManager.Core;

namespace GrantManager.Web.Pages.Admin.Funds;

/// <summary>A fund's details, rounds, assessment criteria and outcome measures, for administrators.</summary>
public sealed class FundModel(GrantDbContext db, FundAdministration admin, WorkflowRegistry registry) : PageModel
{
    public sealed class DetailsInput
    {
        public string? Code { get; set; }
        public string? Name { get; set; }
        public string? Summary { get; set; }
        public string? Description { get; set; }
        public string? Eligibility { get; set; }
        [Forms.Pounds, System.ComponentModel.DataAnnotations.Display(Name = "The smallest award")] public decimal? MinimumAward { get; set; }
        [Forms.Pounds, System.ComponentModel.DataAnnotations.Display(Name = "The largest award")] public decimal? MaximumAward { get; set; }
        [Forms.Pounds, System.ComponentModel.DataAnnotations.Display(Name = "The budget")] public decimal? Budget { get; set; }
        public string? MaxProjectMonths { get; set; } = "12";
        public string? WorkflowId { get; set; }
        public string? PaymentPlan { get; set; } = Core.Grants.PaymentPlan.Default;
    }

    public sealed class RoundInput
    {
        public string? RoundName { get; set; }
        [Forms.DateInput("the opening date")] public Forms.GovUkDate Opens { get; set; } = Forms.GovUkDate.Empty;
        [Forms.DateInput("the closing date")] public Forms.GovUkDate Closes { get; set; } = Forms.GovUkDate.Empty;
        [Forms.Pounds, System.ComponentModel.DataAnnotations.Display(Name = "The round's budget")] public decimal? RoundBudget { get; set; }
    }

    public sealed class RoundBudgetInput
    {
        public string? RoundId { get; set; }
        [Forms.Pounds, System.ComponentModel.DataAnnotations.Display(Name = "The round's new budget")] public decimal? NewBudget { get; set; }
    }

    public sealed class CriterionInput
    {
        public string? CriterionName { get; set; }
        public string? Guidance { get; set; }
        public string? Weight { get; set; }
    }

    public sealed class MeasureInput
    {
        public string? MeasureCode { get; set; }
        public string? MeasureName { get; set; }
        public string? Unit { get; set; }
    }

    [BindProperty(Name = "Input")] public DetailsInput Input { get; set; } = new();
    [BindProperty] public RoundInput NewRound { get; set; } = new();
    [BindProperty] public RoundBudgetInput ChangeBudget { get; set; } = new();
    [BindProperty] public CriterionInput NewCriterion { get; set; } = new();
    [BindProperty] public MeasureInput NewMeasure { get; set; } = new();
    public Fund? Fund { get; private set; }
    public IEnumerable<WorkflowDefinition> Workflows => registry.Newest;

    public async Task<IActionResult> OnGetAsync(int? id)
    {
        if (!await LoadAsync(id)) return NotFound();
        if (Fund is { } f)
            Input = new DetailsInput
            {
                Code = f.Code, Name = f.Name, Summary = f.Summary, Description = f.Description, Eligibility = f.Eligibility,
                MinimumAward = f.MinimumAward, MaximumAward = f.MaximumAward, Budget = f.Budget,
                MaxProjectMonths = f.MaxProjectMonths.ToString(System.Globalization.CultureInfo.InvariantCulture), WorkflowId = f.WorkflowId, PaymentPlan = f.PaymentPlan,
            };
        return Page();
    }

    public Task<IActionResult> OnPostDetailsAsync(int? id) => RunAsync(id, "Input", async () =>
    {
        var saved = await admin.SaveFundAsync(id, new FundInput(Input.Code, Input.Name, Input.Summary, Input.Description, Input.Eligibility,
            Input.MinimumAward, Input.MaximumAward, Input.Budget, int.TryParse(Input.MaxProjectMonths, out var m) ? m : null, Input.WorkflowId,
            Input.PaymentPlan));
        TempData["Success"] = $"{saved.Name} has been saved";
        return saved.Id;
    });

    public Task<IActionResult> OnPostRoundAsync(int id) => RunAsync(id, "NewRound", async () =>
    {
        // Dates the date binder could not read have stopped the save already, with the amounts.
        var round = await admin.AddRoundAsync(id, NewRound.RoundName, NewRound.Opens.Date, NewRound.Closes.Date, NewRound.RoundBudget);
        TempData["Success"] = $"{round.Name} has been added";
        return id;
    });

    public Task<IActionResult> OnPostRoundBudgetAsync(int id) => RunAsync(id, "ChangeBudget", async () =>
    {
        var round = await admin.SetRoundBudgetAsync(id, int.TryParse(ChangeBudget.RoundId, NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? r : null, ChangeBudget.NewBudget);
        TempData["Success"] = $"{round.Name}'s budget is now {Formats.Money(round.Budget)}";
        return id;
    });

    public Task<IActionResult> OnPostCriterionAsync(int id) => RunAsync(id, "NewCriterion", async () =>
    {
        await admin.AddCriterionAsync(id, NewCriterion.CriterionName, NewCriterion.Guidance, int.TryParse(NewCriterion.Weight, out var w) ? w : null);
        TempData["Success"] = "The criterion has been added";
        return id;
    });

    public Task<IActionResult> OnPostRemoveCriterionAsync(int id, int criterion) => RunAsync(id, "", async () =>
    {
        await admin.RemoveCriterionAsync(id, criterion);
        TempData["Success"] = "The criterion has been removed";
        return id;
    });

    public Task<IActionResult> OnPostMeasureAsync(int id) => RunAsync(id, "NewMeasure", async () =>
    {
        await admin.AddMeasureAsync(id, NewMeasure.MeasureCode, NewMeasure.MeasureName, NewMeasure.Unit);
        TempData["Success"] = "The measure has been added";
        return id;
    });

    private async Task<IActionResult> RunAsync(int? id, string prefix, Func<Task<int>> work)
    {
        // Amounts and dates the binders could not read stop the save; only this form's fields count.
        var unreadable = ModelState.Where(e => e.Key.StartsWith(prefix + ".", StringComparison.Ordinal) && e.Value is { Errors.Count: > 0 })
            .Select(e => (e.Key, e.Value!.Errors[0].ErrorMessage, e.Value.RawValue, e.Value.AttemptedValue)).ToList();
        ModelState.Clear();
        foreach (var (key, message, raw, attempted) in unreadable)
        {
            ModelState.SetModelValue(key, raw, attempted);
            ModelState.AddModelError(key, message);
        }
        if (unreadable.Count > 0) return await LoadAsync(id) ? Page() : NotFound();
        try
        {
            var fundId = await work();
            return RedirectToPage(new { id = fundId });
        }
        catch (InputException e)
        {
            foreach (var (field, messages) in e.Errors)
                foreach (var message in messages)
                    ModelState.AddModelError(field switch
                    {
                        "opens" => $"{prefix}.OpensDay",
                        "closes" => $"{prefix}.ClosesDay",
                        _ => $"{prefix}.{char.ToUpperInvariant(field[0])}{field[1..]}",
                    }, message);
        }
        catch (NotFoundException) { return NotFound(); }
        return await LoadAsync(id) ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync(int? id)
    {
        if (id is null) return true;
        Fund = await db.Funds.Include(f => f.Rounds).Include(f => f.Criteria).Include(f => f.Measures).AsNoTracking().SingleOrDefaultAsync(f => f.Id == id);
        return Fund is not null;
    }
}
