using GrantManager.Core.Monitoring;
using Microsoft.EntityFrameworkCore;
using Riok.Mapperly.Abstractions;

namespace GrantManager.Core.Grants;

public sealed record InstalmentView(int Sequence, int Percent, decimal Amount, string ReleasedBy, string Status, DateTime? DueAt, DateTime? PaidAt, string? PaymentReference,
    string? HeldReason, List<int> HeldFor, string? FailureReason);

public sealed record ConditionView(int Id, int Sequence, string Text, string Kind, int? Payment, string Status, string? EvidenceNote, DateTime? EvidenceSentAt,
    string? Reason, DateTime? DecidedAt)
{
    public static ConditionView Of(GrantCondition c) => new(c.Id, c.Sequence, c.Text, c.Kind, c.HoldsPayment, ConditionKinds.Status(c.Status),
        c.EvidenceNote, c.EvidenceSentAt, c.Reason, c.DecidedAt);
}

public sealed record TargetView(string Measure, decimal Target);

/// <param name="State">not-started, declaring (waiting for the underspend declaration), repayment-requested, closed or ended-early.</param>
public sealed record ClosureView(string State, decimal PaidSoFar, decimal? Underspend, DateTime? UnderspendDeclaredAt, bool RepaymentRequested, DateTime? RepaymentRequestedAt,
    decimal? RepaymentReceived, DateOnly? RepaymentReceivedOn, string? RepaymentReference, decimal? RepaymentOutstanding, DateTime? EndedAt, string? EndReason);

public sealed record BudgetLineView(string Item, decimal Amount);

/// <summary>A variation: what was asked for (null where nothing changes), the grant before it, and the decision.</summary>
public sealed record VariationView(int Id, int Sequence, string Status, string Reason, DateTime RequestedAt, string RequestedBy,
    DateOnly? EndDate, decimal? Amount, List<BudgetLineView>? Budget, Dictionary<string, decimal>? Targets,
    DateOnly EndDateBefore, decimal AmountBefore, List<BudgetLineView> BudgetBefore, Dictionary<string, decimal> TargetsBefore,
    int? Amendment, string? Replanned, DateTime? DecidedAt, string? DecisionMessage, Guid? WorkflowInstanceId)
{
    public static VariationView Of(GrantVariation v) => new(v.Id, v.Sequence, VariationJson.Status(v.Status), v.Reason, v.RequestedAt, v.RequestedByName,
        v.NewEndDate, v.NewAmount, v.BudgetAfterLines?.Select(l => new BudgetLineView(l.Item, l.Amount)).ToList(), v.TargetsAfterMap,
        v.EndDateBefore, v.AmountBefore, v.BudgetBeforeLines.Select(l => new BudgetLineView(l.Item, l.Amount)).ToList(), v.TargetsBeforeMap,
        v.Amendment, v.Replanned, v.DecidedAt, v.DecisionMessage, v.WorkflowInstanceId);
}

/// <summary>
/// A grant as the API shows it: its conditions, payment schedule, outcome targets, closure and variations.
/// Who may see it is <see cref="ReturnService.VisibleGrants"/>'s rule.
/// </summary>
public sealed record GrantView(int Id, string Reference, int ApplicationId, int FundId, int OrganisationId, decimal Amount, DateOnly StartDate,
    DateOnly EndDate, string? ConditionsText, List<ConditionView> Conditions, string Status, DateTime AwardedAt, DateTime? ClosedAt, List<InstalmentView> Instalments, List<TargetView> Targets,
    ClosureView Closure, List<VariationView> Variations)
{
    /// <summary>The grants with everything their views show, read without tracking.</summary>
    public static IQueryable<Grant> Including(IQueryable<Grant> grants) =>
        grants.AsNoTracking().Include(g => g.Instalments).Include(g => g.Targets).Include(g => g.ConditionList).Include(g => g.Variations);

    /// <summary>One of the grants the caller may see; another is not found.</summary>
    public static async Task<GrantView> ForAsync(IQueryable<Grant> visible, int id, CancellationToken ct = default) =>
        Of(await Including(visible).SingleOrDefaultAsync(g => g.Id == id, ct) ?? throw new NotFoundException("No such grant"));

    /// <summary>The views of the grants with these ids that the caller may see, in the order of the ids.</summary>
    public static async Task<List<GrantView>> ForAsync(IQueryable<Grant> visible, IReadOnlyList<int> ids, CancellationToken ct = default)
    {
        var grants = (await Including(visible).Where(g => ids.Contains(g.Id)).ToListAsync(ct)).ToDictionary(g => g.Id);
        return ids.Where(grants.ContainsKey).Select(id => Of(grants[id])).ToList();
    }

    public static GrantView Of(Grant g) => new(g.Id, g.Reference, g.ApplicationId, g.FundId, g.OrganisationId, g.Amount, g.StartDate, g.EndDate,
        g.Conditions, g.ConditionList.OrderBy(c => c.Sequence).Select(ConditionView.Of).ToList(), g.Status.ToString().ToLowerInvariant(), g.AwardedAt, g.ClosedAt,
        g.Instalments.OrderBy(i => i.Sequence).Select(i => new InstalmentView(i.Sequence, i.Percent, i.Amount, i.ReleasedBy, i.Status.ToString().ToLowerInvariant(), i.DueAt, i.PaidAt,
            i.PaymentReference, i.HeldReason, g.ConditionList.Where(c => c.Holds(i)).Select(c => c.Id).ToList(), i.FailureReason)).ToList(),
        g.Targets.OrderBy(t => t.Id).Select(t => t.ToView()).ToList(),
        new ClosureView(GrantClosure.State(g), GrantClosure.PaidSoFar(g), g.Underspend, g.UnderspendDeclaredAt, g.RepaymentRequestedAt is not null, g.RepaymentRequestedAt,
            g.RepaymentReceived, g.RepaymentReceivedOn, g.RepaymentReference, GrantClosure.Outstanding(g), g.EndedAt, g.EndReason), g.Variations.OrderBy(v => v.Sequence).Select(VariationView.Of).ToList());
}

/// <summary>Grant targets → their views, generated at compile time (a view member with no source is a build error).</summary>
[Mapper(RequiredMappingStrategy = RequiredMappingStrategy.Target)]
internal static partial class GrantViewMappings
{
    [MapProperty(nameof(GrantTarget.MeasureCode), nameof(TargetView.Measure))]
    public static partial TargetView ToView(this GrantTarget target);
}
