using System.Linq.Expressions;
using GrantManager.Core.Data;
using GrantManager.Core.Tasks;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Inbox;

public sealed record CriterionView(int Id, string Name, int Weight, int Max, string Guidance);

public sealed record TaskView(long Id, int? ApplicationId, string? Reference, string Title, string Role, string? Assignee, DateTime? DueAt,
    bool Overdue, IReadOnlyList<string> Outcomes, List<CriterionView> Criteria, bool RequiresConflictDeclaration, bool ConflictDeclared, string Stage)
{
    /// <summary>Nobody holding the task's role may take it: a grant officer must assign someone or set it aside.</summary>
    public bool NobodyEligible { get; init; }
    public string? ProjectTitle { get; init; }
    public Guid WorkflowInstanceId { get; init; }
    /// <summary>The definition version the case runs on, whose words name its stage.</summary>
    public string DefinitionId { get; init; } = "";
    public int DefinitionVersion { get; init; }
}

/// <param name="Everyone">Every open staff task, whoever holds it (a grant officer sharing out the work).</param>
/// <param name="ApplicationId">Only this application's tasks, with its grant's return and payment tasks.</param>
public sealed record WorkListFilter(int? FundId = null, string? Stage = null, bool Everyone = false, int? ApplicationId = null);

/// <summary>One page of a work list, with counts over the whole filtered list (worked out by the database).</summary>
public sealed record WorkListPage(List<TaskView> Tasks, int Total, int Overdue, int TakenByMe, int Page, int PageSize)
{
    public int Pages => Math.Max(1, (Total + PageSize - 1) / PageSize);
}

/// <summary>
/// The workflow inbox: open tasks for the caller's roles, assigned to them, or (applicants) for their
/// organisation, filtered, counted and paged in the database so that it stays the same size and speed
/// however many cases are open. Of several parallel copies of a task (two assessors) a person sees one,
/// unless they already hold one, and none once they have done one. Grant officers also see tasks that
/// nobody holding the role may take (<see cref="TaskEligibility"/>'s rules, written as a query).
/// </summary>
/// <remarks>
/// What costs at scale is deciding, task by task, about the other copies of the same task. Only a task whose
/// definition can open it more than once in a stage (a count above one, or opened by a timer) can have copies
/// (<see cref="MayHaveCopies"/>), so only those tasks are looked at copy by copy; for every other task the rules
/// reduce to its own columns and to who holds its role, which is read once a request. The tasks nobody may
/// take are found once a request, and the counts are one query of conditional sums.
/// </remarks>
public sealed class WorkList(GrantDbContext db, WorkflowRegistry registry)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<WorkflowRegistry, HashSet<string>> CopyKeys = new();

    /// <summary>
    /// The task keys that can be open more than once in one visit to a stage: more than one copy, opened by a
    /// timer (once per open task for a task's due date), or named twice in a stage, in any loaded definition.
    /// </summary>
    public static IReadOnlySet<string> MayHaveCopies(WorkflowRegistry registry) => CopyKeys.GetValue(registry, r =>
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var state in r.All.SelectMany(d => d.States.Values))
        {
            var opened = state.Tasks.Concat(state.Timers.Select(t => t.Task).OfType<TaskDefinition>()).ToList();
            keys.UnionWith(opened.Where(t => t.Count > 1).Select(t => t.Id));
            keys.UnionWith(state.Timers.Select(t => t.Task).OfType<TaskDefinition>().Select(t => t.Id));
            keys.UnionWith(opened.GroupBy(t => t.Id).Where(g => g.Count() > 1).Select(g => g.Key));
        }
        return keys;
    });

    /// <summary>The staff roles that some confirmed person holds.</summary>
    private Task<List<string>> HeldRolesAsync(CancellationToken ct) =>
        (from u in db.Users
         join ur in db.UserRoles on u.Id equals ur.UserId
         join r in db.Roles on ur.RoleId equals r.Id
         where u.EmailConfirmed && r.Name != Roles.Applicant
         select r.Name!).Distinct().ToListAsync(ct);

    /// <summary>The open tasks nobody may take: a grant officer's to sort out, whatever their role.</summary>
    private async Task<List<long>> StalledAsync(CancellationToken ct)
    {
        var held = await HeldRolesAsync(ct);
        var copies = MayHaveCopies(registry).ToList();
        var unassigned = db.InboxTasks.AsNoTracking().Where(t => t.Status == InboxTaskStatus.Open && t.AssigneeId == null && t.Role != Roles.Applicant);
        // A task with no copies and nobody barred from it is stalled only when nobody confirmed holds its role;
        // the others are weighed against each holder of the role and the other copies.
        var plain = unassigned.Where(t => !copies.Contains(t.TaskKey) && t.ExcludedUserIds == "" && !held.Contains(t.Role));
        var weighed = unassigned.Where(t => copies.Contains(t.TaskKey) || t.ExcludedUserIds != "").Where(NobodyEligible());
        return await plain.Select(t => t.Id).Concat(weighed.Select(t => t.Id)).ToListAsync(ct);
    }

    public IQueryable<InboxTask> Query(Actor actor, WorkListFilter filter) => Query(actor, filter, null);

    /// <param name="stalled">The open tasks nobody may take (<see cref="StalledAsync"/>), when already found.</param>
    private IQueryable<InboxTask> Query(Actor actor, WorkListFilter filter, List<long>? stalled)
    {
        var roles = actor.Roles.Where(r => r != Roles.Applicant).ToList();
        var userId = actor.UserId ?? "";
        var organisationId = actor.HasRole(Roles.Applicant) ? actor.OrganisationId : null;
        var officer = actor.HasRole(Roles.GrantOfficer);
        var copies = MayHaveCopies(registry).ToList();
        var open = db.InboxTasks.AsNoTracking().Where(t => t.Status == InboxTaskStatus.Open);

        Expression<Func<InboxTask, bool>> mine = t =>
            (t.Role == Roles.Applicant && organisationId != null && t.Instance!.OrganisationId == organisationId)
            || (t.Role != Roles.Applicant && roles.Contains(t.Role) && (t.AssigneeId == null || t.AssigneeId == userId) && !t.ExcludedUserIds.Contains(userId))
            // A grant officer standing in for a role they do not hold.
            || (t.Role != Roles.Applicant && userId != "" && t.AssigneeId == userId);
        var visible = open.Where(mine);
        IQueryable<InboxTask> query;
        if (filter.Everyone && officer)
            query = open.Where(t => t.Role != Roles.Applicant);
        else
        {
            // Of a task with no copies there is nothing to hide: only copies are compared with each other.
            query = visible.Where(t => t.AssigneeId == userId || !copies.Contains(t.TaskKey)
                || (!db.InboxTasks.Any(s => s.InstanceId == t.InstanceId && s.StageEntry == t.StageEntry && s.TaskKey == t.TaskKey && s.CompletedById == userId)
                    && !visible.Any(s => s.InstanceId == t.InstanceId && s.StageEntry == t.StageEntry && s.TaskKey == t.TaskKey
                        && (s.AssigneeId == userId || s.Id < t.Id))));
            if (officer)
            {
                var listed = query.Select(t => t.Id);
                if (stalled is not null)
                    query = open.Where(t => stalled.Contains(t.Id) || listed.Contains(t.Id));
                else
                {
                    var nobody = open.Where(NobodyEligible()).Select(t => t.Id);
                    query = open.Where(t => listed.Contains(t.Id) || nobody.Contains(t.Id));
                }
            }
        }
        if (filter.ApplicationId is int applicationId) query = query.Where(t => t.Instance!.CaseId == applicationId);
        if (filter.FundId is int fundId) query = query.Where(t => db.Applications.Any(a => a.Id == t.Instance!.CaseId && a.FundId == fundId));
        if (!string.IsNullOrEmpty(filter.Stage)) query = query.Where(t => t.State == filter.Stage);
        return query;
    }

    /// <summary>An unassigned staff task that no confirmed holder of its role may take (conflicts, parallel copies).</summary>
    private Expression<Func<InboxTask, bool>> NobodyEligible() => t =>
        t.AssigneeId == null && t.Role != Roles.Applicant
        && !(from u in db.Users
             join ur in db.UserRoles on u.Id equals ur.UserId
             join r in db.Roles on ur.RoleId equals r.Id
             where r.Name == t.Role && u.EmailConfirmed && !t.ExcludedUserIds.Contains(u.Id)
                   && !db.InboxTasks.Any(c => c.InstanceId == t.InstanceId && c.StageEntry == t.StageEntry && c.TaskKey == t.TaskKey && c.Id != t.Id
                                              && (c.AssigneeId == u.Id || c.CompletedById == u.Id))
             select u.Id).Any();

    public async Task<WorkListPage> PageAsync(Actor actor, WorkListFilter filter, int page, int pageSize, DateTime now, CancellationToken ct = default)
    {
        var stalled = await StalledForAsync(actor, filter, ct);
        var query = Query(actor, filter, stalled);
        var userId = actor.UserId ?? "";
        // The three counts in one pass over the list.
        var counts = await query.GroupBy(t => 1).Select(g => new
        {
            Total = g.Count(),
            Overdue = g.Count(t => t.DueAt < now),
            TakenByMe = g.Count(t => userId != "" && t.AssigneeId == userId),
        }).FirstOrDefaultAsync(ct);
        var tasks = await query.Include(t => t.Instance)
            .OrderBy(t => t.DueAt == null).ThenBy(t => t.DueAt).ThenBy(t => t.Id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .ToListAsync(ct);
        return new WorkListPage(await ViewsAsync(tasks, now, ct), counts?.Total ?? 0, counts?.Overdue ?? 0, counts?.TakenByMe ?? 0, page, pageSize);
    }

    /// <summary>The stages that have open tasks in the list, for its filter.</summary>
    public async Task<List<string>> StagesAsync(Actor actor, WorkListFilter filter, CancellationToken ct = default)
    {
        var all = filter with { Stage = null };
        return await Query(actor, all, await StalledForAsync(actor, all, ct)).Select(t => t.State).Distinct().ToListAsync(ct);
    }

    private List<long>? _stalled;

    /// <summary>The stalled tasks for a grant officer's own list, found once for the request (the page, its counts and its stages).</summary>
    private async Task<List<long>?> StalledForAsync(Actor actor, WorkListFilter filter, CancellationToken ct) =>
        actor.HasRole(Roles.GrantOfficer) && !filter.Everyone ? _stalled ??= await StalledAsync(ct) : null;

    private async Task<List<TaskView>> ViewsAsync(List<InboxTask> tasks, DateTime now, CancellationToken ct)
    {
        var ids = tasks.Select(t => t.Instance!.CaseId).OfType<int>().Distinct().ToList();
        var applications = await db.Applications.AsNoTracking().Where(a => ids.Contains(a.Id))
            .Select(a => new { a.Id, a.FundId, a.ProjectTitle }).ToDictionaryAsync(a => a.Id, ct);
        var funds = applications.Values.Select(a => a.FundId).Distinct().ToList();
        var criteria = tasks.Any(t => t.Form == Applications.AssessmentForm.Name)
            ? await db.Criteria.AsNoTracking().Where(c => funds.Contains(c.FundId)).OrderBy(c => c.Order).ToListAsync(ct)
            : [];
        var eligibility = await TaskEligibility.ForAsync(db, tasks, ct);
        return tasks.Select(t =>
        {
            var application = t.Instance!.CaseId is int id ? applications.GetValueOrDefault(id) : null;
            var taskCriteria = t.Form == Applications.AssessmentForm.Name && application is not null
                ? criteria.Where(c => c.FundId == application.FundId).Select(c => new CriterionView(c.Id, c.Name, c.Weight, c.Max, c.Guidance)).ToList()
                : [];
            return new TaskView(t.Id, application?.Id, t.Instance.SubjectReference, t.Title, t.Role, t.AssigneeName, t.DueAt, t.DueAt < now,
                t.OutcomeList, taskCriteria, t.RequiresConflictDeclaration, t.ConflictDeclared, t.State)
            {
                NobodyEligible = t.AssigneeId is null && eligibility.TryGetValue(t.Id, out var e) && e.NobodyEligible,
                ProjectTitle = application?.ProjectTitle,
                WorkflowInstanceId = t.InstanceId,
                DefinitionId = t.Instance.DefinitionId,
                DefinitionVersion = t.Instance.DefinitionVersion,
            };
        }).ToList();
    }
}
