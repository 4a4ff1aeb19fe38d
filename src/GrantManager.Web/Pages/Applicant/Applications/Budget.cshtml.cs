using System.ComponentModel.DataAnnotations;
using GrantManager.Core.Applications;
using GrantManager.Web.Forms;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;

namespace GrantManager.Web.Pages.Applicant.Applications;

public sealed class BudgetModel(ApplicationService applications, WorkflowActors actors) : ApplicantPage(applications, actors)
{
    private const int Rows = 8;

    public sealed class Line
    {
        public string? Item { get; set; }
        [Pounds, Display(Name = "The amount")] public decimal? Amount { get; set; }
    }

    public sealed class BudgetInput
    {
        [Pounds, Display(Name = "The amount you are asking for")] public decimal? AmountRequested { get; set; }
        public List<Line> Lines { get; set; } = [];
    }

    [BindProperty(Name = "Input")] public BudgetInput Input { get; set; } = new();

    /// <summary>Saved, but the lines do not add up to the amount asked for: a warning, not a success.</summary>
    public string? Mismatch { get; private set; }

    public async Task<IActionResult> OnGetAsync(int id)
    {
        if (!await LoadAsync(id)) return NotFound();
        if (!IsDraft) return Redirect($"/Applicant/Applications/{id}");
        Input.AmountRequested = Application.AmountRequested;
        Input.Lines = Application.Budget.Select(l => new Line { Item = l.Item, Amount = l.Amount }).ToList();
        Mismatch = MismatchOf(Application.AmountRequested, Application.Budget.Select(l => (decimal?)l.Amount).ToList());
        Pad();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(int id)
    {
        if (!await LoadAsync(id)) return NotFound();
        if (!IsDraft) return Redirect($"/Applicant/Applications/{id}");
        var lines = new List<BudgetLineInput>();
        var rowOf = new List<int>();
        for (var i = 0; i < Input.Lines.Count; i++)
        {
            var line = Input.Lines[i];
            var typedAmount = ModelState.TryGetValue($"Input.Lines[{i}].Amount", out var entry) && !string.IsNullOrWhiteSpace(entry.AttemptedValue);
            if (string.IsNullOrWhiteSpace(line.Item) && !typedAmount) continue;
            lines.Add(new BudgetLineInput(line.Item, line.Amount));
            rowOf.Add(i);
        }
        // The binder has already named amounts it could not read; the service checks the rest, all at once.
        var input = new ApplicationInput { AmountRequested = Input.AmountRequested, Budget = lines };
        try { Applications.CheckDraft(Application, input); }
        catch (InputException e) { ModelState.AddServiceErrors(e, k => RowField(k, rowOf)); }
        // A line whose amount could not be read is not "missing an amount" as well; say which line it is.
        foreach (var (key, value) in ModelState.Where(e => e.Value is { Errors.Count: > 0 }).Select(e => (e.Key, e.Value!)).ToList())
        {
            while (value.Errors.Count > 1) value.Errors.RemoveAt(1);
            if (key.StartsWith("Input.Lines[", StringComparison.Ordinal) && key.EndsWith("].Amount", StringComparison.Ordinal) && value.Errors[0].ErrorMessage.StartsWith("The amount ", StringComparison.Ordinal)
                && int.TryParse(key[12..key.IndexOf(']')], out var row))
            {
                var message = $"Budget line {row + 1}: the amount {value.Errors[0].ErrorMessage["The amount ".Length..]}";
                value.Errors.Clear();
                value.Errors.Add(message);
            }
        }
        Pad();
        if (!ModelState.IsValid) return Page();
        try
        {
            await Applications.UpdateDraftAsync(id, Actor, input);
        }
        catch (InputException e)
        {
            ModelState.AddServiceErrors(e, k => RowField(k, rowOf));
            return Page();
        }
        var mismatch = MismatchOf(Input.AmountRequested, lines.Select(l => l.Amount).ToList());
        if (mismatch is not null) return RedirectToPage(new { id });
        return Redirect($"/Applicant/Applications/{id}");
    }

    private static string? MismatchOf(decimal? requested, IReadOnlyList<decimal?> amounts)
    {
        if (requested is not decimal amount || amounts.Count == 0) return null;
        var total = amounts.Sum(a => a ?? 0);
        return total == amount ? null
            : $"Your budget is saved, but the lines add up to {Formats.Money(total)} and you are asking for {Formats.Money(amount)}. They must match before you can submit.";
    }

    /// <summary>The service numbers lines without the blank rows; put each error on the row the person typed in.</summary>
    private static string RowField(string key, List<int> rowOf) =>
        key.StartsWith("budget[", StringComparison.Ordinal) && int.TryParse(key[7..key.IndexOf(']')], out var n) && n < rowOf.Count
            ? key.Contains('.') ? $"Input.Lines[{rowOf[n]}].{ModelStateErrors.Pascal(key[(key.IndexOf('.') + 1)..])}" : $"Input.Lines[{rowOf[n]}].Item"
            : key == "budget" ? "Input.Lines[0].Item" : ModelStateErrors.InputField(key);

    private void Pad()
    {
        while (Input.Lines.Count < Rows) Input.Lines.Add(new Line());
    }
}
