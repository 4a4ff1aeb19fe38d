using System.Text.Json;
using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Funds;

/// <summary>
/// A round's budget and what is committed against it: the grants made from it (at their current amounts,
/// so a variation that adds money counts once it changes the grant) and the offers made and not yet
/// answered (an offer is money the council has promised; a declined or lapsed one no longer counts).
/// </summary>
public sealed record RoundBudget(int RoundId, string RoundName, decimal Budget, decimal Granted, int Grants, decimal Offered, int Offers)
{
    public decimal Committed => Granted + Offered;
    public decimal Remaining => Budget - Committed;
    /// <summary>What would be left after committing another amount (negative: past the budget).</summary>
    public decimal LeftAfter(decimal amount) => Remaining - amount;

    /// <summary>The sentence an approval past the budget is refused with.</summary>
    public string Refusal(decimal amount) =>
        $"Awarding {Money.Format(amount)} would take {RoundName} past its budget of {Money.Format(Budget)}: {Money.Format(Committed)} is committed, " +
        $"so {Money.Format(Math.Max(Remaining, 0))} is left. An administrator can raise the round's budget.";
}

/// <summary>
/// Round budgets for the decision form, the dashboards and anything else that commits money (a variation
/// adding to a grant): what is committed, and a check made inside the caller's transaction that refuses
/// a commitment taking the round past its budget.
/// </summary>
public sealed class RoundBudgets(GrantDbContext db, WorkflowRegistry registry)
{
    /// <summary>The round's budget now. An application's own offer is left out when it is being decided again.</summary>
    public Task<RoundBudget?> ForRoundAsync(int roundId, int? leavingOut = null, CancellationToken ct = default) =>
        ForRoundAsync(roundId, leavingOut is int one ? [one] : [], ct);

    /// <summary>The round's budget now, leaving out some applications (a panel meeting's, to show what it has to spend).</summary>
    public async Task<RoundBudget?> ForRoundAsync(int roundId, IReadOnlyCollection<int> leavingOut, CancellationToken ct = default)
    {
        var round = await db.Rounds.AsNoTracking().Where(r => r.Id == roundId).Select(r => new { r.Id, r.Name, r.Budget }).SingleOrDefaultAsync(ct);
        if (round is null) return null;
        var left = leavingOut.ToList();
        var (offered, offers, offerIds) = await OffersAsync([roundId], left, null, ct);
        // Read after the offers: an offer accepted in between then counts as the grant it became, once.
        var grants = await (from g in db.Grants.AsNoTracking()
                            join a in db.Applications.AsNoTracking() on g.ApplicationId equals a.Id
                            where a.RoundId == roundId && !left.Contains(a.Id)
                            select new { g.ApplicationId, g.Amount }).ToListAsync(ct);
        var counted = grants.Where(g => !offerIds.Contains(g.ApplicationId)).ToList();
        return new RoundBudget(round.Id, round.Name, round.Budget, counted.Sum(g => g.Amount), counted.Count, offered.GetValueOrDefault(roundId), offers.GetValueOrDefault(roundId));
    }

    /// <summary>The budget of the round an application was made to, leaving out the application's own offer.</summary>
    public async Task<RoundBudget?> ForApplicationAsync(int applicationId, CancellationToken ct = default)
    {
        var roundId = await db.Applications.AsNoTracking().Where(a => a.Id == applicationId).Select(a => (int?)a.RoundId).SingleOrDefaultAsync(ct);
        return roundId is int id ? await ForRoundAsync(id, applicationId, ct) : null;
    }

    /// <summary>Every round of a fund, in the order they opened.</summary>
    public async Task<List<RoundBudget>> ForFundAsync(int fundId, CancellationToken ct = default)
    {
        var rounds = await db.Rounds.AsNoTracking().Where(r => r.FundId == fundId).OrderBy(r => r.OpensAt).Select(r => new { r.Id, r.Name, r.Budget }).ToListAsync(ct);
        // Every round's offers and grants in one query each, over the fund's own indexes, rather than two a round.
        var (offered, offers, offerIds) = await OffersAsync(rounds.Select(r => r.Id).ToList(), [], fundId, ct);
        var grants = (await (from g in db.Grants.AsNoTracking()
                             where g.FundId == fundId
                             join a in db.Applications.AsNoTracking() on g.ApplicationId equals a.Id
                             select new { g.ApplicationId, a.RoundId, g.Amount }).ToListAsync(ct))
            .Where(g => !offerIds.Contains(g.ApplicationId)).ToLookup(g => g.RoundId);
        return rounds.Select(r => new RoundBudget(r.Id, r.Name, r.Budget, grants[r.Id].Sum(g => g.Amount), grants[r.Id].Count(),
            offered.GetValueOrDefault(r.Id), offers.GetValueOrDefault(r.Id))).ToList();
    }

    /// <summary>
    /// Inside the caller's transaction, makes sure committing <paramref name="amount"/> more to the round keeps it
    /// within its budget, adding the refusal under <paramref name="field"/> if not. Commitments to one round are
    /// made one at a time: on PostgreSQL the round's row is locked until the caller commits; on SQLite the
    /// transaction already holds the database's write lock (BEGIN IMMEDIATE). So of two approvals racing for the
    /// last of a budget, the second reads what the first committed and is refused.
    /// </summary>
    public async Task<RoundBudget?> CheckRoomAsync(int roundId, decimal amount, string field, Errors errors, int? leavingOut = null, CancellationToken ct = default)
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("A budget is checked inside the transaction that commits the money");
        if (db.Database.IsNpgsql())
            await db.Database.ExecuteSqlAsync($"""SELECT 1 FROM "Rounds" WHERE "Id" = {roundId} FOR UPDATE""", ct);
        var budget = await ForRoundAsync(roundId, leavingOut, ct);
        if (budget is not null && budget.LeftAfter(amount) < 0) errors.Add(field, budget.Refusal(amount));
        return budget;
    }

    /// <summary>Offers made and not yet answered in the rounds: the amount awarded of each application whose case is at a stage showing "approved".</summary>
    /// <param name="fundId">The rounds' fund, when they are all of one: the offers are then found over the fund's index of states.</param>
    private async Task<(Dictionary<int, decimal> Amount, Dictionary<int, int> Count, HashSet<int> ApplicationIds)> OffersAsync(
        List<int> roundIds, List<int> leavingOut, int? fundId, CancellationToken ct)
    {
        var approved = registry.All.SelectMany(d => d.States.Where(s => s.Value.Status == "approved").Select(s => (d.Id, d.Version, State: s.Key))).ToHashSet();
        var states = approved.Select(a => a.State).Distinct().ToList();
        var rows = await (from a in db.Applications.AsNoTracking()
                          join i in db.WorkflowInstances.AsNoTracking() on a.WorkflowInstanceId equals (Guid?)i.Id
                          // The application's copy of its state first, so only the offers' instances are read.
                          where (fundId == null || a.FundId == fundId) && roundIds.Contains(a.RoundId) && !leavingOut.Contains(a.Id)
                              && a.WorkflowState != null && states.Contains(a.WorkflowState)
                              && i.CompletedAt == null && states.Contains(i.State)
                          select new { a.Id, a.RoundId, i.DefinitionId, i.DefinitionVersion, i.State, i.Data }).ToListAsync(ct);
        var (amount, count, ids) = (new Dictionary<int, decimal>(), new Dictionary<int, int>(), new HashSet<int>());
        foreach (var r in rows.Where(r => approved.Contains((r.DefinitionId, r.DefinitionVersion, r.State))))
        {
            var awarded = SubjectData.Number(r.Data, "amountAwarded") ?? 0;
            amount[r.RoundId] = amount.GetValueOrDefault(r.RoundId) + awarded;
            count[r.RoundId] = count.GetValueOrDefault(r.RoundId) + 1;
            ids.Add(r.Id);
        }
        return (amount, count, ids);
    }
}
