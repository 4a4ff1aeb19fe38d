using GrantManager.Core.Applications;
using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Grants;

/// <summary>Applications at one stage of the fund's workflow (State null: drafts not yet submitted).</summary>
public sealed record PipelineStage(string? State, string Title, int Applications, decimal Requested);

/// <summary>What a round's submitted applications ask for against its budget, and what has been awarded from it.</summary>
public sealed record RoundDemand(int RoundId, string Name, DateOnly Opened, decimal Budget, int Submitted, decimal Requested, int Grants, decimal Awarded)
{
    /// <summary>How many times over the budget is asked for (0 when the round has no budget).</summary>
    public decimal TimesBudget => Budget <= 0 ? 0 : decimal.Round(Requested / Budget, 1);
}

public sealed record FundPipeline(List<PipelineStage> Stages, List<RoundDemand> Rounds);

/// <summary>
/// Where a fund's applications are (counted per stage in the database, never by loading them) and
/// the demand on each round against its budget: the figures for the dashboard's charts, each of which
/// links to the register filtered to exactly the applications it counts.
/// </summary>
public sealed class FundPipelines(GrantDbContext db, WorkflowRegistry registry, ApplicationRegister register)
{
    /// <summary>The fund's pipeline as <paramref name="actor"/> may see it: the applications their register shows, so each figure opens a register with that many.</summary>
    public async Task<FundPipeline> ForFundAsync(int fundId, Actor actor, CancellationToken ct = default)
    {
        var visible = register.Visible(actor);
        // WorkflowState is the application's workflow state, kept by the database (null for a draft): no join to the instances.
        var byState = await (from a in visible
                             where a.FundId == fundId
                             group a by a.WorkflowState into g
                             select new { State = g.Key, Count = g.Count(), Requested = g.Sum(a => a.AmountRequested) ?? 0 }).ToListAsync(ct);
        var workflow = await db.Funds.AsNoTracking().Where(f => f.Id == fundId).Select(f => f.WorkflowId).SingleAsync(ct);
        var definition = registry.Find(workflow);
        // In the workflow's own order, so the pipeline reads from first stage to last.
        var order = definition?.States.Keys.ToList() ?? [];
        var stages = byState.OrderBy(s => s.State is null ? -1 : order.IndexOf(s.State) is var at && at >= 0 ? at : order.Count)
            .Select(s => new PipelineStage(s.State, s.State is null ? "Draft, not yet submitted" : definition?.States.GetValueOrDefault(s.State)?.Title ?? s.State,
                s.Count, s.Requested))
            .ToList();

        // Submitted counted from the start of the round's first day, as the register's "submitted from" filter that the figure links to counts them.
        var awardedBy = (await (from g in db.Grants.AsNoTracking()
                                where g.FundId == fundId
                                join a in db.Applications.AsNoTracking() on g.ApplicationId equals a.Id
                                group g by a.RoundId into byRound
                                select new { RoundId = byRound.Key, Count = byRound.Count(), Amount = byRound.Sum(x => x.Amount) }).ToListAsync(ct))
            .ToDictionary(g => g.RoundId);
        var demand = new List<RoundDemand>();
        foreach (var r in await db.Rounds.AsNoTracking().Where(r => r.FundId == fundId).OrderBy(r => r.OpensAt).ToListAsync(ct))
        {
            var opened = UkTime.DayOf(r.OpensAt);
            var from = UkTime.StartOfDay(opened);
            var submitted = await visible.Where(a => a.RoundId == r.Id && a.SubmittedAt >= from)
                .GroupBy(a => 1).Select(g => new { Count = g.Count(), Requested = g.Sum(a => a.AmountRequested) ?? 0 }).SingleOrDefaultAsync(ct);
            var awarded = awardedBy.GetValueOrDefault(r.Id);
            demand.Add(new RoundDemand(r.Id, r.Name, opened, r.Budget, submitted?.Count ?? 0, submitted?.Requested ?? 0, awarded?.Count ?? 0, awarded?.Amount ?? 0));
        }
        return new FundPipeline(stages, demand);
    }
}
