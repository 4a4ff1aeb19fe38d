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
public sealed partial class ApplicationRegister(GrantDbContext db, WorkflowRegistry registry)
{
    public const int PageSize = 50;
    public static readonly string[] SortColumns = ["reference", "title", "organisation", "fund", "round", "status", "amount", "submitted"];

    public static bool MaySee(Actor actor) => SeesEveryOrganisation(actor) || actor.HasRole(Roles.Applicant);

    public static bool SeesEveryOrganisation(Actor actor) =>
        actor.HasRole(Roles.GrantOfficer) || actor.HasRole(Roles.PanelMember) || actor.HasRole(Roles.FinanceOfficer) || actor.HasRole(Roles.Administrator);

    private sealed class Item
    {
        public Application A { get; init; } = null!;
        public WorkflowInstance? I { get; init; }
    }

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

    private IQueryable<Item> Query(Actor actor, RegisterFilter f, bool withStatus = true)
    {
        if (!MaySee(actor)) throw new ForbiddenException("Assessors see applications through their tasks, once they have declared any conflict of interest");
        var query = from a in db.Applications.AsNoTracking()
                    join i in db.WorkflowInstances.AsNoTracking() on a.WorkflowInstanceId equals (Guid?)i.Id into instances
                    from i in instances.DefaultIfEmpty()
                    select new Item { A = a, I = i };
        if (!SeesEveryOrganisation(actor))
        {
            var own = actor.OrganisationId ?? -1;
            query = query.Where(x => x.A.OrganisationId == own);
        }
        else if (!actor.HasRole(Roles.GrantOfficer) && !actor.HasRole(Roles.Administrator))
        {
            // The same rule as the case file: a panel member sees what has come to the panel, finance what became a grant.
            var panel = actor.HasRole(Roles.PanelMember);
            var finance = actor.HasRole(Roles.FinanceOfficer);
            query = query.Where(x => (panel && x.I != null && db.InboxTasks.Any(t => t.InstanceId == x.I.Id && t.Role == Roles.PanelMember))
                || (finance && db.Grants.Any(g => g.ApplicationId == x.A.Id)));
        }
        var words = Words(f.Q);
        if (words.Count > 0)
        {
            var ids = Matching(db, words);
            query = query.Where(x => ids.Contains(x.A.Id));
        }
        if (f.FundId is int fund) query = query.Where(x => x.A.FundId == fund);
        if (f.RoundId is int round) query = query.Where(x => x.A.RoundId == round);
        if (!string.IsNullOrEmpty(f.Stage)) query = query.Where(x => x.I != null && x.I.State == f.Stage);
        if (!string.IsNullOrEmpty(f.District))
        {
            var district = "|" + f.District + "|";
            query = query.Where(x => ("|" + x.A.Districts + "|").Contains(district));
        }
        if (!string.IsNullOrEmpty(f.AssignedTo))
            query = query.Where(x => db.InboxTasks.Any(t => t.InstanceId == x.A.WorkflowInstanceId && t.Status == InboxTaskStatus.Open && t.AssigneeId == f.AssignedTo));
        if (f.AmountFrom is decimal from) query = query.Where(x => x.A.AmountRequested >= from);
        if (f.AmountTo is decimal to) query = query.Where(x => x.A.AmountRequested <= to);
        if (f.SubmittedFrom is DateOnly sf)
        {
            var start = UkTime.StartOfDay(sf);
            query = query.Where(x => x.A.SubmittedAt >= start);
        }
        if (f.SubmittedTo is DateOnly st)
        {
            var end = UkTime.StartOfDay(st.AddDays(1));
            query = query.Where(x => x.A.SubmittedAt < end);
        }
        if (withStatus && !string.IsNullOrEmpty(f.Status))
        {
            if (f.Status == ApplicationStatus.Draft) query = query.Where(x => x.I == null);
            else
            {
                var states = StatesWith(f.Status);
                query = query.Where(x => x.I != null && states.Contains(x.I.State));
            }
        }
        return query;
    }

    private static IQueryable<Item> Sorted(IQueryable<Item> query, RegisterFilter f)
    {
        var sort = SortColumns.Contains(f.Sort) ? f.Sort : "submitted";
        var descending = f.Descending ?? sort == "submitted";
        IOrderedQueryable<Item> ordered = (sort, descending) switch
        {
            ("reference", false) => query.OrderBy(x => x.A.Reference),
            ("reference", true) => query.OrderByDescending(x => x.A.Reference),
            ("title", false) => query.OrderBy(x => x.A.ProjectTitle),
            ("title", true) => query.OrderByDescending(x => x.A.ProjectTitle),
            ("organisation", false) => query.OrderBy(x => x.A.Organisation!.Name),
            ("organisation", true) => query.OrderByDescending(x => x.A.Organisation!.Name),
            ("fund", false) => query.OrderBy(x => x.A.Fund!.Name),
            ("fund", true) => query.OrderByDescending(x => x.A.Fund!.Name),
            ("round", false) => query.OrderBy(x => x.A.Round!.OpensAt),
            ("round", true) => query.OrderByDescending(x => x.A.Round!.OpensAt),
            ("status", false) => query.OrderBy(x => x.I == null ? "" : x.I.State),
            ("status", true) => query.OrderByDescending(x => x.I == null ? "" : x.I.State),
            ("amount", false) => query.OrderBy(x => x.A.AmountRequested),
            ("amount", true) => query.OrderByDescending(x => x.A.AmountRequested),
            (_, false) => query.OrderBy(x => x.A.SubmittedAt),
            _ => query.OrderByDescending(x => x.A.SubmittedAt),
        };
        return descending ? ordered.ThenByDescending(x => x.A.Id) : ordered.ThenBy(x => x.A.Id);
    }

    public async Task<RegisterPage> PageAsync(Actor actor, RegisterFilter filter, int page, int pageSize = PageSize, CancellationToken ct = default)
    {
        var query = Query(actor, filter);
        var total = await query.CountAsync(ct);
        var counts = await Query(actor, filter, withStatus: false).GroupBy(x => x.I == null ? null : x.I.State)
            .Select(g => new { State = g.Key, Count = g.Count() }).ToListAsync(ct);
        var statusOf = registry.All.SelectMany(d => d.States.Select(s => (s.Key, Status: s.Value.Status ?? "submitted"))).DistinctBy(s => s.Key)
            .ToDictionary(s => s.Key, s => s.Status);
        var statusCounts = counts.GroupBy(c => c.State is null ? ApplicationStatus.Draft : statusOf.GetValueOrDefault(c.State, "submitted"))
            .ToDictionary(g => g.Key, g => g.Sum(c => c.Count));
        var rows = await RowsAsync(Sorted(query, filter).Skip((page - 1) * pageSize).Take(pageSize), ct);
        return new RegisterPage(rows, total, page, pageSize, statusCounts);
    }

    /// <summary>Every row the filter gives, in its order, read as it goes (for exports).</summary>
    public async IAsyncEnumerable<RegisterRow> AllAsync(Actor actor, RegisterFilter filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        const int batch = 2000;
        for (var skip = 0; ; skip += batch)
        {
            var rows = await RowsAsync(Sorted(Query(actor, filter), filter).Skip(skip).Take(batch), ct);
            foreach (var row in rows) yield return row;
            if (rows.Count < batch) yield break;
        }
    }

    private async Task<List<RegisterRow>> RowsAsync(IQueryable<Item> query, CancellationToken ct)
    {
        var items = await query.Select(x => new
        {
            x.A.Id, x.A.Reference, x.A.ProjectTitle, x.A.OrganisationId, Organisation = x.A.Organisation!.Name, Fund = x.A.Fund!.Name, Round = x.A.Round!.Name,
            x.A.AmountRequested, x.A.SubmittedAt, x.A.Districts, x.A.WorkflowInstanceId,
            DefinitionId = x.I == null ? null : x.I.DefinitionId, DefinitionVersion = x.I == null ? 0 : x.I.DefinitionVersion, State = x.I == null ? null : x.I.State,
        }).ToListAsync(ct);
        var instances = items.Select(i => i.WorkflowInstanceId).OfType<Guid>().ToList();
        var assignees = await db.InboxTasks.AsNoTracking().Where(t => instances.Contains(t.InstanceId) && t.Status == InboxTaskStatus.Open && t.AssigneeName != null)
            .Select(t => new { t.InstanceId, t.AssigneeName }).ToListAsync(ct);
        return items.Select(i =>
        {
            var state = i.DefinitionId is null ? null : registry.Find(i.DefinitionId, i.DefinitionVersion)?.States.GetValueOrDefault(i.State!);
            var names = assignees.Where(a => a.InstanceId == i.WorkflowInstanceId).Select(a => a.AssigneeName!).Distinct().ToList();
            return new RegisterRow(i.Id, i.Reference, i.ProjectTitle, i.OrganisationId, i.Organisation, i.Fund, i.Round,
                i.State is null ? ApplicationStatus.Draft : state?.Status ?? "submitted", i.State, state?.Title ?? i.State, i.AmountRequested, i.SubmittedAt,
                i.Districts.Split('|', StringSplitOptions.RemoveEmptyEntries), names.Count == 0 ? null : string.Join(", ", names), i.WorkflowInstanceId);
        }).ToList();
    }
}
