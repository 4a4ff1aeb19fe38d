using GrantManager.Core.Data;
using GrantManager.Core.Inbox;
using GrantManager.Core.Workflows;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Web.Pages.Staff;

public sealed class InboxModel(GrantDbContext db, WorkflowActors actors, WorkflowRegistry registry, TimeProvider time, WorkList workList, Core.Grants.FundReports reports) : PageModel
{
    [BindProperty(SupportsGet = true)] public int? Fund { get; set; }
    [BindProperty(SupportsGet = true)] public string? Stage { get; set; }
    /// <summary>Grant officers can see every open task, to share out the work.</summary>
    [BindProperty(SupportsGet = true)] public bool All { get; set; }
    /// <summary>"page" is Razor Pages' own route value, so the list's page travels as pageNumber.</summary>
    public int PageNumber { get; private set; } = 1;
    public bool CanSeeAll { get; private set; }
    /// <summary>Grant officers and administrators open any case file, an assessment's included; an assessor reaches theirs through the task, after declaring any conflict.</summary>
    public bool SeesEveryCase { get; private set; }
    public WorkListPage Result { get; private set; } = new([], 0, 0, 0, 1, WorkList.DefaultPageSize);
    public List<(int Id, string Name)> Funds { get; private set; } = [];
    public List<(string Value, string Text)> Stages { get; private set; } = [];
    /// <summary>Progress reports past their last day, for those who look after grants.</summary>
    /// <summary>The most late progress reports (at most <see cref="Core.Grants.FundReports.LateListed"/>), and how many are late in all.</summary>
    public List<Core.Grants.LateReturn> LateReturns { get; private set; } = [];
    public int LateTotal { get; private set; }
    public string LateUrl => "/Staff/Grants?late=true" + (Fund is int fund ? $"&fundId={fund}" : "");

    /// <summary>A stage's title for the stage filter, from the newest definitions (the list spans every version).</summary>
    public string StageTitle(string state) =>
        registry.Newest.Select(d => d.States.GetValueOrDefault(state)?.Title).FirstOrDefault(t => t is not null) ?? state;

    /// <summary>A task's stage in the words of the definition version its case runs on.</summary>
    public string StageTitle(TaskView task) =>
        registry.Find(task.DefinitionId, task.DefinitionVersion)?.States.GetValueOrDefault(task.Stage)?.Title ?? StageTitle(task.Stage);

    /// <summary>This list's address on another page, its filters kept.</summary>
    public string PageUrl(int page) => Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/Staff/Inbox",
        new Dictionary<string, string?>
        {
            ["fund"] = Fund?.ToString(System.Globalization.CultureInfo.InvariantCulture), ["stage"] = string.IsNullOrEmpty(Stage) ? null : Stage, ["All"] = All ? "true" : null, ["pageNumber"] = page.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }.Where(p => p.Value is not null));

    public async Task OnGetAsync()
    {
        var actor = await actors.ForAsync(User);
        CanSeeAll = actor.HasRole(Roles.GrantOfficer);
        SeesEveryCase = Core.Applications.ApplicationRegister.SeesEveryApplication(actor);
        var (pageNumber, pageError) = Shared.PageNumber.Read(Request.Query);
        PageNumber = pageNumber;
        if (pageError is not null) ModelState.AddModelError("", pageError);
        var filter = new WorkListFilter(Fund, Stage, CanSeeAll && All);
        var now = time.GetUtcNow().UtcDateTime;
        Result = await workList.PageAsync(actor, filter, PageNumber, WorkList.DefaultPageSize, now);
        if (Result.Tasks.Count == 0 && PageNumber > Result.Pages)
        {
            ModelState.AddModelError("", Shared.PageNumber.PastTheEnd(PageNumber, Result.Pages));
            PageNumber = Result.Pages;
            Result = await workList.PageAsync(actor, filter, PageNumber, WorkList.DefaultPageSize, now);
        }
        Funds = (await db.Funds.AsNoTracking().OrderBy(f => f.Name).Select(f => new { f.Id, f.Name }).ToListAsync()).Select(f => (f.Id, f.Name)).ToList();
        Stages = (await workList.StagesAsync(actor, filter)).Select(s => (s, StageTitle(s))).OrderBy(s => s.Item2).ToList();
        if (Core.Monitoring.ReturnService.SeesAllGrants(actor))
            (LateReturns, LateTotal) = await reports.LateReturnsAsync(now, Fund, Core.Grants.FundReports.LateListed);
    }
}
