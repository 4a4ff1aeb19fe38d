using GrantManager.Core.Applications;
using GrantManager.Core.Cases;
using GrantManager.Core.Data;
using GrantManager.Core.Organisations;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Web.Pages.Applicant;

public sealed class IndexModel(GrantDbContext db, UserManager<User> users, TimeProvider time, Core.Applications.ApplicationService applications,
    GrantManager.Web.Workflows.WorkflowActors actors, Core.Workflows.WorkflowRegistry registry) : PageModel
{
    public string DisplayName { get; private set; } = "";
    public Organisation? Organisation { get; private set; }
    public List<Core.Funds.FundSummary> Funds { get; private set; } = [];
    public List<ApplicationView> Applications { get; private set; } = [];

    /// <summary>Something only the applicant can move on: information asked for, an offer to answer, a report to send.</summary>
    public sealed record ActionItem(string Text, string Href, string Reference, DateOnly? DueOn, bool Overdue);
    public List<ActionItem> Actions { get; private set; } = [];

    public async Task OnGetAsync()
    {
        var user = await users.GetUserAsync(User);
        DisplayName = user?.DisplayName ?? "";
        Organisation = user?.OrganisationId is int id ? await db.Organisations.FindAsync(id) : null;
        Funds = await Core.Funds.FundSummary.OpenAt(db, time.GetUtcNow().UtcDateTime).ToListAsync();
        var actor = await actors.ForAsync(User);
        foreach (var a in await applications.Query().AsNoTracking().Where(a => a.OrganisationId == actor.OrganisationId).OrderByDescending(a => a.Id).ToListAsync())
            Applications.Add(await ApplicationView.ForAsync(db, registry, a, actor));
        await FindActionsAsync(actor.OrganisationId);
    }

    private async Task FindActionsAsync(int? organisationId)
    {
        if (organisationId is null) return;
        var today = Core.Configuration.UkTime.DayOf(time.GetUtcNow().UtcDateTime);
        var mine = await db.Applications.AsNoTracking().Where(a => a.OrganisationId == organisationId && a.WorkflowInstanceId != null)
            .Select(a => new { a.Id, a.Reference, a.WorkflowInstanceId }).ToListAsync();
        var instances = mine.Select(a => a.WorkflowInstanceId!.Value).ToList();
        var tasks = await db.InboxTasks.AsNoTracking()
            .Where(t => instances.Contains(t.InstanceId) && t.Status == Core.Workflows.InboxTaskStatus.Open && t.Role == Roles.Applicant)
            .ToListAsync();
        foreach (var t in tasks.OrderBy(t => t.DueAt))
        {
            var a = mine.First(m => m.WorkflowInstanceId == t.InstanceId);
            var text = t.TaskKey switch
            {
                "provide-information" => "Give us the information we asked for",
                "respond-to-offer" => "Accept or decline the offer of a grant",
                _ => t.Title,
            };
            DateOnly? due = t.DueAt is DateTime d ? Core.Configuration.UkTime.DayOf(d) : null;
            Actions.Add(new ActionItem(text, $"/Applicant/Applications/{a.Id}", a.Reference, due, due < today));
        }
        var reports = await db.Set<Core.Monitoring.MonitoringReturn>().AsNoTracking()
            .Where(r => r.Status == Core.Monitoring.ReturnStatus.Due || r.Status == Core.Monitoring.ReturnStatus.ChangesRequested)
            .Join(db.Grants.Where(g => g.OrganisationId == organisationId), r => r.GrantId, g => g.Id, (r, g) => new { r.Id, r.Period, r.Status, r.DueOn, r.ChangesDueOn, g.Reference })
            .ToListAsync();
        foreach (var r in reports.OrderBy(r => r.ChangesDueOn ?? r.DueOn))
        {
            var due = r.ChangesDueOn ?? r.DueOn;
            var text = r.Status == Core.Monitoring.ReturnStatus.ChangesRequested ? $"Make the changes asked for to your progress report: {r.Period}" : $"Send your progress report: {r.Period}";
            Actions.Add(new ActionItem(text, $"/Applicant/Returns/{r.Id}", r.Reference, due, due < today));
        }
        Actions = Actions.OrderByDescending(a => a.Overdue).ThenBy(a => a.DueOn ?? DateOnly.MaxValue).ToList();
    }
}
