using System.Globalization;
using System.Text.Json;
using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Monitoring;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Grants;

/// <summary>
/// A change to a grant asked for with a reason: a new end date, the budget, the outcome targets or the amount.
/// It runs on its own workflow (variation.json); approved, it re-plans the grant and becomes a numbered amendment
/// to the offer. What the grant was before and after is kept here, for the case file.
/// </summary>
public sealed class GrantVariation
{
    public int Id { get; set; }
    public int GrantId { get; set; }
    /// <summary>1, 2, … on the grant, in the order asked for.</summary>
    public int Sequence { get; set; }
    public string Reason { get; set; } = "";
    public VariationStatus Status { get; set; }
    public DateTime RequestedAt { get; set; }
    public string RequestedByName { get; set; } = "";
    /// <summary>Whether a grant officer asked for it on the grant holder's behalf.</summary>
    public bool RequestedByStaff { get; set; }

    // What was asked for; null where it stays as it is.
    public DateOnly? NewEndDate { get; set; }
    public decimal? NewAmount { get; set; }
    /// <summary>The budget lines asked for, as JSON [{item, amount}].</summary>
    public string? NewBudget { get; set; }
    /// <summary>The outcome targets asked for, as JSON {measureCode: target}.</summary>
    public string? NewTargets { get; set; }

    // The grant as it was: when asked, and again when approved (it is what the change was made to).
    public DateOnly EndDateBefore { get; set; }
    public decimal AmountBefore { get; set; }
    public string BudgetBefore { get; set; } = "[]";
    public string TargetsBefore { get; set; } = "{}";

    /// <summary>What the approval re-planned, a line each ("Final report moved from … to …").</summary>
    public string? Replanned { get; set; }
    /// <summary>Its number among the offer's amendments, once approved.</summary>
    public int? Amendment { get; set; }
    public DateTime? DecidedAt { get; set; }
    public string? DecidedByName { get; set; }
    /// <summary>What the grant holder was told with the decision.</summary>
    public string? DecisionMessage { get; set; }
    public Guid? WorkflowInstanceId { get; set; }
    public int Version { get; set; }

    public List<VariationBudgetLine> BudgetBeforeLines => VariationJson.Budget(BudgetBefore);
    public List<VariationBudgetLine>? BudgetAfterLines => NewBudget is null ? null : VariationJson.Budget(NewBudget);
    public Dictionary<string, decimal> TargetsBeforeMap => VariationJson.Targets(TargetsBefore);
    public Dictionary<string, decimal>? TargetsAfterMap => NewTargets is null ? null : VariationJson.Targets(NewTargets);
}

public enum VariationStatus { Requested, Approved, Refused }

public sealed record VariationBudgetLine(string Item, decimal Amount);

/// <summary>What someone asks to change; null for what stays as it is.</summary>
public sealed record VariationInput
{
    public DateOnly? EndDate { get; init; }
    public IReadOnlyList<BudgetLineInput>? Budget { get; init; }
    public IReadOnlyDictionary<string, decimal>? Targets { get; init; }
    public decimal? Amount { get; init; }
    public string? Reason { get; init; }
}

public static class VariationJson
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    public static string Of(IEnumerable<VariationBudgetLine> lines) => JsonSerializer.Serialize(lines.ToList(), Json);
    public static string Of(IReadOnlyDictionary<string, decimal> targets) => JsonSerializer.Serialize(targets, Json);
    public static List<VariationBudgetLine> Budget(string json) => JsonSerializer.Deserialize<List<VariationBudgetLine>>(json, Json) ?? [];
    public static Dictionary<string, decimal> Targets(string json) => JsonSerializer.Deserialize<Dictionary<string, decimal>>(json, Json) ?? new();

    public static string Status(VariationStatus status) => status switch
    {
        VariationStatus.Requested => "requested", VariationStatus.Approved => "approved", _ => "refused",
    };

    public static string StatusText(VariationStatus status) => status switch
    {
        VariationStatus.Requested => "Being reviewed", VariationStatus.Approved => "Approved", _ => "Refused",
    };
}

/// <summary>
/// Asking for a variation, and the grant as it stands for one: its budget (the last approved variation's, else the
/// application's) and whom it may be asked by (the grant's own organisation's applicants, or a grant officer for them).
/// </summary>
public sealed class GrantVariations(GrantDbContext db, WorkflowRuntime runtime, ReturnService returns, TimeProvider time)
{
    public const string SubjectType = "variation";
    public const string Workflow = "variation";
    public const int MaxReason = 3000;
    public const int MaxLines = 20;

    /// <summary>A grant the actor may ask to vary; another organisation's, or one the actor's role does not see, is not found.</summary>
    public async Task<Grant> GrantForAsync(int grantId, Actor actor, CancellationToken ct = default)
    {
        var grant = await returns.VisibleGrants(actor).AsNoTracking().Include(g => g.Targets.OrderBy(t => t.Id)).Include(g => g.Instalments)
            .Include(g => g.Variations.OrderBy(v => v.Sequence)).SingleOrDefaultAsync(g => g.Id == grantId, ct)
            ?? throw new NotFoundException("No such grant");
        if (!MayAsk(actor, grant)) throw new ForbiddenException("Only the grant holder, or a grant officer for them, asks for a change to a grant");
        return grant;
    }

    public static bool MayAsk(Actor actor, Grant grant) =>
        actor.HasRole(Roles.GrantOfficer) || actor.HasRole(Roles.Applicant) && actor.OrganisationId == grant.OrganisationId;

    /// <summary>The grant's budget now: the last approved variation's lines, else the application's.</summary>
    public static async Task<List<VariationBudgetLine>> BudgetOfAsync(GrantDbContext db, Grant grant, CancellationToken ct)
    {
        var varied = await db.Set<GrantVariation>().AsNoTracking().Where(v => v.GrantId == grant.Id && v.Status == VariationStatus.Approved && v.NewBudget != null)
            .OrderByDescending(v => v.Sequence).Select(v => v.NewBudget).FirstOrDefaultAsync(ct);
        if (varied is not null) return VariationJson.Budget(varied);
        return await db.Applications.AsNoTracking().Where(a => a.Id == grant.ApplicationId).SelectMany(a => a.Budget).OrderBy(l => l.Id)
            .Select(l => new VariationBudgetLine(l.Item, l.Amount)).ToListAsync(ct);
    }

    /// <summary>Asks for the change: checked, recorded and sent to a grant officer for review, all or nothing.</summary>
    public async Task<GrantVariation> RequestAsync(int grantId, Actor actor, VariationInput input, CancellationToken ct = default)
    {
        var grant = await GrantForAsync(grantId, actor, ct);
        if (grant.Status != GrantStatus.Active) throw new ConflictException("This grant has closed, so it can no longer be changed");
        if (grant.Variations.Any(v => v.Status == VariationStatus.Requested))
            throw new ConflictException("A change to this grant is already being reviewed. You can ask for another once it is decided");
        var budget = await BudgetOfAsync(db, grant, ct);
        var today = Configuration.UkTime.DayOf(time.GetUtcNow().UtcDateTime);
        var measures = await db.OutcomeMeasures.AsNoTracking().Where(m => m.FundId == grant.FundId).ToDictionaryAsync(m => m.Code, m => m.Name, ct);
        var errors = new Errors();
        var reason = string.IsNullOrWhiteSpace(input.Reason) ? null : input.Reason.Trim();
        var targets = grant.Targets.ToDictionary(t => t.MeasureCode, t => t.Target);

        DateOnly? endDate = null;
        if (input.EndDate is DateOnly end && end != grant.EndDate)
        {
            if (end <= grant.StartDate) errors.Add("endDate", $"The new end date must be after the grant's start date, {GrantWorkflows.DayText(grant.StartDate)}");
            else if (end < today) errors.Add("endDate", "The new end date must be today or later");
            else if (end > grant.StartDate.AddYears(5)) errors.Add("endDate", "The new end date must be within 5 years of the grant's start date");
            endDate = end;
        }
        decimal? amount = null;
        if (input.Amount is decimal a && a != grant.Amount)
        {
            var released = grant.Instalments.Where(i => i.WorkflowInstanceId is not null).Sum(i => i.Amount);
            if (a <= 0 || decimal.Round(a, 2) != a || a > Money.Largest) errors.Add("amount", "The new amount must be more than £0, in pounds and pence");
            else if (a <= released) errors.Add("amount", $"The new amount must be more than the {Money.Format(released)} already paid or with finance");
            else if (!grant.Instalments.Any(i => i.WorkflowInstanceId is null))
                errors.Add("amount", "Every payment of this grant has been made or is with finance, so its amount can no longer change");
            amount = a;
        }
        List<VariationBudgetLine>? lines = null;
        if (input.Budget is { } given)
        {
            if (given.Count == 0) errors.Add("budget", "Give at least one budget line");
            if (given.Count > MaxLines) errors.Add("budget", $"A budget can have up to {MaxLines} lines");
            lines = [];
            for (var i = 0; i < given.Count; i++)
            {
                var line = given[i];
                if (string.IsNullOrWhiteSpace(line?.Item)) errors.Add($"budget[{i}].item", $"Budget line {i + 1}: say what the money is for");
                else if (line.Item.Trim().Length > 200) errors.Add($"budget[{i}].item", $"Budget line {i + 1}: the description must be 200 characters or fewer");
                if (line?.Amount is not decimal m || m <= 0 || m > Money.Largest) errors.Add($"budget[{i}].amount", $"Budget line {i + 1}: enter an amount more than £0");
                else if (decimal.Round(m, 2) != m) errors.Add($"budget[{i}].amount", $"Budget line {i + 1}: the amount must be in pounds and pence");
                else if (!string.IsNullOrWhiteSpace(line.Item)) lines.Add(new VariationBudgetLine(line.Item.Trim(), m));
            }
            var total = amount ?? grant.Amount;
            // The budget as it stands, sent back unchanged with no new amount, changes nothing.
            if (amount is null && lines.SequenceEqual(budget)) lines = null;
            else if (lines.Count == given.Count && given.Count > 0 && lines.Sum(l => l.Amount) != total)
                errors.Add("budget", $"The budget lines add up to {Money.Format(lines.Sum(l => l.Amount))}; they must add up to the grant's {(amount is null ? "" : "new ")}amount, {Money.Format(total)}");
            if (lines is not null && lines.SequenceEqual(budget)) lines = null;
        }
        else if (amount is not null && !errors.Any)
            errors.Add("budget", $"Give the budget lines for the new amount: they must add up to {Money.Format(amount.Value)}");
        Dictionary<string, decimal>? newTargets = null;
        if (input.Targets is { Count: > 0 } changed)
        {
            newTargets = new Dictionary<string, decimal>(targets);
            foreach (var (code, target) in changed)
            {
                if (!targets.ContainsKey(code)) errors.Add($"targets.{code}", $"'{code}' is not one of the grant's outcome targets");
                else if (target <= 0 || target > 100_000_000) errors.Add($"targets.{code}", $"The target for {measures.GetValueOrDefault(code, code)} must be more than 0");
                else newTargets[code] = target;
            }
            if (newTargets.All(t => targets[t.Key] == t.Value)) newTargets = null;
        }
        if (!errors.Any && endDate is null && amount is null && lines is null && newTargets is null)
            errors.Add("endDate", "Say what should change: the end date, the budget, the outcome targets or the amount");
        if (reason is null) errors.Add("reason", "Give the reason for the change");
        else if (reason.Length > MaxReason) errors.Add("reason", $"The reason must be {MaxReason:#,0} characters or fewer");
        errors.ThrowIfAny();

        var variation = new GrantVariation
        {
            GrantId = grant.Id, Sequence = grant.Variations.Count + 1, Reason = reason!, Status = VariationStatus.Requested,
            RequestedAt = time.GetUtcNow().UtcDateTime, RequestedByName = actor.Name, RequestedByStaff = !actor.HasRole(Roles.Applicant),
            NewEndDate = endDate, NewAmount = amount, NewBudget = lines is null ? null : VariationJson.Of(lines), NewTargets = newTargets is null ? null : VariationJson.Of(newTargets),
            EndDateBefore = grant.EndDate, AmountBefore = grant.Amount, BudgetBefore = VariationJson.Of(budget), TargetsBefore = VariationJson.Of(targets), Version = 1,
        };
        var about = await db.Applications.AsNoTracking().Where(x => x.Id == grant.ApplicationId)
            .Join(db.WorkflowInstances.AsNoTracking(), x => x.WorkflowInstanceId, i => (Guid?)i.Id, (x, i) => i).SingleAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Add(variation);
        await db.SaveChangesAsync(ct);
        var data = new Dictionary<string, object?>
        {
            ["grantReference"] = grant.Reference,
            ["variationNumber"] = variation.Sequence,
            ["changesText"] = VariationWords.Changes(variation, measures),
            ["reason"] = variation.Reason,
            ["amountChanged"] = amount is not null,
            ["newAmount"] = amount ?? grant.Amount,
            ["projectTitle"] = GrantWorkflows.Text(about, "projectTitle"),
            ["organisationName"] = GrantWorkflows.Text(about, "organisationName"),
            ["fundName"] = GrantWorkflows.Text(about, "fundName"),
        };
        var instance = await runtime.StartAsync(Workflow, new WorkflowSubject(SubjectType, variation.Id.ToString(CultureInfo.InvariantCulture), data)
        {
            Reference = $"{grant.Reference}/V{variation.Sequence}", Path = $"/Applicant/Applications/{grant.ApplicationId}", OrganisationId = grant.OrganisationId,
            ContactEmail = about.ContactEmail, ContactName = about.ContactName, CaseId = grant.ApplicationId,
        }, actor, $"Change {variation.Sequence} asked for by {actor.Name}: {variation.Reason}", ct);
        variation.WorkflowInstanceId = instance.Id;
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return variation;
    }
}

/// <summary>A variation in words, for emails, the case file and the offer letter's amendments.</summary>
public static class VariationWords
{
    public static string Changes(GrantVariation v, IReadOnlyDictionary<string, string> measures)
    {
        var lines = new List<string>();
        if (v.NewEndDate is DateOnly end) lines.Add($"End date: from {GrantWorkflows.DayText(v.EndDateBefore)} to {GrantWorkflows.DayText(end)}");
        if (v.NewAmount is decimal amount) lines.Add($"Amount: from {Money.Format(v.AmountBefore)} to {Money.Format(amount)}");
        if (v.BudgetAfterLines is { } budget)
            lines.Add($"Budget: from {Lines(v.BudgetBeforeLines)} to {Lines(budget)}");
        if (v.TargetsAfterMap is { } targets)
        {
            var before = v.TargetsBeforeMap;
            lines.Add("Outcome targets: " + string.Join("; ", targets.Where(t => before.GetValueOrDefault(t.Key) != t.Value)
                .Select(t => $"{measures.GetValueOrDefault(t.Key, t.Key)} from {before.GetValueOrDefault(t.Key):#,0.##} to {t.Value:#,0.##}")));
        }
        return string.Join("\n", lines);
    }

    private static string Lines(IEnumerable<VariationBudgetLine> lines) => string.Join(", ", lines.Select(l => $"{l.Item} {Money.Format(l.Amount)}"));

    /// <summary>"Amendment 1: End date: from … to …; Amount: …", as the offer letter lists it.</summary>
    public static string Amendment(GrantVariation v, IReadOnlyDictionary<string, string> measures) =>
        $"Amendment {v.Amendment}: {Changes(v, measures).Replace("\n", "; ")} (agreed {GrantWorkflows.DayText(Configuration.UkTime.DayOf(v.DecidedAt!.Value))})";
}

/// <summary>
/// A grant officer's (or the panel's) review of a variation. Approving checks the change still fits the grant as it
/// is now, and that any money added fits the round's budget, again inside the transaction that approves it.
/// </summary>
public sealed class VariationReviewForm(GrantDbContext db, Funds.RoundBudgets budgets, MonitoringSchedules schedules) : ITaskForm
{
    public static string Name => "variation-review";
    public static string Asks => "For an approval: nothing more; the change must still fit the grant and the round's budget";
    public static IReadOnlyList<string> ActsOn => ["approve"];

    public async Task<TaskFormAnswer> CheckAsync(TaskFormContext context, Errors errors, CancellationToken ct)
    {
        if (context.Outcome != "approve") return TaskFormAnswer.Nothing;
        var (variation, grant) = await VariationPlan.LoadAsync(db, context.Task.Instance!, asNoTracking: true, ct);
        if (variation.Status != VariationStatus.Requested) throw new ConflictException("This change has already been decided");
        var plan = VariationPlan.For(grant, variation, schedules.For(await FundCodeAsync(grant, ct)), context.Now);
        if (plan.Problem is { } problem) errors.Add("outcome", problem);
        else if (plan.AddedMoney > 0 && await budgets.ForRoundAsync(await RoundOfAsync(grant, ct), [], ct) is { } budget && budget.LeftAfter(plan.AddedMoney) < 0)
            errors.Add("outcome", budget.Refusal(plan.AddedMoney));
        return new TaskFormAnswer(CaseData: new Dictionary<string, object?> { ["decidedChanges"] = plan.Summary });
    }

    /// <summary>The round's budget again, inside the transaction: another approval may have taken what was left.</summary>
    public async Task ConfirmAsync(TaskFormContext context, TaskFormAnswer answer, Errors errors, CancellationToken ct)
    {
        if (context.Outcome != "approve") return;
        var (variation, grant) = await VariationPlan.LoadAsync(db, context.Task.Instance!, asNoTracking: true, ct);
        var added = (variation.NewAmount ?? grant.Amount) - grant.Amount;
        if (added > 0) await budgets.CheckRoomAsync(await RoundOfAsync(grant, ct), added, "outcome", errors, null, ct);
    }

    private Task<string> FundCodeAsync(Grant grant, CancellationToken ct) => db.Funds.Where(f => f.Id == grant.FundId).Select(f => f.Code).SingleAsync(ct);
    private Task<int> RoundOfAsync(Grant grant, CancellationToken ct) => db.Applications.Where(a => a.Id == grant.ApplicationId).Select(a => a.RoundId).SingleAsync(ct);
}
