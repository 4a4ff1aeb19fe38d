using GrantManager.Core.Applications;
using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using GrantManager.Core.Monitoring;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Grants;

public sealed record GrantFilter
{
    /// <summary>Searched through the applications' index: reference, project title, organisation, charity or company number, postcode.</summary>
    public string? Q { get; init; }
    public int? FundId { get; init; }
    /// <summary>active or closed.</summary>
    public string? Status { get; init; }
    public string? District { get; init; }
    /// <summary>Only grants with a progress report past its last day.</summary>
    public bool Late { get; init; }
    public decimal? AmountFrom { get; init; }
    public decimal? AmountTo { get; init; }
    /// <summary>Awarded on or after this day (UK time).</summary>
    public DateOnly? AwardedFrom { get; init; }
    /// <summary>Awarded on or before this day (UK time).</summary>
    public DateOnly? AwardedTo { get; init; }
    public string? Sort { get; init; }
    public bool? Descending { get; init; }
}

public sealed record GrantRow(int Id, int ApplicationId, string Reference, string? ProjectTitle, string Organisation, string Fund, string Status, decimal Amount,
    decimal Paid, string? NextReturn, DateOnly? NextReturnDue, int LateReturns, decimal? NextPayment, string? NextPaymentStatus, DateTime AwardedAt);

public sealed record GrantPage(List<GrantRow> Rows, int Total, int Page, int PageSize, IReadOnlyDictionary<string, int> StatusCounts)
{
    public int Pages => Math.Max(1, (Total + PageSize - 1) / PageSize);
}

/// <summary>
/// The grants register: every grant with what it has been paid, its next progress report and
/// payment and how many reports are late, filtered, sorted, counted and paged in the database.
/// Staff who oversee grants (<see cref="ReturnService.SeesAllGrants"/>) see every organisation's.
/// </summary>
public sealed class GrantRegister(GrantDbContext db, TimeProvider time)
{
    public const int PageSize = 50;
    public static readonly string[] SortColumns = ["reference", "organisation", "amount", "paid", "next-report", "late", "awarded"];
    public static readonly string[] Statuses = ["active", "closed"];

    private sealed class Item
    {
        public Grant G { get; init; } = null!;
        public string Reference { get; init; } = "";
        public string? ProjectTitle { get; init; }
        public string Organisation { get; init; } = "";
        public string Fund { get; init; } = "";
        public decimal Paid { get; init; }
        public DateOnly? NextReturnDue { get; init; }
        public int Late { get; init; }
    }

    private IQueryable<Item> Query(Actor actor, GrantFilter f, DateOnly today, bool withStatus = true)
    {
        var grants = db.Grants.AsNoTracking();
        if (!ReturnService.SeesAllGrants(actor))
        {
            // An applicant sees only their own organisation's grants (through the API); nobody else any.
            if (!actor.HasRole(Roles.Applicant) || actor.OrganisationId is not int own)
                throw new ForbiddenException("The grants register is for staff who look after grants");
            grants = grants.Where(g => g.OrganisationId == own);
        }
        var query = from g in grants
                    join a in db.Applications on g.ApplicationId equals a.Id
                    select new Item
                    {
                        G = g, Reference = g.Reference, ProjectTitle = a.ProjectTitle, Organisation = a.Organisation!.Name, Fund = a.Fund!.Name,
                        Paid = g.Instalments.Where(i => i.Status == InstalmentStatus.Paid).Sum(i => i.Amount),
                        NextReturnDue = g.Returns.Where(r => r.Status != ReturnStatus.Accepted && r.Status != ReturnStatus.Submitted && r.Status != ReturnStatus.Cancelled)
                            .OrderBy(r => r.Sequence).Select(r => (DateOnly?)(r.ChangesDueOn ?? r.DueOn)).FirstOrDefault(),
                        Late = g.Returns.Count(r => (r.Status == ReturnStatus.Due || r.Status == ReturnStatus.ChangesRequested) && (r.ChangesDueOn ?? r.DueOn) < today),
                    };
        var words = ApplicationRegister.Words(f.Q);
        if (words.Count > 0)
        {
            var ids = ApplicationRegister.Matching(db, words);
            query = query.Where(x => ids.Contains(x.G.ApplicationId));
        }
        if (f.FundId is int fund) query = query.Where(x => x.G.FundId == fund);
        if (!string.IsNullOrEmpty(f.District))
        {
            var serving = db.ApplicationDistricts.Where(d => d.District == f.District).Select(d => d.ApplicationId);
            query = query.Where(x => serving.Contains(x.G.ApplicationId));
        }
        if (f.Late) query = query.Where(x => x.Late > 0);
        if (f.AmountFrom is decimal from) query = query.Where(x => x.G.Amount >= from);
        if (f.AmountTo is decimal to) query = query.Where(x => x.G.Amount <= to);
        if (f.AwardedFrom is DateOnly af)
        {
            var start = UkTime.StartOfDay(af);
            query = query.Where(x => x.G.AwardedAt >= start);
        }
        if (f.AwardedTo is DateOnly at)
        {
            var end = UkTime.StartOfDay(at.AddDays(1));
            query = query.Where(x => x.G.AwardedAt < end);
        }
        if (withStatus && f.Status is "active") query = query.Where(x => x.G.Status == GrantStatus.Active);
        if (withStatus && f.Status is "closed") query = query.Where(x => x.G.Status == GrantStatus.Closed);
        return query;
    }

    private static IQueryable<Item> Sorted(IQueryable<Item> q, GrantFilter f)
    {
        var sort = SortColumns.Contains(f.Sort) ? f.Sort : "awarded";
        var desc = f.Descending ?? sort == "awarded";
        IOrderedQueryable<Item> o = (sort, desc) switch
        {
            ("reference", false) => q.OrderBy(x => x.Reference), ("reference", true) => q.OrderByDescending(x => x.Reference),
            ("organisation", false) => q.OrderBy(x => x.Organisation), ("organisation", true) => q.OrderByDescending(x => x.Organisation),
            ("amount", false) => q.OrderBy(x => x.G.Amount), ("amount", true) => q.OrderByDescending(x => x.G.Amount),
            ("paid", false) => q.OrderBy(x => x.Paid), ("paid", true) => q.OrderByDescending(x => x.Paid),
            ("next-report", false) => q.OrderBy(x => x.NextReturnDue == null).ThenBy(x => x.NextReturnDue),
            ("next-report", true) => q.OrderByDescending(x => x.NextReturnDue),
            ("late", false) => q.OrderBy(x => x.Late), ("late", true) => q.OrderByDescending(x => x.Late),
            (_, false) => q.OrderBy(x => x.G.AwardedAt),
            _ => q.OrderByDescending(x => x.G.AwardedAt),
        };
        return desc ? o.ThenByDescending(x => x.G.Id) : o.ThenBy(x => x.G.Id);
    }

    public async Task<GrantPage> PageAsync(Actor actor, GrantFilter filter, int page, int pageSize = PageSize, CancellationToken ct = default)
    {
        var today = UkTime.DayOf(time.GetUtcNow().UtcDateTime);
        // One grouped query gives the counts per status and, from them, the total.
        var counts = (await Query(actor, filter, today, withStatus: false).GroupBy(x => x.G.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct))
            .ToDictionary(c => c.Key.ToString().ToLowerInvariant(), c => c.Count);
        var total = filter.Status is { } status ? counts.GetValueOrDefault(status) : counts.Values.Sum();
        // The page's ids first, then their rows (with what each has been paid and its next report and payment) for those alone.
        var ids = await Sorted(Query(actor, filter, today), filter).Select(x => x.G.Id).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(ct);
        return new GrantPage(await RowsAsync(ids, today, ct), total, page, pageSize, counts);
    }

    /// <summary>How many rows an export reads at a time.</summary>
    public int ExportBatch { get; init; } = 2000;

    /// <summary>Every row the filter gives, in its order, each once (for exports): the ids in order first, then the rows a batch at a time by id.</summary>
    public async IAsyncEnumerable<GrantRow> AllAsync(Actor actor, GrantFilter filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var today = UkTime.DayOf(time.GetUtcNow().UtcDateTime);
        var ids = await Sorted(Query(actor, filter, today), filter).Select(x => x.G.Id).ToListAsync(ct);
        for (var start = 0; start < ids.Count; start += ExportBatch)
        {
            var rows = await RowsAsync(ids.GetRange(start, Math.Min(ExportBatch, ids.Count - start)), today, ct);
            foreach (var row in rows) yield return row;
        }
    }

    public static readonly string[] ExportColumns =
        ["Reference", "Project title", "Organisation", "Fund", "Status", "Amount", "Paid so far", "Next progress report", "Next report due", "Late reports",
            "Next payment", "Next payment status", "Awarded"];

    public static string?[] ExportCells(GrantRow r) =>
    [
        r.Reference, r.ProjectTitle, r.Organisation, r.Fund, WorkflowText.Status(r.Status), Money(r.Amount), Money(r.Paid), r.NextReturn,
        r.NextReturnDue is DateOnly due ? RegisterExport.Day(due) : null, r.LateReturns.ToString(System.Globalization.CultureInfo.InvariantCulture),
        r.NextPayment is decimal next ? Money(next) : null, WorkflowText.Status(r.NextPaymentStatus), RegisterExport.Day(UkTime.DayOf(r.AwardedAt)),
    ];

    /// <summary>The amounts, as numbers in a workbook, and the days as dates.</summary>
    public static object? ExportValue(GrantRow r, int column) => column switch
    {
        5 => r.Amount, 6 => r.Paid, 8 => r.NextReturnDue, 10 => r.NextPayment, 12 => UkTime.DayOf(r.AwardedAt), _ => null,
    };

    private static string Money(decimal amount) => amount.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The rows of these grants, in the order given; each figure is a subquery on the grant's own payments and reports.</summary>
    private async Task<List<GrantRow>> RowsAsync(List<int> ids, DateOnly today, CancellationToken ct)
    {
        if (ids.Count == 0) return [];
        var items = await (from g in db.Grants.AsNoTracking()
                           where ids.Contains(g.Id)
                           join a in db.Applications on g.ApplicationId equals a.Id
                           select new
                           {
                               g.Id, g.ApplicationId, g.Reference, a.ProjectTitle, Organisation = a.Organisation!.Name, Fund = a.Fund!.Name, g.Status, g.Amount, g.AwardedAt,
                               Paid = g.Instalments.Where(i => i.Status == InstalmentStatus.Paid).Sum(i => i.Amount),
                               NextReturnDue = g.Returns.Where(r => r.Status != ReturnStatus.Accepted && r.Status != ReturnStatus.Submitted && r.Status != ReturnStatus.Cancelled).OrderBy(r => r.Sequence).Select(r => (DateOnly?)(r.ChangesDueOn ?? r.DueOn)).FirstOrDefault(),
                               NextReturn = g.Returns.Where(r => r.Status != ReturnStatus.Accepted && r.Status != ReturnStatus.Submitted && r.Status != ReturnStatus.Cancelled).OrderBy(r => r.Sequence).Select(r => r.Period).FirstOrDefault(),
                               Late = g.Returns.Count(r => (r.Status == ReturnStatus.Due || r.Status == ReturnStatus.ChangesRequested) && (r.ChangesDueOn ?? r.DueOn) < today),
                               // Two scalar subqueries rather than one row: EF would otherwise number every unpaid payment of every grant to find the first.
                               NextPayment = g.Instalments.Where(i => i.Status != InstalmentStatus.Paid).OrderBy(i => i.Sequence).Select(i => (decimal?)i.Amount).FirstOrDefault(),
                               NextPaymentStatus = g.Instalments.Where(i => i.Status != InstalmentStatus.Paid).OrderBy(i => i.Sequence).Select(i => (InstalmentStatus?)i.Status).FirstOrDefault(),
                           }).ToDictionaryAsync(x => x.Id, ct);
        return ids.Where(items.ContainsKey).Select(id => items[id]).Select(i => new GrantRow(i.Id, i.ApplicationId, i.Reference, i.ProjectTitle, i.Organisation, i.Fund,
            i.Status.ToString().ToLowerInvariant(), i.Amount, i.Paid, i.NextReturn, i.NextReturnDue, i.Late, i.NextPayment,
            i.NextPaymentStatus?.ToString().ToLowerInvariant(), i.AwardedAt)).ToList();
    }
}
