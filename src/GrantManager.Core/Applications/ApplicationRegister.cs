using System.Linq.Expressions;
using System.Text.RegularExpressions;
using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Applications;

/// <summary>What the applications register is filtered by; every part travels in the address, so a view can be bookmarked.</summary>
public sealed record RegisterFilter
{
    public string? Q { get; init; }
    public int? FundId { get; init; }
    public int? RoundId { get; init; }
    public string? Status { get; init; }
    public string? Stage { get; init; }
    public string? District { get; init; }
    /// <summary>The user id of the person holding one of the application's open tasks.</summary>
    public string? AssignedTo { get; init; }
    public decimal? AmountFrom { get; init; }
    public decimal? AmountTo { get; init; }
    public DateOnly? SubmittedFrom { get; init; }
    public DateOnly? SubmittedTo { get; init; }
    /// <summary>One of <see cref="ApplicationRegister.SortColumns"/>; submitted by default.</summary>
    public string? Sort { get; init; }
    /// <summary>Ascending unless true; submitted sorts newest first by default.</summary>
    public bool? Descending { get; init; }
}

public sealed record RegisterRow(int Id, string Reference, string? ProjectTitle, int OrganisationId, string OrganisationName, string FundName, string RoundName,
    string Status, string? Stage, string? StageTitle, decimal? AmountRequested, DateTime? SubmittedAt, IReadOnlyList<string> Districts, string? AssignedTo,
    Guid? WorkflowInstanceId);

public sealed record RegisterPage(List<RegisterRow> Rows, int Total, int Page, int PageSize, IReadOnlyDictionary<string, int> StatusCounts)
{
    public int Pages => Math.Max(1, (Total + PageSize - 1) / PageSize);
}

/// <summary>
/// The applications register: every application the caller may see, searched through the engine's
/// text index (SQLite FTS5, PostgreSQL tsvector; see the Registers migration), filtered, sorted,
/// counted and paged in the database. Grant officers, panel members, finance officers and
/// administrators see every organisation's; applicants only their own; assessors see applications
/// only through their tasks, after declaring any conflict of interest.
/// </summary>
public sealed partial class ApplicationRegister(GrantDbContext db, WorkflowRegistry registry, IAwardedApplications awarded)
{
    public const int PageSize = 50;
    public static readonly string[] SortColumns = ["reference", "title", "organisation", "fund", "round", "status", "amount", "submitted"];

    public static bool MaySee(Actor actor) => SeesEveryOrganisation(actor) || actor.HasRole(Roles.Applicant);

    public static bool SeesEveryOrganisation(Actor actor) =>
        actor.HasRole(Roles.GrantOfficer) || actor.HasRole(Roles.PanelMember) || actor.HasRole(Roles.FinanceOfficer) || actor.HasRole(Roles.Administrator);

    /// <summary>How many rows an export reads at a time.</summary>
    public int ExportBatch { get; init; } = 2000;

    /// <summary>The search words as the index holds them: lower case, letters and digits.</summary>
    public static List<string> Words(string? q) => q is null ? [] : Word().Matches(q.ToLowerInvariant()).Select(m => m.Value).Take(10).ToList();

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Word();

    /// <summary>Ids of applications whose indexed words start with every word searched for.</summary>
    internal static IQueryable<int> Matching(GrantDbContext db, List<string> words)
    {
        if (db is PostgresGrantDbContext)
        {
            var query = string.Join(" & ", words.Select(w => w + ":*"));
            return db.Database.SqlQuery<int>($"""SELECT "ApplicationId" AS "Value" FROM "ApplicationSearch" WHERE "Document" @@ to_tsquery('simple', {query})""");
        }
        var match = string.Join(" ", words.Select(w => $"\"{w}\"*"));
        return db.Database.SqlQuery<int>($"""SELECT rowid AS "Value" FROM "ApplicationSearch" WHERE "ApplicationSearch" MATCH {match}""");
    }

    /// <summary>The states, across every loaded definition, that show as this status.</summary>
    private List<string> StatesWith(string status) => registry.All.SelectMany(d => d.States.Where(s => (s.Value.Status ?? "submitted") == status).Select(s => s.Key))
        .Distinct().ToList();

    /// <summary>Grant officers and administrators see every application; the other staff who may see the register only those their work needs.</summary>
    public static bool SeesEveryApplication(Actor actor) => actor.HasRole(Roles.GrantOfficer) || actor.HasRole(Roles.Administrator);

    /// <summary>The applications the actor may see, before any filter: what the register, and every figure linking to it, counts for them.</summary>
    public IQueryable<Application> Visible(Actor actor)
    {
        if (!MaySee(actor)) throw new ForbiddenException("Assessors see applications through their tasks, once they have declared any conflict of interest");
        // WorkflowState is the application's workflow state (null for a draft), kept by the database, so no join to the instances is needed.
        var query = db.Applications.AsNoTracking();
        if (!SeesEveryOrganisation(actor))
        {
            var own = actor.OrganisationId ?? -1;
            query = query.Where(a => a.OrganisationId == own);
        }
        else if (!SeesEveryApplication(actor))
        {
            // The same rule as the case file: a panel member sees what has come to the panel, finance what became a grant.
            var panel = actor.HasRole(Roles.PanelMember);
            var finance = actor.HasRole(Roles.FinanceOfficer);
            var grants = awarded.ApplicationIds;
            query = query.Where(a => (panel && a.WorkflowInstanceId != null && db.InboxTasks.Any(t => t.InstanceId == a.WorkflowInstanceId && t.Role == Roles.PanelMember))
                || (finance && grants.Contains(a.Id)));
        }
        return query;
    }

    private IQueryable<Application> Query(Actor actor, RegisterFilter f, bool withStatus = true)
    {
        var query = Visible(actor);
        var words = Words(f.Q);
        if (words.Count > 0)
        {
            var ids = Matching(db, words);
            query = query.Where(a => ids.Contains(a.Id));
        }
        if (f.FundId is int fund) query = query.Where(a => a.FundId == fund);
        if (f.RoundId is int round) query = query.Where(a => a.RoundId == round);
        if (!string.IsNullOrEmpty(f.Stage)) query = query.Where(a => a.WorkflowState == f.Stage);
        if (!string.IsNullOrEmpty(f.District))
        {
            var serving = db.ApplicationDistricts.Where(d => d.District == f.District).Select(d => d.ApplicationId);
            query = query.Where(a => serving.Contains(a.Id));
        }
        if (!string.IsNullOrEmpty(f.AssignedTo))
            query = query.Where(a => db.InboxTasks.Any(t => t.InstanceId == a.WorkflowInstanceId && t.Status == InboxTaskStatus.Open && t.AssigneeId == f.AssignedTo));
        if (f.AmountFrom is decimal from) query = query.Where(a => a.AmountRequested >= from);
        if (f.AmountTo is decimal to) query = query.Where(a => a.AmountRequested <= to);
        if (f.SubmittedFrom is DateOnly sf)
        {
            var start = UkTime.StartOfDay(sf);
            query = query.Where(a => a.SubmittedAt >= start);
        }
        if (f.SubmittedTo is DateOnly st)
        {
            var end = UkTime.StartOfDay(st.AddDays(1));
            query = query.Where(a => a.SubmittedAt < end);
        }
        if (withStatus && !string.IsNullOrEmpty(f.Status))
        {
            if (f.Status == ApplicationStatus.Draft) query = query.Where(a => a.WorkflowState == null);
            else
            {
                var states = StatesWith(f.Status);
                query = query.Where(a => a.WorkflowState != null && states.Contains(a.WorkflowState));
            }
        }
        return query;
    }

    /// <summary>
    /// For sorting by status: the states in the order the funds' workflows go through them (drafts first), so the register
    /// reads from eligibility to award and then the endings, as the stages are shown, not by the states' internal names.
    /// </summary>
    private async Task<List<string>> StateOrderAsync(RegisterFilter f, CancellationToken ct)
    {
        if (f.Sort != "status") return [];
        var used = (await db.Funds.AsNoTracking().Select(x => x.WorkflowId).Distinct().ToListAsync(ct)).Order(StringComparer.Ordinal).ToList();
        return registry.All.Where(d => used.Contains(d.Id)).OrderBy(d => used.IndexOf(d.Id)).ThenByDescending(d => d.Version)
            .SelectMany(d => d.States.Keys).Distinct().ToList();
    }

    /// <summary>An application's place in <paramref name="states"/> (a draft 0, a state not listed after all of them), for the database to sort by.</summary>
    private static Expression<Func<Application, int>> StatePlace(List<string> states)
    {
        var a = Expression.Parameter(typeof(Application), "a");
        var state = Expression.Property(a, nameof(Application.WorkflowState));
        Expression place = Expression.Constant(states.Count + 1);
        for (var i = states.Count - 1; i >= 0; i--)
            place = Expression.Condition(
                Expression.Equal(state, Expression.Constant(states[i], typeof(string))),
                Expression.Constant(i + 1), place);
        place = Expression.Condition(
            Expression.Equal(state, Expression.Constant(null, typeof(string))),
            Expression.Constant(0), place);
        return Expression.Lambda<Func<Application, int>>(place, a);
    }

    /// <summary>The register's order; <paramref name="reversed"/> gives exactly the opposite order (for reading a late page from the end).</summary>
    private static IQueryable<Application> Sorted(IQueryable<Application> query, RegisterFilter f, List<string> states, bool reversed = false)
    {
        var sort = SortColumns.Contains(f.Sort) ? f.Sort : "submitted";
        var descending = (f.Descending ?? sort == "submitted") != reversed;
        IOrderedQueryable<Application> ordered = (sort, descending) switch
        {
            ("reference", false) => query.OrderBy(a => a.Reference),
            ("reference", true) => query.OrderByDescending(a => a.Reference),
            ("title", false) => query.OrderBy(a => a.ProjectTitle),
            ("title", true) => query.OrderByDescending(a => a.ProjectTitle),
            ("organisation", false) => query.OrderBy(a => a.Organisation!.Name),
            ("organisation", true) => query.OrderByDescending(a => a.Organisation!.Name),
            ("fund", false) => query.OrderBy(a => a.Fund!.Name),
            ("fund", true) => query.OrderByDescending(a => a.Fund!.Name),
            ("round", false) => query.OrderBy(a => a.Round!.OpensAt),
            ("round", true) => query.OrderByDescending(a => a.Round!.OpensAt),
            ("status", false) => query.OrderBy(StatePlace(states)),
            ("status", true) => query.OrderByDescending(StatePlace(states)),
            ("amount", false) => query.OrderBy(a => a.AmountRequested),
            ("amount", true) => query.OrderByDescending(a => a.AmountRequested),
            (_, false) => query.OrderBy(a => a.SubmittedAt),
            _ => query.OrderByDescending(a => a.SubmittedAt),
        };
        return descending ? ordered.ThenByDescending(a => a.Id) : ordered.ThenBy(a => a.Id);
    }

    public async Task<RegisterPage> PageAsync(Actor actor, RegisterFilter filter, int page, int pageSize = PageSize, CancellationToken ct = default)
    {
        // One grouped query over the state index gives the counts per status and, from them, the total.
        var counts = await Query(actor, filter, withStatus: false).GroupBy(a => a.WorkflowState)
            .Select(g => new { State = g.Key, Count = g.Count() }).ToListAsync(ct);
        var statusOf = registry.All.SelectMany(d => d.States.Select(s => (s.Key, Status: s.Value.Status ?? "submitted"))).DistinctBy(s => s.Key)
            .ToDictionary(s => s.Key, s => s.Status);
        var statusCounts = counts.GroupBy(c => c.State is null ? ApplicationStatus.Draft : statusOf.GetValueOrDefault(c.State, "submitted"))
            .ToDictionary(g => g.Key, g => g.Sum(c => c.Count));
        var total = string.IsNullOrEmpty(filter.Status) ? counts.Sum(c => c.Count)
            : filter.Status == ApplicationStatus.Draft ? counts.Where(c => c.State is null).Sum(c => c.Count)
            : counts.Where(c => c.State is not null && StatesWith(filter.Status).Contains(c.State)).Sum(c => c.Count);

        // The page's ids first (over the order's index), then their rows. A page past the middle is read from the far end, so the last is as quick as the first.
        var skip = (page - 1) * pageSize;
        var query = Query(actor, filter);
        var states = await StateOrderAsync(filter, ct);
        List<int> ids;
        if (skip > 0 && skip >= total / 2 && skip < total)
        {
            var take = Math.Min(pageSize, total - skip);
            ids = await Sorted(query, filter, states, reversed: true).Select(a => a.Id).Skip(total - skip - take).Take(take).ToListAsync(ct);
            ids.Reverse();
        }
        else ids = await Sorted(query, filter, states).Select(a => a.Id).Skip(skip).Take(pageSize).ToListAsync(ct);
        return new RegisterPage(await RowsAsync(ids, ct), total, page, pageSize, statusCounts);
    }

    /// <summary>
    /// Every row the filter gives, in its order, each once (for exports): the ids in order are read first, in one query
    /// (four bytes a row), then the rows <see cref="ExportBatch"/> at a time by id, each batch with its assignees in one query.
    /// </summary>
    public async IAsyncEnumerable<RegisterRow> AllAsync(Actor actor, RegisterFilter filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var ids = await Sorted(Query(actor, filter), filter, await StateOrderAsync(filter, ct)).Select(a => a.Id).ToListAsync(ct);
        for (var start = 0; start < ids.Count; start += ExportBatch)
        {
            var rows = await RowsAsync(ids.GetRange(start, Math.Min(ExportBatch, ids.Count - start)), ct);
            foreach (var row in rows) yield return row;
        }
    }

    /// <summary>The rows of these applications, in the order given.</summary>
    private async Task<List<RegisterRow>> RowsAsync(List<int> ids, CancellationToken ct)
    {
        if (ids.Count == 0) return [];
        var items = await (from a in db.Applications.AsNoTracking()
                           where ids.Contains(a.Id)
                           join i in db.WorkflowInstances.AsNoTracking() on a.WorkflowInstanceId equals (Guid?)i.Id into instances
                           from i in instances.DefaultIfEmpty()
                           select new
                           {
                               a.Id, a.Reference, a.ProjectTitle, a.OrganisationId, Organisation = a.Organisation!.Name, Fund = a.Fund!.Name, Round = a.Round!.Name,
                               a.AmountRequested, a.SubmittedAt, a.WorkflowInstanceId,
                               DefinitionId = i == null ? null : i.DefinitionId, DefinitionVersion = i == null ? 0 : i.DefinitionVersion, State = i == null ? null : i.State,
                           }).ToDictionaryAsync(x => x.Id, ct);
        var districts = await DistrictsServed.OfAsync(db, ids, ct);
        var running = items.Values.Select(i => i.WorkflowInstanceId).OfType<Guid>().ToList();
        // Every task of these instances, sifted here: asked for open ones, SQLite reads every open task by the status index instead of these instances' few.
        var assignees = (await db.InboxTasks.AsNoTracking().Where(t => running.Contains(t.InstanceId))
                .Select(t => new { t.InstanceId, t.Status, t.AssigneeName }).ToListAsync(ct))
            .Where(t => t.Status == InboxTaskStatus.Open && t.AssigneeName != null).ToLookup(t => t.InstanceId, t => t.AssigneeName!);
        return ids.Where(items.ContainsKey).Select(id =>
        {
            var i = items[id];
            var state = i.DefinitionId is null ? null : registry.Find(i.DefinitionId, i.DefinitionVersion)?.States.GetValueOrDefault(i.State!);
            var names = i.WorkflowInstanceId is Guid instance ? assignees[instance].Distinct().ToList() : [];
            return new RegisterRow(i.Id, i.Reference, i.ProjectTitle, i.OrganisationId, i.Organisation, i.Fund, i.Round,
                i.State is null ? ApplicationStatus.Draft : state?.Status ?? "submitted", i.State, state?.Title ?? i.State, i.AmountRequested, i.SubmittedAt,
                districts[id].ToList(), names.Count == 0 ? null : string.Join(", ", names), i.WorkflowInstanceId);
        }).ToList();
    }
}
