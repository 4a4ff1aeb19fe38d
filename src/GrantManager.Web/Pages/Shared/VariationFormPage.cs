using System.ComponentModel.DataAnnotations;
using GrantManager.Core;
using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Grants;
using GrantManager.Core.Workflows;
using GrantManager.Web.Forms;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Web.Pages.Shared;

/// <summary>
/// Asking for a change to a grant: the grant holder on their grant page, or a grant officer for them from the case
/// file. The form starts from the grant as it is; only what is changed is asked for.
/// </summary>
public abstract class VariationFormPage(GrantVariations variations, GrantDbContext db, WorkflowActors actors) : PageModel
{
    public const int BlankRows = 2;

    public sealed class Line
    {
        public string? Item { get; set; }
        [Pounds, Display(Name = "The amount")] public decimal? Amount { get; set; }
    }

    public sealed class VariationForm
    {
        [DateInput("the end date", Example = "31 3 2028", Required = true)] public GovUkDate End { get; set; } = GovUkDate.Empty;
        [Pounds, Display(Name = "The grant's amount")] public decimal? Amount { get; set; }
        public List<Line> Lines { get; set; } = [];
        public Dictionary<string, string?> Targets { get; set; } = new();
        public string? Reason { get; set; }
    }

    [BindProperty(Name = "Input")] public VariationForm Input { get; set; } = new();
    public Grant Grant { get; private set; } = null!;
    public IReadOnlyDictionary<string, string> MeasureNames { get; private set; } = new Dictionary<string, string>();
    public DateInputView EndDateInput => new("Input.End", "End date", $"Now {GrantWorkflows.DayText(Grant.EndDate)}. For example, 31 3 2028.", Input.End);

    /// <summary>Where to go back to, and where to go once asked.</summary>
    public abstract string BackUrl { get; }

    public async Task<IActionResult> OnGetAsync(int id)
    {
        if (await LoadAsync(id) is { } refused) return refused;
        Input.End = GovUkDate.Of(Grant.EndDate);
        Input.Amount = Grant.Amount;
        Input.Lines = (await GrantVariations.BudgetOfAsync(db, Grant, HttpContext.RequestAborted)).Select(l => new Line { Item = l.Item, Amount = l.Amount }).ToList();
        for (var i = 0; i < BlankRows; i++) Input.Lines.Add(new Line());
        Input.Targets = Grant.Targets.ToDictionary(t => t.MeasureCode, t => (string?)t.Target.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture));
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(int id)
    {
        if (await LoadAsync(id) is { } refused) return refused;
        // A blank or impossible end date is on the page already, from the date binder.
        var end = Input.End.Date;
        var targets = new Dictionary<string, decimal>();
        foreach (var (code, text) in Input.Targets)
        {
            if (decimal.TryParse(text?.Replace(",", "").Trim(), System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var target)) targets[code] = target;
            else ModelState.AddModelError($"Input.Targets[{code}]", $"Enter the target for {MeasureNames.GetValueOrDefault(code, code)} as a number, like 40");
        }
        var lines = new List<BudgetLineInput>();
        var rowOf = new List<int>();
        for (var i = 0; i < Input.Lines.Count; i++)
        {
            var typedAmount = ModelState.TryGetValue($"Input.Lines[{i}].Amount", out var entry) && !string.IsNullOrWhiteSpace(entry.AttemptedValue);
            if (string.IsNullOrWhiteSpace(Input.Lines[i].Item) && !typedAmount) continue;
            lines.Add(new BudgetLineInput(Input.Lines[i].Item, Input.Lines[i].Amount));
            rowOf.Add(i);
        }
        if (!ModelState.IsValid) return Page();
        try
        {
            var variation = await variations.RequestAsync(id, await actors.ForAsync(User), new VariationInput
            {
                EndDate = end, Amount = Input.Amount, Budget = lines, Targets = targets, Reason = Input.Reason,
            });
            TempData["Success"] = $"Change {variation.Sequence} has been sent to a grant officer. The grant holder is emailed the decision";
            return Redirect(BackUrl);
        }
        catch (InputException e)
        {
            foreach (var (key, messages) in e.Errors)
                foreach (var message in messages) ModelState.AddModelError(FieldOf(key, rowOf), message);
        }
        catch (ConflictException e) { ModelState.AddModelError("", e.Message); }
        return Page();
    }

    private static string FieldOf(string key, List<int> rowOf)
    {
        var row = System.Text.RegularExpressions.Regex.Match(key, @"^budget\[(\d+)\]\.(item|amount)$");
        if (row.Success)
        {
            var n = int.Parse(row.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            return $"Input.Lines[{(n < rowOf.Count ? rowOf[n] : n)}].{(row.Groups[2].Value == "item" ? "Item" : "Amount")}";
        }
        if (key.StartsWith("targets.", StringComparison.Ordinal)) return $"Input.Targets[{key[8..]}]";
        return key switch { "endDate" => "Input.EndDay", "amount" => "Input.Amount", "budget" => "Input.Lines[0].Item", "reason" => "Input.Reason", _ => "" };
    }

    private async Task<IActionResult?> LoadAsync(int id)
    {
        try { Grant = await variations.GrantForAsync(id, await actors.ForAsync(User), HttpContext.RequestAborted); }
        catch (NotFoundException) { return NotFound(); }
        catch (ForbiddenException) { return NotFound(); }
        MeasureNames = await db.OutcomeMeasures.AsNoTracking().Where(m => m.FundId == Grant.FundId).ToDictionaryAsync(m => m.Code, m => m.Name);
        return null;
    }
}
