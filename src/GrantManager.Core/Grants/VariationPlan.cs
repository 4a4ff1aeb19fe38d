using System.Globalization;
using System.Text.Json;
using GrantManager.Core.Data;
using GrantManager.Core.Monitoring;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Grants;

/// <summary>
/// A grant re-planned for a variation: the grant (as loaded) is changed in place, and what its returns' workflows
/// need is listed: returns whose dates moved, returns added for new periods and returns no longer needed. Reports
/// already sent or accepted, and payments already made or with finance, are left as they are.
/// </summary>
public sealed class VariationPlan
{
    /// <summary>Why the change cannot be made to the grant as it is now, if it cannot.</summary>
    public string? Problem { get; private set; }
    /// <summary>Money the change adds to the grant (0 when it adds none).</summary>
    public decimal AddedMoney { get; private set; }
    public List<string> Lines { get; } = [];
    public string Summary => string.Join("\n", Lines);
    public List<MonitoringReturn> Moved { get; } = [];
    public List<MonitoringReturn> Added { get; } = [];
    public List<MonitoringReturn> Dropped { get; } = [];

    /// <summary>The variation a case is about, and its grant with everything a re-plan changes.</summary>
    public static async Task<(GrantVariation Variation, Grant Grant)> LoadAsync(GrantDbContext db, WorkflowInstance instance, bool asNoTracking, CancellationToken ct)
    {
        if (instance.SubjectType != GrantVariations.SubjectType || !int.TryParse(instance.SubjectId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            throw new WorkflowInvalidException("This task is not about a change to a grant", "outcome");
        var variations = asNoTracking ? db.Set<GrantVariation>().AsNoTracking() : db.Set<GrantVariation>();
        var variation = await variations.SingleAsync(v => v.Id == id, ct);
        var grants = asNoTracking ? db.Grants.AsNoTracking() : db.Grants;
        var grant = await grants.Include(g => g.Instalments).Include(g => g.Targets).Include(g => g.ConditionList)
            .Include(g => g.Returns).ThenInclude(r => r.Spend).Include(g => g.Returns).ThenInclude(r => r.Actuals)
            .AsSplitQuery().SingleAsync(g => g.Id == variation.GrantId, ct);
        return (variation, grant);
    }

    private static bool Open(MonitoringReturn r) => r.Status is ReturnStatus.Upcoming or ReturnStatus.Due or ReturnStatus.ChangesRequested;

    /// <summary>Re-plans <paramref name="grant"/> for the variation, changing it in place.</summary>
    public static VariationPlan For(Grant grant, GrantVariation variation, MonitoringSettings settings, DateTime now)
    {
        var plan = new VariationPlan();
        if (grant.Status != GrantStatus.Active) return plan.Refuse("This grant has closed, so it can no longer be changed");
        var newEnd = variation.NewEndDate ?? grant.EndDate;
        var newAmount = variation.NewAmount ?? grant.Amount;
        if (newEnd <= grant.StartDate) return plan.Refuse("The new end date is not after the grant's start date");

        // Payments: what is paid or with finance stays; the rest share what is left, in their plan's proportions.
        if (newAmount != grant.Amount)
        {
            var open = grant.Instalments.Where(i => i.WorkflowInstanceId is null).OrderBy(i => i.Sequence).ToList();
            var released = grant.Instalments.Where(i => i.WorkflowInstanceId is not null).Sum(i => i.Amount);
            if (open.Count == 0 || newAmount <= released)
                return plan.Refuse($"{Money.Format(released)} of this grant is paid or with finance, so its amount cannot become {Money.Format(newAmount)}");
            var left = newAmount - released;
            var weights = open.Sum(i => i.Percent);
            var share = left;
            for (var n = 0; n < open.Count; n++)
            {
                var i = open[n];
                var amount = n == open.Count - 1 ? share : decimal.Round(left * i.Percent / weights, 2, MidpointRounding.ToZero);
                share -= amount;
                if (amount != i.Amount) plan.Lines.Add($"Payment {i.Sequence}: from {Money.Format(i.Amount)} to {Money.Format(amount)}");
                i.Amount = amount;
                i.Version++;
            }
            foreach (var i in grant.Instalments) i.Percent = (int)decimal.Round(i.Amount * 100m / newAmount, MidpointRounding.AwayFromZero);
            plan.AddedMoney = Math.Max(0, newAmount - grant.Amount);
            grant.Amount = newAmount;
        }

        // Returns: the schedule for the new dates; periods already planned stay, new ones are added, those past the end go.
        var planned = MonitoringSchedules.Plan(grant.StartDate, newEnd, settings, grant.Instalments.OrderBy(i => i.Sequence).ToList());
        var existing = grant.Returns.OrderBy(r => r.Sequence).ToList();
        var unreleased = grant.Instalments.Where(i => i.Status == InstalmentStatus.Scheduled && i.WorkflowInstanceId is null).Select(i => i.Sequence).ToHashSet();
        var kept = new List<MonitoringReturn>();
        foreach (var p in planned)
        {
            var r = p.IsFinal ? existing.FirstOrDefault(x => x.IsFinal) : existing.FirstOrDefault(x => !x.IsFinal && x.PeriodStart == p.PeriodStart && x.PeriodEnd == p.PeriodEnd);
            if (r is null)
            {
                p.ReleasesInstalment = p.ReleasesInstalment is int s && unreleased.Contains(s) ? s : null;
                p.Spend = []; p.Actuals = [];
                plan.Added.Add(p);
                plan.Lines.Add($"{p.Period} added, due {GrantWorkflows.DayText(p.DueOn)}");
                kept.Add(p);
                continue;
            }
            kept.Add(r);
            if (!Open(r))
            {
                if (r.DueOn != p.DueOn || r.PeriodEnd != p.PeriodEnd) return plan.Refuse($"The {r.Period.ToLowerInvariant()} has already been sent, so its dates cannot change");
                continue;
            }
            var link = p.ReleasesInstalment is int l && unreleased.Contains(l) ? l : r.ReleasesInstalment is int had && !unreleased.Contains(had) ? had : (int?)null;
            var moved = r.DueOn != p.DueOn || r.PeriodEnd != p.PeriodEnd;
            if (moved) plan.Lines.Add($"{r.Period} moved from {GrantWorkflows.DayText(r.DueOn)} to {GrantWorkflows.DayText(p.DueOn)}");
            if (moved || link != r.ReleasesInstalment || newAmount != variation.AmountBefore)
            {
                r.PeriodEnd = p.PeriodEnd;
                r.DueOn = p.DueOn;
                r.DueAt = p.DueAt;
                r.ReleasesInstalment = link;
                r.Version++;
                plan.Moved.Add(r);
            }
        }
        foreach (var r in existing.Where(r => !kept.Contains(r)))
        {
            if (!Open(r) || r.Status == ReturnStatus.ChangesRequested || r.DraftSavedAt is not null)
                return plan.Refuse($"The {r.Period.ToLowerInvariant()} has already been started or sent, so the grant cannot end before {GrantWorkflows.DayText(r.PeriodEnd.AddDays(1))}");
            plan.Dropped.Add(r);
            plan.Lines.Add($"{r.Period} cancelled: it is after the new end date");
        }
        for (var n = 0; n < kept.Count; n++) kept[n].Sequence = n + 1;
        if (newEnd != grant.EndDate) grant.EndDate = newEnd;

        // Budget and targets: what the grant holder reports against from now on.
        var budget = variation.BudgetAfterLines;
        var targets = variation.TargetsAfterMap;
        if (targets is not null)
            foreach (var t in grant.Targets) t.Target = targets.GetValueOrDefault(t.MeasureCode, t.Target);
        foreach (var r in kept.Where(Open))
        {
            if (budget is not null || r.Spend.Count == 0 && plan.Added.Contains(r))
            {
                var spent = r.Spend.ToDictionary(s => s.Item, s => s.Spent);
                var lines = budget ?? VariationJson.Budget(variation.BudgetBefore);
                r.Spend.Clear();
                r.Spend.AddRange(lines.Select(l => new ReturnSpend { Item = l.Item, Budgeted = l.Amount, Spent = spent.GetValueOrDefault(l.Item) }));
            }
            if (targets is not null || r.Actuals.Count == 0 && plan.Added.Contains(r))
            {
                var actual = r.Actuals.ToDictionary(a => a.MeasureCode, a => a.Actual);
                r.Actuals.Clear();
                r.Actuals.AddRange(grant.Targets.OrderBy(t => t.Id).Select(t => new ReturnActual { MeasureCode = t.MeasureCode, Target = t.Target, Actual = actual.GetValueOrDefault(t.MeasureCode) }));
            }
        }
        if (budget is not null) plan.Lines.Add("Budget lines replaced");
        if (targets is not null) plan.Lines.Add("Outcome targets replaced");
        foreach (var r in plan.Dropped) grant.Returns.Remove(r);
        foreach (var r in plan.Added) grant.Returns.Add(r);
        return plan;
    }

    private VariationPlan Refuse(string problem)
    {
        Problem = problem;
        return this;
    }

    /// <summary>What a moved return's workflow counts its reminders and payment from.</summary>
    public static Dictionary<string, object?> ReturnData(Grant grant, MonitoringReturn r, MonitoringSettings settings)
    {
        var instalment = r.ReleasesInstalment is int seq ? grant.Instalments.FirstOrDefault(i => i.Sequence == seq) : null;
        return new()
        {
            ["dueOn"] = GrantWorkflows.DayText(r.DueOn),
            ["dueAt"] = r.DueAt,
            ["remindFrom"] = GrantWorkflows.RemindFrom(r.DueOn, settings),
            ["releasesInstalment"] = instalment is not null,
            ["instalmentAmount"] = instalment?.Amount,
        };
    }
}

/// <summary>
/// "apply-variation": the approved change made to the grant in the approving transaction: payments, returns (moved with
/// their reminders, added or cancelled), budget and targets, and the variation numbered as an amendment to the offer.
/// </summary>
public sealed class ApplyVariationHandler(TimeProvider time, MonitoringSchedules schedules) : IStateHandler
{
    public string Name => "apply-variation";

    public async Task OnEnterAsync(StateHandlerContext context, CancellationToken ct)
    {
        if (context.Instance.SubjectType != GrantVariations.SubjectType) return;
        var db = (GrantDbContext)context.Db;
        var now = time.GetUtcNow().UtcDateTime;
        var (variation, grant) = await VariationPlan.LoadAsync(db, context.Instance, asNoTracking: false, ct);
        if (variation.Status != VariationStatus.Requested) return;
        var fundCode = await db.Funds.Where(f => f.Id == grant.FundId).Select(f => f.Code).SingleAsync(ct);
        var settings = schedules.For(fundCode);
        // The change is recorded against the grant as it is when approved.
        variation.EndDateBefore = grant.EndDate;
        variation.AmountBefore = grant.Amount;
        variation.BudgetBefore = VariationJson.Of(await GrantVariations.BudgetOfAsync(db, grant, ct));
        variation.TargetsBefore = VariationJson.Of(grant.Targets.ToDictionary(t => t.MeasureCode, t => t.Target));
        var plan = VariationPlan.For(grant, variation, settings, now);
        if (plan.Problem is { } problem) throw new WorkflowInvalidException(problem, "outcome");
        variation.Status = VariationStatus.Approved;
        variation.Amendment = await db.Set<GrantVariation>().CountAsync(v => v.GrantId == grant.Id && v.Status == VariationStatus.Approved, ct) + 1;
        variation.Replanned = plan.Summary;
        Decided(variation, context, now);
        // The new returns need their ids before their workflows can name them.
        await db.SaveChangesAsync(ct);

        var application = await db.Applications.AsNoTracking().Where(a => a.Id == grant.ApplicationId).Select(a => a.WorkflowInstanceId).SingleAsync(ct);
        var about = await db.WorkflowInstances.AsNoTracking().SingleAsync(i => i.Id == application, ct);
        var because = $"Grant varied (amendment {variation.Amendment})";
        foreach (var r in plan.Added)
            await GrantWorkflows.StartReturnAsync(context.StartWorkflowAsync, grant, r, settings, about, ct);
        foreach (var r in plan.Moved.Where(r => r.WorkflowInstanceId is not null))
            await context.Cases.RetimeAsync(r.WorkflowInstanceId!.Value, VariationPlan.ReturnData(grant, r, settings), $"{because}: due {GrantWorkflows.DayText(r.DueOn)}", ct);
        foreach (var r in plan.Dropped.Where(r => r.WorkflowInstanceId is not null))
            await context.Cases.EndAsync(r.WorkflowInstanceId!.Value, $"{because}: {r.Period} is no longer needed", ct);
        db.RemoveRange(plan.Dropped);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Who decided, when, and what the grant holder was told (the message on the task just completed).</summary>
    internal static void Decided(GrantVariation variation, StateHandlerContext context, DateTime now)
    {
        variation.DecidedAt = now;
        variation.DecidedByName = context.Actor.Name;
        var task = context.Db.ChangeTracker.Entries<InboxTask>().Select(e => e.Entity)
            .Where(t => t.InstanceId == context.Instance.Id && t.Status == InboxTaskStatus.Completed).OrderByDescending(t => t.CompletedAt).FirstOrDefault();
        variation.DecisionMessage = task?.Data is { } data && JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(data) is { } fields
            && fields.TryGetValue(WorkflowRuntime.MessageKey, out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        variation.Version++;
    }
}

/// <summary>"refuse-variation": the grant stays as it was; the variation records who refused it and what the holder was told.</summary>
public sealed class RefuseVariationHandler(TimeProvider time) : IStateHandler
{
    public string Name => "refuse-variation";

    public async Task OnEnterAsync(StateHandlerContext context, CancellationToken ct)
    {
        if (context.Instance.SubjectType != GrantVariations.SubjectType || !int.TryParse(context.Instance.SubjectId, out var id)) return;
        var variation = await context.Db.Set<GrantVariation>().SingleAsync(v => v.Id == id, ct);
        if (variation.Status != VariationStatus.Requested) return;
        variation.Status = VariationStatus.Refused;
        ApplyVariationHandler.Decided(variation, context, time.GetUtcNow().UtcDateTime);
    }
}
