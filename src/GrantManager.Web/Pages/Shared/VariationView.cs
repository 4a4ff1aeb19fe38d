using GrantManager.Core.Grants;

namespace GrantManager.Web.Pages.Shared;

/// <summary>A variation as the pages show it: each change with the grant before and after, the reason, and what the approval re-planned.</summary>
public sealed record VariationView(GrantVariation Variation, IReadOnlyDictionary<string, string> Measures, bool ForStaff)
{
    public sealed record Change(string What, string Before, string After);

    public IEnumerable<Change> Changes()
    {
        var v = Variation;
        if (v.NewEndDate is DateOnly end) yield return new("End date", GrantWorkflows.DayText(v.EndDateBefore), GrantWorkflows.DayText(end));
        if (v.NewAmount is decimal amount) yield return new("Amount", Formats.Money(v.AmountBefore), Formats.Money(amount));
        if (v.BudgetAfterLines is { } budget) yield return new("Budget", Lines(v.BudgetBeforeLines), Lines(budget));
        if (v.TargetsAfterMap is { } targets)
        {
            var before = v.TargetsBeforeMap;
            foreach (var (code, target) in targets.Where(t => before.GetValueOrDefault(t.Key) != t.Value))
                yield return new($"Target: {Measures.GetValueOrDefault(code, code)}", before.GetValueOrDefault(code).ToString("#,0.##", Formats.EnGb), target.ToString("#,0.##", Formats.EnGb));
        }
    }

    private static string Lines(IEnumerable<VariationBudgetLine> lines) => string.Join("\n", lines.Select(l => $"{l.Item}: {Formats.Money(l.Amount)}"));

    public string Title => Variation.Amendment is int n ? $"Change {Variation.Sequence} (amendment {n})" : $"Change {Variation.Sequence}";
}
