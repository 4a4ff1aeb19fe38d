using GrantManager.Core.Grants;

namespace GrantManager.Web.Pages.Shared;

/// <summary>The grant's conditions as a table (_GrantConditions), each linking to <see cref="LinkBase"/> + its id when given.</summary>
public sealed record GrantConditionsView(IReadOnlyList<GrantCondition> Conditions, string? LinkBase, string Id = "conditions-table");

/// <summary>How a payment's status reads: held payments say what holds them.</summary>
public static class PaymentStatusText
{
    public static string Of(Instalment i, IReadOnlyList<GrantCondition> conditions)
    {
        if (i.Status != InstalmentStatus.Held) return i.Status.ToString();
        var holding = conditions.Where(c => c.Holds(i)).OrderBy(c => c.Sequence).Select(c => $"condition {c.Sequence}").ToList();
        return holding.Count > 0 ? $"Held until {string.Join(" and ", holding)} is met" : $"Held by finance: {i.HeldReason}";
    }
}
