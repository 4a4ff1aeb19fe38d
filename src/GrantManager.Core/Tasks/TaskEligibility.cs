using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Tasks;

/// <summary>
/// The rules for who may take a staff task: they hold its role, have not declared a conflict of
/// interest on the application, and are not doing (or have not done) another copy of the same
/// parallel task (two assessors must be two people). When nobody holding the role is left, a grant
/// officer who meets the other rules may stand in. This is the grant service's assignment policy, which the
/// workflow runtime asks for through <see cref="GrantParticipants"/>.
/// </summary>
public static class TaskEligibility
{
    public static async Task<IReadOnlyDictionary<long, TaskEligibilityResult>> ForAsync(GrantDbContext db, IReadOnlyCollection<InboxTask> tasks, CancellationToken ct = default)
    {
        var staffTasks = tasks.Where(t => t.Role != Roles.Applicant).ToList();
        if (staffTasks.Count == 0) return new Dictionary<long, TaskEligibilityResult>();
        var roles = staffTasks.Select(t => t.Role).Append(Roles.GrantOfficer).Distinct().ToList();
        var holders = await HoldersAsync(db, roles, ct);
        var byRole = holders.GroupBy(h => h.Role).ToDictionary(g => g.Key, g => g.OrderBy(h => h.DisplayName).Select(h => (h.Id, h.DisplayName)).ToList());
        var instances = staffTasks.Select(t => t.InstanceId).Distinct().ToList();
        var copies = await db.Set<InboxTask>().AsNoTracking().Where(t => instances.Contains(t.InstanceId))
            .Select(t => new { t.Id, t.InstanceId, t.StageEntry, t.TaskKey, t.AssigneeId, t.CompletedById }).ToListAsync(ct);
        var ids = staffTasks.Select(t => t.Id).ToList();
        var conflicts = (await db.InboxTaskExclusions.AsNoTracking().Where(x => ids.Contains(x.TaskId) && x.Conflict).Select(x => new { x.TaskId, x.UserId }).ToListAsync(ct))
            .ToLookup(x => x.TaskId, x => x.UserId);
        var result = new Dictionary<long, TaskEligibilityResult>();
        foreach (var task in staffTasks)
        {
            var others = copies.Where(c => c.InstanceId == task.InstanceId && c.StageEntry == task.StageEntry && c.TaskKey == task.TaskKey && c.Id != task.Id)
                .SelectMany(c => new[] { c.AssigneeId, c.CompletedById }).OfType<string>().ToHashSet();
            bool May(string id) => !conflicts[task.Id].Contains(id) && !others.Contains(id);
            var candidates = byRole.GetValueOrDefault(task.Role, []).Where(p => May(p.Id)).Select(p => new TaskCandidate(p.Id, p.DisplayName, false)).ToList();
            if (candidates.Count == 0 && task.Role != Roles.GrantOfficer)
                candidates.AddRange(byRole.GetValueOrDefault(Roles.GrantOfficer, []).Where(p => May(p.Id)).Select(p => new TaskCandidate(p.Id, p.DisplayName, true)));
            result[task.Id] = new TaskEligibilityResult(candidates);
        }
        return result;
    }

    /// <summary>
    /// The confirmed people holding any of these roles (every staff role when none are named). The roles' ids are read first, so the
    /// people are found through the role index rather than by reading every person's roles (most people are applicants).
    /// </summary>
    public static async Task<List<RoleHolder>> HoldersAsync(GrantDbContext db, IReadOnlyCollection<string>? roles, CancellationToken ct = default)
    {
        var roleIds = await db.Roles.AsNoTracking().Where(r => r.Name != Roles.Applicant && (roles == null || roles.Contains(r.Name!))).Select(r => r.Id).ToListAsync(ct);
        return await (from ur in db.UserRoles
                      where roleIds.Contains(ur.RoleId)
                      join u in db.Users on ur.UserId equals u.Id
                      join r in db.Roles on ur.RoleId equals r.Id
                      where u.EmailConfirmed
                      select new RoleHolder(u.Id, u.DisplayName, r.Name!)).ToListAsync(ct);
    }

    public static async Task<TaskEligibilityResult> ForAsync(GrantDbContext db, InboxTask task, CancellationToken ct = default) =>
        (await ForAsync(db, [task], ct)).GetValueOrDefault(task.Id) ?? new TaskEligibilityResult([]);
}

/// <summary>A confirmed person holding a staff role.</summary>
public sealed record RoleHolder(string Id, string DisplayName, string Role);
