using System.Text.RegularExpressions;
using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Funds;

public sealed record FundInput(string? Code, string? Name, string? Summary, string? Description, string? Eligibility,
    decimal? MinimumAward, decimal? MaximumAward, decimal? Budget, int? MaxProjectMonths, string? WorkflowId, string? PaymentPlan = Grants.PaymentPlan.Default);

/// <summary>Administrators' changes to funds, their rounds, assessment criteria and outcome measures, each checked first.</summary>
public sealed partial class FundAdministration(GrantDbContext db, WorkflowRegistry registry, TimeProvider time, RoundBudgets budgets)
{
    public async Task<Fund> SaveFundAsync(int? id, FundInput input, CancellationToken ct = default)
    {
        var fund = id is int existing ? await db.Funds.SingleOrDefaultAsync(f => f.Id == existing, ct) ?? throw new NotFoundException("No such fund") : new Fund();
        var e = new Errors();
        var code = input.Code?.Trim().ToUpperInvariant();
        if (code is null || !CodePattern().IsMatch(code)) e.Add("code", "Enter a code of 2 to 10 capital letters, like LWK; it starts every application reference");
        else if (await db.Funds.AnyAsync(f => f.Code == code && f.Id != fund.Id, ct)) e.Add("code", $"Another fund already uses the code {code}");
        Required("name", input.Name, "Enter the fund's name", 200);
        Required("summary", input.Summary, "Enter a one-line summary for the list of funds", 300);
        Required("description", input.Description, "Describe the fund", 5000);
        Required("eligibility", input.Eligibility, "Say who can apply", 5000);
        if (input.MinimumAward is not decimal min || min < 0) e.Add("minimumAward", "Enter the smallest award, £0 or more");
        if (input.MaximumAward is not decimal max || max <= 0) e.Add("maximumAward", "Enter the largest award, more than £0");
        else if (input.MinimumAward is decimal m && m > max) e.Add("maximumAward", "The largest award must be at least the smallest");
        if (input.Budget is not decimal budget || budget <= 0) e.Add("budget", "Enter the fund's budget, more than £0");
        if (input.MaxProjectMonths is not int months || months is < 1 or > 60) e.Add("maxProjectMonths", "Enter the longest project in months, from 1 to 60");
        if (Grants.PaymentPlan.Problem(input.PaymentPlan) is string planProblem) e.Add("paymentPlan", planProblem);
        if (input.WorkflowId is null || registry.Find(input.WorkflowId) is null)
            e.Add("workflowId", $"Choose the workflow: one of {string.Join(", ", registry.Newest.Select(d => d.Id))}");
        e.ThrowIfAny();

        fund.Code = code!;
        fund.Name = input.Name!.Trim();
        fund.Summary = input.Summary!.Trim();
        fund.Description = input.Description!.Trim();
        fund.Eligibility = input.Eligibility!.Trim();
        fund.MinimumAward = input.MinimumAward!.Value;
        fund.MaximumAward = input.MaximumAward!.Value;
        fund.Budget = input.Budget!.Value;
        fund.MaxProjectMonths = input.MaxProjectMonths!.Value;
        fund.WorkflowId = input.WorkflowId!;
        fund.PaymentPlan = string.Join(",", Grants.PaymentPlan.Parse(input.PaymentPlan!).Select(p => $"{p.Percent}:{p.ReleasedBy}"));
        if (fund.Id == 0)
        {
            fund.CreatedAt = time.GetUtcNow().UtcDateTime;
            db.Funds.Add(fund);
        }
        await db.SaveChangesAsync(ct);
        return fund;

        void Required(string field, string? value, string message, int max)
        {
            if (string.IsNullOrWhiteSpace(value)) e.Add(field, message);
            else if (value.Trim().Length > max) e.Add(field, $"It must be {max:N0} characters or fewer");
        }
    }

    public async Task<Round> AddRoundAsync(int fundId, string? name, DateOnly? opens, DateOnly? closes, decimal? budget, CancellationToken ct = default)
    {
        var fund = await db.Funds.SingleOrDefaultAsync(f => f.Id == fundId, ct) ?? throw new NotFoundException("No such fund");
        var e = new Errors();
        if (string.IsNullOrWhiteSpace(name)) e.Add("roundName", "Enter the round's name, like Round 2 2027");
        if (opens is null) e.Add("opens", "Enter the date the round opens");
        if (closes is null) e.Add("closes", "Enter the date the round closes");
        else if (opens is DateOnly o && closes <= o) e.Add("closes", "The round must close after it opens");
        if (budget is not decimal b || b <= 0) e.Add("roundBudget", "Enter the round's budget, more than £0");
        else if (b > fund.Budget) e.Add("roundBudget", $"The round's budget cannot be more than the fund's {Money.Format(fund.Budget)}");
        e.ThrowIfAny();
        // Dates are whole days in the UK: a round opens at the start of its first day and closes at the end of its last.
        var round = new Round
        {
            FundId = fundId, Name = name!.Trim(), Budget = budget!.Value,
            OpensAt = Configuration.UkTime.StartOfDay(opens!.Value), ClosesAt = Configuration.UkTime.StartOfDay(closes!.Value.AddDays(1)),
        };
        db.Rounds.Add(round);
        await db.SaveChangesAsync(ct);
        return round;
    }

    /// <summary>
    /// Raises (or lowers) a round's budget: never above the fund's, nor below what is already committed from the
    /// round, checked in the transaction that saves it so an approval cannot slip in between.
    /// </summary>
    public async Task<Round> SetRoundBudgetAsync(int fundId, int? roundId, decimal? budget, CancellationToken ct = default)
    {
        var fund = await db.Funds.AsNoTracking().SingleOrDefaultAsync(f => f.Id == fundId, ct) ?? throw new NotFoundException("No such fund");
        var e = new Errors();
        var round = roundId is int id ? await db.Rounds.SingleOrDefaultAsync(r => r.Id == id && r.FundId == fundId, ct) : null;
        if (round is null) e.Add("roundId", "Choose the round whose budget changes");
        if (budget is not decimal b || b <= 0) e.Add("newBudget", "Enter the round's new budget, more than £0");
        else if (b > fund.Budget) e.Add("newBudget", $"The round's budget cannot be more than the fund's {Money.Format(fund.Budget)}");
        e.ThrowIfAny();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var committed = await budgets.CheckRoomAsync(round!.Id, 0, "newBudget", e, ct: ct);
        if (committed is not null && budget!.Value < committed.Committed)
            e.Add("newBudget", $"The round's budget cannot be less than the {Money.Format(committed.Committed)} already committed from it");
        e.ThrowIfAny();
        round.Budget = budget!.Value;
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return round;
    }

    public async Task AddCriterionAsync(int fundId, string? name, string? guidance, int? weight, CancellationToken ct = default)
    {
        var fund = await db.Funds.Include(f => f.Criteria).SingleOrDefaultAsync(f => f.Id == fundId, ct) ?? throw new NotFoundException("No such fund");
        var e = new Errors();
        if (string.IsNullOrWhiteSpace(name)) e.Add("criterionName", "Enter the criterion's name");
        else if (fund.Criteria.Any(c => c.Name.Equals(name.Trim(), StringComparison.OrdinalIgnoreCase))) e.Add("criterionName", "The fund already has a criterion with that name");
        if (weight is not int w || w is < 1 or > 100) e.Add("weight", "Enter a weight from 1 to 100 (per cent)");
        else if (fund.Criteria.Sum(c => c.Weight) + w > 100) e.Add("weight", $"The weights would add up to more than 100; {100 - fund.Criteria.Sum(c => c.Weight)} is left");
        e.ThrowIfAny();
        fund.Criteria.Add(new AssessmentCriterion { Name = name!.Trim(), Guidance = guidance?.Trim() ?? "", Weight = weight!.Value, Order = fund.Criteria.Count + 1 });
        await db.SaveChangesAsync(ct);
    }

    public async Task RemoveCriterionAsync(int fundId, int criterionId, CancellationToken ct = default)
    {
        var criterion = await db.Criteria.SingleOrDefaultAsync(c => c.Id == criterionId && c.FundId == fundId, ct) ?? throw new NotFoundException("No such criterion");
        db.Criteria.Remove(criterion);
        await db.SaveChangesAsync(ct);
    }

    public async Task AddMeasureAsync(int fundId, string? code, string? name, string? unit, CancellationToken ct = default)
    {
        var fund = await db.Funds.Include(f => f.Measures).SingleOrDefaultAsync(f => f.Id == fundId, ct) ?? throw new NotFoundException("No such fund");
        var e = new Errors();
        var key = code?.Trim().ToLowerInvariant();
        if (key is null || !MeasurePattern().IsMatch(key)) e.Add("measureCode", "Enter a code of lower-case letters and hyphens, like people-supported");
        else if (fund.Measures.Any(m => m.Code == key)) e.Add("measureCode", "The fund already has a measure with that code");
        if (string.IsNullOrWhiteSpace(name)) e.Add("measureName", "Enter the measure's name");
        if (string.IsNullOrWhiteSpace(unit)) e.Add("unit", "Enter the unit it is counted in, like people or hours");
        e.ThrowIfAny();
        fund.Measures.Add(new OutcomeMeasure { Code = key!, Name = name!.Trim(), Unit = unit!.Trim(), Order = fund.Measures.Count + 1 });
        await db.SaveChangesAsync(ct);
    }

    [GeneratedRegex(@"^[A-Z]{2,10}$")] private static partial Regex CodePattern();
    [GeneratedRegex(@"^[a-z][a-z-]{1,39}$")] private static partial Regex MeasurePattern();
}
