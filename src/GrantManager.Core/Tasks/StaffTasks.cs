using GrantManager.Core.Applications;
using GrantManager.Core.Cases;
using GrantManager.Core.Data;
using GrantManager.Core.Email;
using GrantManager.Core.Grants;
using GrantManager.Core.Monitoring;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Tasks;

/// <summary>
/// What a member of staff sees of one task: the task and its definition, whether they may do it (or
/// only oversee it), whether they must first declare a conflict of interest, what the task is about
/// (an application, a progress report, a payment or closure of a grant), the case's emails and
/// history as their role may see them, and for a grant officer who may take the task instead.
/// </summary>
public sealed record StaffTaskView(InboxTask Task, WorkflowDefinition Definition, string MyId)
{
    /// <summary>Whether this person may do the task (rather than oversee it).</summary>
    public bool CanAct { get; init; }
    public bool MustDeclare { get; init; }
    /// <summary>The outcomes whose next stage emails the applicant.</summary>
    public IReadOnlyList<string> ReachApplicant { get; init; } = [];
    /// <summary>The application, when the case is one and this person may read it (see <see cref="CanSeeSubject"/>).</summary>
    public ApplicationTaskSubject? Application { get; init; }
    /// <summary>False while an assessor has still to declare, or may not read the application.</summary>
    public bool CanSeeSubject { get; init; }
    public ReturnTaskSubject? Return { get; init; }
    public GrantTaskSubject? Grant { get; init; }
    public string? OrganisationName { get; init; }
    public IReadOnlyList<OutboxEmail> Emails { get; init; } = [];
    public IReadOnlyList<WorkflowHistoryEntry> History { get; init; } = [];
    /// <summary>For a grant officer on an open task: who else may take it.</summary>
    public TaskAssignment? Assignment { get; init; }
}

/// <summary>An application as its task shows it: the application, its documents and the requests for more information.</summary>
public sealed record ApplicationTaskSubject(Application Application, IReadOnlyList<Attachment> Documents, InformationRequests Information);

/// <summary>
/// Who a grant officer may give an open task to; whether nobody holding its role may take it (a stand-in
/// or setting it aside is then needed); and whether it may be set aside (another copy of it at this stage
/// is done or open).
/// </summary>
public sealed record TaskAssignment(IReadOnlyList<TaskCandidate> Candidates, bool NobodyEligible, bool CanOverride);

/// <summary>A completed assessment as the decider sees it: who, their recommendation, weighted score and reasons.</summary>
public sealed record AssessmentSummary(string Assessor, string Outcome, decimal? WeightedScore, string? Comment);

/// <summary>What a variation task is about: the change asked for, its grant and organisation, and the names of the fund's outcome measures.</summary>
public sealed record VariationTaskSubject(GrantVariation Variation, Grant Grant, string OrganisationName, IReadOnlyDictionary<string, string> MeasureNames);

/// <summary>Loads <see cref="StaffTaskView"/>: the staff task page's one query, with its authorisation.</summary>
public sealed class StaffTasks(GrantDbContext db, WorkflowRuntime runtime, WorkflowRegistry registry, ApplicationService applications,
    AttachmentStore store, ReturnService returns, MonitoringSchedules schedules, Funds.RoundBudgets budgets, TimeProvider clock)
{
    /// <summary>
    /// The task as <paramref name="actor"/> may see it. A task they may not know of is not found whatever
    /// its state (ids are sequential); an applicant's task, or one a member of staff neither may do,
    /// oversees, holds the role of nor did, is forbidden.
    /// </summary>
    public async Task<StaffTaskView> ForAsync(long id, Actor actor, CancellationToken ct = default)
    {
        var task = await db.InboxTasks.AsNoTracking().Include(t => t.Instance).WithConflicts().SingleOrDefaultAsync(t => t.Id == id, ct);
        if (task is null || !runtime.MaySee(task, actor)) throw new NotFoundException("No such task");
        if (task.Role == Roles.Applicant || !Roles.Staff.Any(actor.HasRole)) throw new ForbiddenException("This task is not for council staff");
        // Grant officers oversee every task (to assign it); others see the tasks they may do.
        var oversees = actor.HasRole(Roles.GrantOfficer);
        var canAct = false;
        if (task.Status == InboxTaskStatus.Open)
        {
            try { runtime.EnsureMayWork(task, actor); canAct = true; }
            catch (ForbiddenException) when (oversees) { }
        }
        else if (!oversees && !actor.HasRole(task.Role) && task.CompletedById != actor.UserId)
            throw new ForbiddenException("You cannot see this task");
        var instance = task.Instance!;
        var definition = registry.Get(instance.DefinitionId, instance.DefinitionVersion);
        var mustDeclare = canAct && task.RequiresConflictDeclaration && !(task.ConflictDeclared && task.AssigneeId == actor.UserId);
        var view = new StaffTaskView(task, definition, actor.UserId!)
        {
            CanAct = canAct, MustDeclare = mustDeclare,
            ReachApplicant = ApplicantMessages.OutcomesThatReachApplicant(definition, task),
            CanSeeSubject = true,
            History = CaseAccess.Filter(await db.WorkflowHistory.AsNoTracking().Where(h => h.InstanceId == task.InstanceId).OrderBy(h => h.Id).ToListAsync(ct),
                await CaseAccess.ForAsync(db, instance, actor, ct) ?? JournalView.Stages, actor),
            Assignment = task.Status == InboxTaskStatus.Open && oversees ? await AssignmentAsync(task, ct) : null,
        };
        if (instance.SubjectType == ApplicationService.SubjectType && int.TryParse(instance.SubjectId, out var applicationId))
        {
            var application = await ApplicationAsync(applicationId, task, actor, ct);
            return view with
            {
                OrganisationName = await db.Applications.Where(a => a.Id == applicationId).Select(a => a.Organisation!.Name).SingleOrDefaultAsync(ct),
                Application = application,
                CanSeeSubject = application is not null && !mustDeclare,
                Emails = application is null ? [] : await EmailsAsync(instance, ct),
            };
        }
        var report = await ReturnTaskSubject.ForAsync(db, returns, store, schedules, instance, actor, clock.GetUtcNow().UtcDateTime, ct);
        var paying = await GrantTaskSubject.ForAsync(db, instance, ct);
        if ((report?.Grant ?? paying?.Grant) is not { } grant) return view;
        return view with
        {
            Return = report, Grant = paying,
            OrganisationName = await db.Organisations.Where(o => o.Id == grant.OrganisationId).Select(o => o.Name).SingleAsync(ct),
            Emails = await EmailsAsync(instance, ct),
        };
    }

    private async Task<ApplicationTaskSubject?> ApplicationAsync(int applicationId, InboxTask task, Actor actor, CancellationToken ct)
    {
        Application application;
        try { application = await applications.ForReadingAsync(applicationId, actor, ct); }
        catch (ForbiddenException) { return null; }
        return new ApplicationTaskSubject(application, await store.ForApplicationAsync(applicationId, ct),
            await InformationRequests.LoadAsync(db, store, applicationId, task.InstanceId));
    }

    private Task<List<OutboxEmail>> EmailsAsync(WorkflowInstance instance, CancellationToken ct) =>
        db.OutboxEmails.AsNoTracking().Where(m => m.SubjectType == instance.SubjectType && m.SubjectId == instance.SubjectId).OrderBy(m => m.CreatedAt).ToListAsync(ct);

    private async Task<TaskAssignment> AssignmentAsync(InboxTask task, CancellationToken ct)
    {
        var eligibility = await TaskEligibility.ForAsync(db, task, ct);
        var nobody = task.AssigneeId is null && eligibility.NobodyEligible;
        var canOverride = nobody && await db.InboxTasks.AnyAsync(o => o.InstanceId == task.InstanceId && o.StageEntry == task.StageEntry
            && o.TaskKey == task.TaskKey && o.Id != task.Id && (o.Status == InboxTaskStatus.Open || o.Status == InboxTaskStatus.Completed), ct);
        return new TaskAssignment(eligibility.Candidates.Where(c => c.Id != task.AssigneeId).ToList(), nobody, canOverride);
    }

    /// <summary>The fund's assessment criteria, in the order they are asked.</summary>
    public Task<List<Funds.AssessmentCriterion>> CriteriaAsync(int fundId, CancellationToken ct = default) =>
        db.Criteria.AsNoTracking().Where(c => c.FundId == fundId).OrderBy(c => c.Order).ToListAsync(ct);

    /// <summary>Every completed assessment of the case, oldest first: the decider sees them all.</summary>
    public async Task<List<AssessmentSummary>> AssessmentsAsync(Guid instanceId, CancellationToken ct = default)
    {
        var done = await db.InboxTasks.AsNoTracking()
            .Where(t => t.InstanceId == instanceId && t.Form == AssessmentForm.Name && t.Status == InboxTaskStatus.Completed)
            .OrderBy(t => t.Id).ToListAsync(ct);
        return done.Select(t => new AssessmentSummary(t.CompletedByName ?? "", t.Outcome ?? "", TaskData.WeightedScore(t.Data), t.Comment)).ToList();
    }

    /// <summary>The round's budget and what is committed against it, without this application.</summary>
    public Task<Funds.RoundBudget?> RoundBudgetAsync(int applicationId, CancellationToken ct = default) => budgets.ForApplicationAsync(applicationId, ct);

    /// <summary>Null when the task's case is not a variation of a grant.</summary>
    public async Task<VariationTaskSubject?> VariationAsync(WorkflowInstance instance, CancellationToken ct = default)
    {
        if (instance.SubjectType != GrantVariations.SubjectType || !int.TryParse(instance.SubjectId, out var id)) return null;
        var variation = await db.Set<GrantVariation>().AsNoTracking().SingleAsync(v => v.Id == id, ct);
        var grant = await db.Grants.AsNoTracking().SingleAsync(g => g.Id == variation.GrantId, ct);
        return new(variation, grant, await db.Organisations.Where(o => o.Id == grant.OrganisationId).Select(o => o.Name).SingleAsync(ct),
            await db.OutcomeMeasures.AsNoTracking().Where(m => m.FundId == grant.FundId).ToDictionaryAsync(m => m.Code, m => m.Name, ct));
    }

    /// <summary>The title of the stage a case moved to, from the definition version the case runs on.</summary>
    public async Task<string> StageTitleAsync(TransitionResult result, CancellationToken ct = default)
    {
        var instance = await db.WorkflowInstances.AsNoTracking().Where(i => i.Id == result.InstanceId)
            .Select(i => new { i.DefinitionId, i.DefinitionVersion }).SingleAsync(ct);
        return registry.Find(instance.DefinitionId, instance.DefinitionVersion)?.States.GetValueOrDefault(result.ToState)?.Title ?? result.ToState;
    }
}
