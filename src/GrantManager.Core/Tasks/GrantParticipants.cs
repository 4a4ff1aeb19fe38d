using GrantManager.Core.Data;
using GrantManager.Core.Email;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Tasks;

/// <summary>
/// The grant service's people as the workflow runtime asks for them: applicants act for their own
/// organisation's cases, grant officers coordinate the work (release, set aside, stand in), grant officers
/// and administrators oversee it (see every task, assign them), and <see cref="TaskEligibility"/> says who may take a task.
/// </summary>
public sealed class GrantParticipants(GrantDbContext db) : IWorkflowParticipants
{
    public static readonly WorkflowWording GrantWording = new("application", "applications", "applicant", "grant officers");

    public IReadOnlyCollection<string> Roles => Data.Roles.All;
    public string SubjectRole => Data.Roles.Applicant;
    public WorkflowWording Wording => GrantWording;
    public string DescribeRole(string role) => Data.Roles.Describe(role);

    public bool Oversees(Actor actor) => actor.HasRole(Data.Roles.GrantOfficer) || actor.HasRole(Data.Roles.Administrator);
    public bool Coordinates(Actor actor) => actor.HasRole(Data.Roles.GrantOfficer);

    public Task<TaskEligibilityResult> EligibilityAsync(InboxTask task, CancellationToken ct) => TaskEligibility.ForAsync(db, task, ct);

    public async Task<IReadOnlyList<EmailRecipient>> RoleHoldersAsync(string role, CancellationToken ct) =>
        await (from u in db.Users join ur in db.UserRoles on u.Id equals ur.UserId join r in db.Roles on ur.RoleId equals r.Id
               where r.Name == role && u.EmailConfirmed
               orderby u.Email
               select new EmailRecipient(u.Email!, u.DisplayName)).ToListAsync(ct);

    public async Task<WorkflowPerson?> FindAsync(string userId, CancellationToken ct) =>
        await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => new WorkflowPerson(u.Id, u.DisplayName, u.Email!)).SingleOrDefaultAsync(ct);
}
