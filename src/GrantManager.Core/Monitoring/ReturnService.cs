using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Grants;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Monitoring;

public sealed record SpendInput(string? Item, decimal? Spent);
public sealed record ActualInput(string? Measure, decimal? Actual);

/// <summary>What the grant holder reports. Null means "not answered yet" in a draft; lists change the lines they name.</summary>
public sealed record ReturnInput
{
    public string? Progress { get; init; }
    public IReadOnlyList<SpendInput>? Spend { get; init; }
    public IReadOnlyList<ActualInput>? Actuals { get; init; }
    public int? BeneficiariesReached { get; init; }
    public string? CaseStudy { get; init; }
}

/// <summary>Spend reported above what was awarded: the total over the grant, and each line over its budget.</summary>
public sealed record Overspend(decimal TotalSpent, decimal Awarded, IReadOnlyList<ReturnSpend> LinesOverBudget)
{
    public bool TotalOverAward => TotalSpent > Awarded;

    /// <summary>Null when nothing is over: the total is within the grant and every line within its budget.</summary>
    public static Overspend? Of(MonitoringReturn r, decimal awarded)
    {
        var total = r.Spend.Sum(s => s.Spent ?? 0);
        var lines = r.Spend.Where(s => s.Spent > s.Budgeted).ToList();
        return total > awarded || lines.Count > 0 ? new Overspend(total, awarded, lines) : null;
    }
}

/// <summary>Progress reports on grants: who may see them, drafts and sending.</summary>
public sealed class ReturnService(GrantDbContext db, WorkflowRuntime runtime, TimeProvider time)
{
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    public static bool SeesAllGrants(Actor actor) =>
        actor.HasRole(Roles.GrantOfficer) || actor.HasRole(Roles.FinanceOfficer) || actor.HasRole(Roles.PanelMember) || actor.HasRole(Roles.Administrator);

    /// <summary>The grants the actor may see: staff who oversee grants see all; an applicant their organisation's; others none (403).</summary>
    public IQueryable<Grant> VisibleGrants(Actor actor)
    {
        if (SeesAllGrants(actor)) return db.Grants;
        if (actor.HasRole(Roles.Applicant) && actor.OrganisationId is int organisation) return db.Grants.Where(g => g.OrganisationId == organisation);
        throw new ForbiddenException("Your role does not see grants");
    }

    public async Task<(MonitoringReturn Return, Grant Grant)> ForReadingAsync(int id, Actor actor, CancellationToken ct = default)
    {
        var grants = VisibleGrants(actor);
        var r = await db.Set<MonitoringReturn>().AsNoTracking().Include(x => x.Spend.OrderBy(s => s.Id)).Include(x => x.Actuals.OrderBy(a => a.Id))
            .SingleOrDefaultAsync(x => x.Id == id && grants.Any(g => g.Id == x.GrantId), ct) ?? throw new NotFoundException("No such return");
        var grant = await db.Grants.AsNoTracking().Include(g => g.Instalments).Include(g => g.Targets).SingleAsync(g => g.Id == r.GrantId, ct);
        return (r, grant);
    }

    /// <summary>Whether the grant holder can still change it: until it is sent, or when changes were asked for.</summary>
    public static bool IsEditable(MonitoringReturn r) => r.Status is ReturnStatus.Upcoming or ReturnStatus.Due or ReturnStatus.ChangesRequested;

    public async Task<MonitoringReturn> SaveDraftAsync(int id, Actor actor, ReturnInput input, int? expectedVersion = null, CancellationToken ct = default)
    {
        var r = await OwnAsync(id, actor, ct);
        if (expectedVersion is int v && v != r.Version)
            throw new ConflictException("The return has changed since you opened it. Reload it to see the latest.");
        var errors = new Errors();
        Apply(r, input, errors);
        errors.ThrowIfAny();
        r.DraftSavedAt = Now;
        r.Version++;
        await SaveAsync(ct);
        return r;
    }

    /// <summary>Sends the return for review: everything must be answered (a case study for the final report).</summary>
    /// <param name="expectedVersion">The version the grant holder checked, so that what is sent is what they saw.</param>
    public async Task<MonitoringReturn> SubmitAsync(int id, Actor actor, ReturnInput? input = null, int? expectedVersion = null, CancellationToken ct = default)
    {
        var r = await OwnAsync(id, actor, ct);
        if (expectedVersion is int v && v != r.Version)
            throw new ConflictException("The report has changed since you checked it. Check it again before sending it.");
        var errors = new Errors();
        if (input is not null) Apply(r, input, errors);
        errors.ThrowIfAny();
        Completeness(r, errors);
        errors.ThrowIfAny();
        if (r.WorkflowInstanceId is not Guid instanceId) throw new ConflictException("This return cannot be sent yet");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        r.SubmittedAt = Now;
        r.Version++;
        await SaveAsync(ct);
        var task = await db.InboxTasks.AsNoTracking().Where(t => t.InstanceId == instanceId && t.Status == InboxTaskStatus.Open && t.Role == Roles.Applicant)
            .Select(t => (long?)t.Id).FirstOrDefaultAsync(ct);
        if (task is long taskId) await runtime.CompleteTaskAsync(taskId, "submit", actor, null, null, ct);
        else await runtime.FireAsync(instanceId, "submit", actor, null, null, ct);
        await tx.CommitAsync(ct);
        return r;
    }

    public static void Completeness(MonitoringReturn r, Errors errors)
    {
        if (string.IsNullOrWhiteSpace(r.Progress)) errors.Add("progress", "Describe the progress made so far");
        for (var i = 0; i < r.Spend.Count; i++)
            if (r.Spend[i].Spent is null) errors.Add($"spend[{i}].spent", $"Enter the spend to date on '{r.Spend[i].Item}'");
        for (var i = 0; i < r.Actuals.Count; i++)
            if (r.Actuals[i].Actual is null) errors.Add($"actuals[{i}].actual", $"Enter the figure achieved so far for '{r.Actuals[i].MeasureCode}'");
        if (r.BeneficiariesReached is null) errors.Add("beneficiariesReached", "Enter how many people the project has reached so far");
        if (r.IsFinal && string.IsNullOrWhiteSpace(r.CaseStudy)) errors.Add("caseStudy", "The final report needs a case study: one person's or group's story");
    }

    /// <summary>The largest outcome figure a return takes.</summary>
    public const decimal MaxFigure = 100_000_000;
    /// <summary>The most people a return can say it reached.</summary>
    public const int MaxPeople = 10_000_000;

    private static void Apply(MonitoringReturn r, ReturnInput input, Errors errors)
    {
        if (input.Progress is not null)
        {
            if (input.Progress.Length > 10000) errors.Add("progress", "Progress must be 10,000 characters or fewer");
            else r.Progress = input.Progress.Trim();
        }
        if (input.CaseStudy is not null)
        {
            if (input.CaseStudy.Length > 10000) errors.Add("caseStudy", "The case study must be 10,000 characters or fewer");
            else r.CaseStudy = input.CaseStudy.Trim();
        }
        if (input.BeneficiariesReached is int b)
        {
            if (b < 0 || b > MaxPeople) errors.Add("beneficiariesReached", "Enter a number of people from 0 to 10,000,000");
            else r.BeneficiariesReached = b;
        }
        for (var i = 0; i < (input.Spend?.Count ?? 0); i++)
        {
            var s = input.Spend![i];
            if (s is null) { errors.Add($"spend[{i}]", "Give the budget line's item and the spend on it, or leave the line out"); continue; }
            var line = r.Spend.FirstOrDefault(l => string.Equals(l.Item, s.Item?.Trim(), StringComparison.OrdinalIgnoreCase));
            if (line is null) { errors.Add($"spend[{i}].item", $"'{s.Item}' is not a line of the grant's budget"); continue; }
            if (s.Spent is not decimal spent) continue;
            var problem = spent < 0 ? Money.ParseResult.Negative : spent > Money.Largest ? Money.ParseResult.TooLarge
                : decimal.Round(spent, 2) != spent ? Money.ParseResult.TooPrecise : Money.ParseResult.Ok;
            if (problem != Money.ParseResult.Ok) errors.Add($"spend[{i}].spent", Money.Problem(problem, $"The spend on '{line.Item}'"));
            else line.Spent = spent;
        }
        for (var i = 0; i < (input.Actuals?.Count ?? 0); i++)
        {
            var a = input.Actuals![i];
            if (a is null) { errors.Add($"actuals[{i}]", "Give the outcome's measure and the figure achieved, or leave the line out"); continue; }
            var actual = r.Actuals.FirstOrDefault(x => x.MeasureCode == a.Measure?.Trim());
            if (actual is null) { errors.Add($"actuals[{i}].measure", $"'{a.Measure}' is not one of the grant's outcome targets"); continue; }
            if (a.Actual is not decimal value) continue;
            if (value < 0 || value > MaxFigure) errors.Add($"actuals[{i}].actual", $"The figure for '{actual.MeasureCode}' must be from 0 to 100,000,000");
            else actual.Actual = value;
        }
    }

    private async Task<MonitoringReturn> OwnAsync(int id, Actor actor, CancellationToken ct)
    {
        if (!actor.HasRole(Roles.Applicant) || actor.OrganisationId is not int organisation)
            throw new ForbiddenException("Only the grant holder can fill in a progress report");
        var r = await db.Set<MonitoringReturn>().Include(x => x.Spend.OrderBy(s => s.Id)).Include(x => x.Actuals.OrderBy(a => a.Id))
            .SingleOrDefaultAsync(x => x.Id == id && db.Grants.Any(g => g.Id == x.GrantId && g.OrganisationId == organisation), ct)
            ?? throw new NotFoundException("No such return");
        if (!IsEditable(r))
            throw new ConflictException(r.Status == ReturnStatus.Accepted ? "This return has been accepted, so it can no longer be changed"
                : "This return has been sent and is being reviewed, so it cannot be changed now");
        return r;
    }

    private async Task SaveAsync(CancellationToken ct)
    {
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateConcurrencyException) { throw new ConflictException("Someone else changed this return at the same moment. Reload to see what they did."); }
    }
}
