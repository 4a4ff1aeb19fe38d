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
    /// <summary>Which copy this is of a task opened more than once at the stage (two assessments), counting from 1; 0 when there is one.</summary>
    public int Copy { get; init; }
    /// <summary>How many copies of the task the stage opened.</summary>
    public int Copies { get; init; } = 1;
    /// <summary>Which copy it is, to follow the title, when the stage opened several: " (1 of 2)"; otherwise empty.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string CopyOf => Copies > 1 ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $" ({Copy} of {Copies})") : "";
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
/// reduce to its own columns. The list is read in parts that do not overlap (held by the caller, unheld in their
/// roles, their organisation's), each over an index that holds every column its counts need; the counts per stage
/// are one grouped query that also gives the stages; the page's ids are sorted before its rows are read. The tasks
/// nobody may take are found once a request, against the holders of each role read first.
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

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<WorkflowRegistry, List<string>> TaskRoles = new();

    /// <summary>The staff roles that the loaded definitions (every version) give tasks to.</summary>
    private static List<string> DefinedRoles(WorkflowRegistry registry) => TaskRoles.GetValue(registry, r =>
        r.All.SelectMany(d => d.States.Values)
            .SelectMany(s => s.Tasks.Concat(s.Timers.Select(t => t.Task).OfType<TaskDefinition>()))
            .Select(t => t.Role).Where(role => role != Roles.Applicant).Distinct(StringComparer.Ordinal).ToList());

    /// <summary>
    /// The open tasks nobody may take: a grant officer's to sort out, whatever their role. The role's holders are read
    /// first; a task is stalled when each of them has a row saying they may not take it (<see cref="InboxTaskExclusion"/>:
    /// a declared conflict, or another copy held or done), so the rows are read from the holders' side and counted.
    /// </summary>
    private async Task<List<long>> StalledAsync(CancellationToken ct)
    {
        var holders = (await TaskEligibility.HoldersAsync(db, null, ct)).Select(h => (UserId: h.Id, h.Role)).Distinct().ToList();
        var held = holders.Select(h => h.Role).Distinct().ToList();
        var unassigned = db.InboxTasks.AsNoTracking().Where(t => t.Status == InboxTaskStatus.Open && t.Role != Roles.Applicant && t.AssigneeId == null);
        // Nobody confirmed holds the role at all (of the roles the loaded definitions give tasks to).
        var unheld = DefinedRoles(registry).Except(held).ToList();
        var stalled = unassigned.Where(t => unheld.Contains(t.Role)).Select(t => t.Id);
        foreach (var role in held)
        {
            var ofRole = holders.Where(h => h.Role == role).Select(h => h.UserId).ToList();
            var shut = db.InboxTaskExclusions.Where(x => ofRole.Contains(x.UserId)).GroupBy(x => x.TaskId).Where(g => g.Count() == ofRole.Count).Select(g => g.Key);
            stalled = stalled.Concat(unassigned.Where(t => t.Role == role && shut.Contains(t.Id)).Select(t => t.Id));
        }
        return await stalled.ToListAsync(ct);
    }

    /// <summary>
    /// The list in parts that do not overlap, each read over an index of its own: the tasks the caller holds, the unheld
    /// tasks of their roles, their organisation's tasks (applicants), and the stalled tasks not already among them.
    /// </summary>
    /// <param name="extra">Stalled tasks (<see cref="StalledAsync"/>) that are not in the other parts.</param>
    private List<IQueryable<InboxTask>> Parts(Actor actor, WorkListFilter filter, List<long> extra)
    {
        var open = db.InboxTasks.AsNoTracking().Where(t => t.Status == InboxTaskStatus.Open);
        if (filter.Everyone && actor.HasRole(Roles.GrantOfficer)) return [Filtered(open.Where(t => t.Role != Roles.Applicant), filter)];
        var userId = actor.UserId ?? "";
        var organisationId = actor.HasRole(Roles.Applicant) ? actor.OrganisationId : null;
        var parts = new List<IQueryable<InboxTask>>();
        // Held by the caller: a grant officer standing in for a role they do not hold has these too.
        if (userId != "") parts.Add(open.Where(t => t.Role != Roles.Applicant && t.AssigneeId == userId));
        var roles = actor.Roles.Where(r => r != Roles.Applicant).ToList();
        if (roles.Count > 0)
            parts.Add(OneCopy(open.Where(t => t.Role != Roles.Applicant && roles.Contains(t.Role) && t.AssigneeId == null && !Barred(userId).Contains(t.Id)), actor));
        if (organisationId is not null)
            parts.Add(OneCopy(open.Where(t => t.Role == Roles.Applicant && t.Instance!.OrganisationId == organisationId), actor));
        if (extra.Count > 0) parts.Add(open.Where(t => extra.Contains(t.Id)));
        return parts.Select(p => Filtered(p, filter)).ToList();
    }

    /// <summary>
    /// The tasks the person declared a conflict on, as one subquery the database reads once (a look-up for each listed task
    /// instead costs more than the list itself).
    /// </summary>
    private IQueryable<long> Barred(string userId) => db.InboxTaskExclusions.Where(x => x.UserId == userId && x.Conflict).Select(x => x.TaskId);

    private IQueryable<InboxTask> Filtered(IQueryable<InboxTask> query, WorkListFilter filter)
    {
        if (filter.ApplicationId is int applicationId) query = query.Where(t => t.Instance!.CaseId == applicationId);
        if (filter.FundId is int fundId) query = query.Where(t => db.Applications.Any(a => a.Id == t.Instance!.CaseId && a.FundId == fundId));
        if (!string.IsNullOrEmpty(filter.Stage)) query = query.Where(t => t.State == filter.Stage);
        return query;
    }

    /// <summary>
    /// Of several parallel copies of a task a person sees one (the one they hold, else the first they may see), and none once
    /// they have done one. Only a task that can have copies is compared with the others.
    /// </summary>
    private IQueryable<InboxTask> OneCopy(IQueryable<InboxTask> query, Actor actor)
    {
        var roles = actor.Roles.Where(r => r != Roles.Applicant).ToList();
        var userId = actor.UserId ?? "";
        var organisationId = actor.HasRole(Roles.Applicant) ? actor.OrganisationId : null;
        var copies = MayHaveCopies(registry).ToList();
        var visible = db.InboxTasks.AsNoTracking().Where(t => t.Status == InboxTaskStatus.Open).Where(t =>
            (t.Role == Roles.Applicant && organisationId != null && t.Instance!.OrganisationId == organisationId)
            || (t.Role != Roles.Applicant && roles.Contains(t.Role) && (t.AssigneeId == null || t.AssigneeId == userId) && !Barred(userId).Contains(t.Id))
            || (t.Role != Roles.Applicant && userId != "" && t.AssigneeId == userId));
        return query.Where(t => t.AssigneeId == userId || !copies.Contains(t.TaskKey)
            || (!db.InboxTasks.Any(s => s.InstanceId == t.InstanceId && s.StageEntry == t.StageEntry && s.TaskKey == t.TaskKey && s.CompletedById == userId)
                && !visible.Any(s => s.InstanceId == t.InstanceId && s.StageEntry == t.StageEntry && s.TaskKey == t.TaskKey
                    && (s.AssigneeId == userId || s.Id < t.Id))));
    }

    /// <summary>How many tasks of the list are at each stage, overdue, and held by the caller.</summary>
    private sealed record StageCount(string State, int Total, int Overdue, int TakenByMe);

    private (WorkListFilter Filter, DateTime Now, List<StageCount> Counts)? _counts;

    /// <summary>The list's counts per stage, for the list without its stage filter: one grouped query gives the page's counts and the stages.</summary>
    private async Task<List<StageCount>> CountsAsync(Actor actor, WorkListFilter filter, DateTime now, CancellationToken ct)
    {
        var all = filter with { Stage = null };
        if (_counts is { } known && known.Filter == all && known.Now == now) return known.Counts;
        var userId = actor.UserId ?? "";
        var counts = await Query(actor, all, await ExtraAsync(actor, all, ct))
            .GroupBy(t => t.State).Select(g => new StageCount(g.Key, g.Count(), g.Count(t => t.DueAt < now), g.Count(t => userId != "" && t.AssigneeId == userId)))
            .ToListAsync(ct);
        _counts = (all, now, counts);
        return counts;
    }

    private IQueryable<InboxTask> Query(Actor actor, WorkListFilter filter, List<long> extra) =>
        Parts(actor, filter, extra).Aggregate((all, part) => all.Concat(part));

    public async Task<WorkListPage> PageAsync(Actor actor, WorkListFilter filter, int page, int pageSize, DateTime now, CancellationToken ct = default)
    {
        var counts = (await CountsAsync(actor, filter, now, ct)).Where(c => string.IsNullOrEmpty(filter.Stage) || c.State == filter.Stage).ToList();
        var total = counts.Sum(c => c.Total);
        var query = Query(actor, filter, await ExtraAsync(actor, filter, ct));
        // The page's ids first (sorting only ids and due dates), then their rows; a page past the middle is read from the far end.
        var skip = (page - 1) * pageSize;
        List<long> ids;
        if (skip > 0 && skip >= total / 2 && skip < total)
        {
            var take = Math.Min(pageSize, total - skip);
            ids = await query.OrderByDescending(t => t.DueAt == null).ThenByDescending(t => t.DueAt).ThenByDescending(t => t.Id)
                .Select(t => t.Id).Skip(total - skip - take).Take(take).ToListAsync(ct);
            ids.Reverse();
        }
        else
            ids = await query.OrderBy(t => t.DueAt == null).ThenBy(t => t.DueAt).ThenBy(t => t.Id).Select(t => t.Id).Skip(skip).Take(pageSize).ToListAsync(ct);
        var rows = await db.InboxTasks.AsNoTracking().Include(t => t.Instance).Where(t => ids.Contains(t.Id)).ToDictionaryAsync(t => t.Id, ct);
        var tasks = ids.Where(rows.ContainsKey).Select(id => rows[id]).ToList();
        return new WorkListPage(await ViewsAsync(tasks, now, ct), total, counts.Sum(c => c.Overdue), counts.Sum(c => c.TakenByMe), page, pageSize);
    }

    /// <summary>The stages that have open tasks in the list, for its filter.</summary>
    public async Task<List<string>> StagesAsync(Actor actor, WorkListFilter filter, CancellationToken ct = default)
    {
        var all = filter with { Stage = null };
        // The page's counts, when it has been read, already name them.
        if (_counts is { } known && known.Filter == all) return known.Counts.Where(c => c.Total > 0).Select(c => c.State).ToList();
        return await Query(actor, all, await ExtraAsync(actor, all, ct)).Select(t => t.State).Distinct().ToListAsync(ct);
    }

    private List<long>? _stalled;
    private (WorkListFilter Filter, List<long> Extra)? _extra;

    /// <summary>
    /// For a grant officer's own list, the stalled tasks not already in it (found once for the request: the page, its
    /// counts and its stages); for anyone else, none.
    /// </summary>
    private async Task<List<long>> ExtraAsync(Actor actor, WorkListFilter filter, CancellationToken ct)
    {
        if (!actor.HasRole(Roles.GrantOfficer) || filter.Everyone) return [];
        var all = filter with { Stage = null };
        if (_extra is { } known && known.Filter == all) return known.Extra;
        _stalled ??= await StalledAsync(ct);
        var stalled = _stalled;
        var extra = stalled;
        if (stalled.Count > 0)
        {
            var listed = await Parts(actor, all, []).Aggregate((a, b) => a.Concat(b)).Where(t => stalled.Contains(t.Id)).Select(t => t.Id).ToListAsync(ct);
            extra = stalled.Except(listed).ToList();
        }
        _extra = (all, extra);
        return extra;
    }

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
        var instances = tasks.Select(t => t.InstanceId).Distinct().ToList();
        var copies = (await db.InboxTasks.AsNoTracking().Where(t => instances.Contains(t.InstanceId)).Select(t => new { t.Id, t.InstanceId, t.TaskKey, t.StageEntry }).ToListAsync(ct))
            .GroupBy(t => (t.InstanceId, t.TaskKey, t.StageEntry)).Where(g => g.Count() > 1)
            .SelectMany(g => g.OrderBy(t => t.Id).Select((t, i) => (t.Id, Copy: i + 1, Of: g.Count()))).ToDictionary(c => c.Id);
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
                Copy = copies.TryGetValue(t.Id, out var copy) ? copy.Copy : 0,
                Copies = copies.TryGetValue(t.Id, out var of) ? of.Of : 1,
            };
        }).ToList();
    }
}
