using GrantManager.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Audit;

/// <summary>An audit entry as people read it: who by name (when they still have an account), what and when.</summary>
public sealed record AuditLine(long Id, DateTime At, string Who, string EntityType, string EntityId, string Action, string SubjectType, string SubjectId,
    IReadOnlyList<AuditChange> Changes)
{
    /// <summary>Which record, as people know it: an application's reference, an organisation's, fund's or person's name.</summary>
    public string? SubjectName { get; init; }
    /// <summary>Where staff see that record, if it has a page.</summary>
    public string? SubjectLink => SubjectType switch
    {
        "application" => $"/Staff/Applications/{SubjectId}",
        "fund" => $"/Admin/Funds/Fund?id={SubjectId}",
        _ => null,
    };
}

/// <summary>Reads the audit trail: of one record (a case file, a fund, a user) or all of it, newest first, a page at a time.</summary>
public static class AuditTrail
{
    public const int PageSize = 50;

    public static Task<List<AuditLine>> ForSubjectAsync(GrantDbContext db, string subjectType, string subjectId, CancellationToken ct = default) =>
        ReadAsync(db, db.AuditEntries.Where(a => a.SubjectType == subjectType && a.SubjectId == subjectId), 0, 500, ct);

    public static async Task<(List<AuditLine> Lines, int Total)> PageAsync(GrantDbContext db, string? subjectType, int page, CancellationToken ct = default)
    {
        var query = db.AuditEntries.AsQueryable();
        if (!string.IsNullOrEmpty(subjectType)) query = query.Where(a => a.SubjectType == subjectType);
        var total = await query.CountAsync(ct);
        return (await ReadAsync(db, query, (Math.Max(page, 1) - 1) * PageSize, PageSize, ct), total);
    }

    private static async Task<List<AuditLine>> ReadAsync(GrantDbContext db, IQueryable<AuditEntry> query, int skip, int take, CancellationToken ct)
    {
        var rows = await query.AsNoTracking().OrderByDescending(a => a.Id).Skip(skip).Take(take)
            .Select(a => new { Entry = a, Name = db.Users.Where(u => u.Id == a.UserId).Select(u => u.DisplayName).FirstOrDefault() })
            .ToListAsync(ct);
        // The records named, a query per kind for the page.
        List<int> Ids(string type) => rows.Where(r => r.Entry.SubjectType == type).Select(r => int.TryParse(r.Entry.SubjectId, out var id) ? id : 0).Distinct().ToList();
        var (applications, organisations, funds) = (Ids("application"), Ids("organisation"), Ids("fund"));
        var users = rows.Where(r => r.Entry.SubjectType == "user").Select(r => r.Entry.SubjectId).Distinct().ToList();
        var names = new Dictionary<(string, string), string>();
        foreach (var a in await db.Applications.AsNoTracking().Where(a => applications.Contains(a.Id)).Select(a => new { a.Id, a.Reference, a.ProjectTitle }).ToListAsync(ct))
            names[("application", a.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))] = a.ProjectTitle is null ? a.Reference : $"{a.Reference}: {a.ProjectTitle}";
        foreach (var o in await db.Organisations.AsNoTracking().Where(o => organisations.Contains(o.Id)).Select(o => new { o.Id, o.Name }).ToListAsync(ct))
            names[("organisation", o.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))] = o.Name;
        foreach (var f in await db.Funds.AsNoTracking().Where(f => funds.Contains(f.Id)).Select(f => new { f.Id, f.Name }).ToListAsync(ct))
            names[("fund", f.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))] = f.Name;
        foreach (var u in await db.Users.AsNoTracking().Where(u => users.Contains(u.Id)).Select(u => new { u.Id, u.DisplayName, u.Email }).ToListAsync(ct))
            names[("user", u.Id)] = string.IsNullOrEmpty(u.DisplayName) ? u.Email ?? u.Id : u.DisplayName;
        return rows.Select(r => new AuditLine(r.Entry.Id, r.Entry.At, string.IsNullOrEmpty(r.Name) ? r.Entry.UserName : r.Name, r.Entry.EntityType,
            r.Entry.EntityId, r.Entry.Action, r.Entry.SubjectType, r.Entry.SubjectId, r.Entry.ChangeList)
        {
            SubjectName = names.GetValueOrDefault((r.Entry.SubjectType, r.Entry.SubjectId)),
        }).ToList();
    }
}
