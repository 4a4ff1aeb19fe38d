using GrantManager.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Audit;

/// <summary>An audit entry as people read it: who by name (when they still have an account), what and when.</summary>
public sealed record AuditLine(long Id, DateTime At, string Who, string EntityType, string EntityId, string Action, string SubjectType, string SubjectId,
    IReadOnlyList<AuditChange> Changes);

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
        return rows.Select(r => new AuditLine(r.Entry.Id, r.Entry.At, string.IsNullOrEmpty(r.Name) ? r.Entry.UserName : r.Name, r.Entry.EntityType,
            r.Entry.EntityId, r.Entry.Action, r.Entry.SubjectType, r.Entry.SubjectId, r.Entry.ChangeList)).ToList();
    }
}
