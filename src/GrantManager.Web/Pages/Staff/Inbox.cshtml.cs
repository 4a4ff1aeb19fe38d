using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using GrantManager.Web.Api;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Web.Pages.Staff;

public sealed class InboxModel(GrantDbContext db, WorkflowActors actors, WorkflowRegistry registry, TimeProvider time, Core.Grants.FundReports reports) : PageModel
{
    /// <param name="NobodyEligible">No holder of the task's role may take it (conflicts, parallel copies): a grant officer must act.</param>
    public sealed record Row(long Id, string Title, string? Reference, string? ProjectTitle, string StageTitle, DateTime? DueAt, bool Overdue, string? Assignee,
        string Role, bool NobodyEligible);

    [BindProperty(SupportsGet = true)] public int? Fund { get; set; }
    [BindProperty(SupportsGet = true)] public string? Stage { get; set; }
    /// <summary>Grant officers can see every open task, to share out the work.</summary>
    [BindProperty(SupportsGet = true)] public bool All { get; set; }
    public bool CanSeeAll { get; private set; }
    public List<Row> Tasks { get; private set; } = [];
    public List<(int Id, string Name)> Funds { get; private set; } = [];
    public List<(string Value, string Text)> Stages { get; private set; } = [];
    public string Me { get; private set; } = "";
    /// <summary>Progress reports past their last day, for those who look after grants.</summary>
    public List<Core.Grants.LateReturn> LateReturns { get; private set; } = [];

    public async Task OnGetAsync()
    {
        var actor = await actors.ForAsync(User);
        Me = actor.Name;
        CanSeeAll = actor.HasRole(Roles.GrantOfficer);
        var tasks = CanSeeAll && All
            ? await ApplicationsApi.InboxAsync(db, actor, time.GetUtcNow().UtcDateTime, everyone: true)
            : await ApplicationsApi.InboxAsync(db, actor, time.GetUtcNow().UtcDateTime);
        if (CanSeeAll && !All)
        {
            // Tasks nobody may take are a grant officer's to sort out, whatever their role.
            var stalled = (await ApplicationsApi.InboxAsync(db, actor, time.GetUtcNow().UtcDateTime, everyone: true)).Where(t => t.NobodyEligible).ToList();
            tasks.AddRange(stalled.Where(s => tasks.All(t => t.Id != s.Id)));
        }
        var ids = tasks.Where(t => t.ApplicationId is not null).Select(t => t.ApplicationId!.Value).Distinct().ToList();
        var applications = await db.Applications.AsNoTracking().Where(a => ids.Contains(a.Id))
            .Select(a => new { a.Id, a.FundId, a.ProjectTitle, a.WorkflowInstanceId }).ToDictionaryAsync(a => a.Id);
        var definitions = registry.Newest.ToList();
        string StageTitle(string state) => definitions.Select(d => d.States.GetValueOrDefault(state)?.Title).FirstOrDefault(t => t is not null) ?? state;

        Funds = (await db.Funds.AsNoTracking().OrderBy(f => f.Name).Select(f => new { f.Id, f.Name }).ToListAsync()).Select(f => (f.Id, f.Name)).ToList();
        Stages = tasks.Select(t => t.Stage).Distinct().Select(s => (s, StageTitle(s))).OrderBy(s => s.Item2).ToList();
        Tasks = tasks
            .Where(t => Fund is null || (t.ApplicationId is int a && applications.TryGetValue(a, out var app) && app.FundId == Fund))
            .Where(t => string.IsNullOrEmpty(Stage) || t.Stage == Stage)
            .OrderByDescending(t => t.Overdue).ThenBy(t => t.DueAt ?? DateTime.MaxValue)
            .Select(t => new Row(t.Id, t.Title, t.Reference, t.ApplicationId is int a && applications.TryGetValue(a, out var app) ? app.ProjectTitle : null,
                StageTitle(t.Stage), t.DueAt, t.Overdue, t.Assignee, t.Role, t.NobodyEligible))
            .ToList();
        if (Core.Grants.ReturnService.SeesAllGrants(actor))
            LateReturns = await reports.LateReturnsAsync(time.GetUtcNow().UtcDateTime, Fund);
    }
}
