using GrantManager.Core.Data;
using GrantManager.Core.Organisations;
using GrantManager.Web.Api;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Web.Pages.Applicant;

public sealed class IndexModel(GrantDbContext db, UserManager<User> users, TimeProvider time, Core.Applications.ApplicationService applications,
    GrantManager.Web.Workflows.WorkflowActors actors, Core.Workflows.WorkflowRegistry registry) : PageModel
{
    public string DisplayName { get; private set; } = "";
    public Organisation? Organisation { get; private set; }
    public List<FundsApi.FundSummary> Funds { get; private set; } = [];
    public List<ApplicationsApi.ApplicationView> Applications { get; private set; } = [];

    public async Task OnGetAsync()
    {
        var user = await users.GetUserAsync(User);
        DisplayName = user?.DisplayName ?? "";
        Organisation = user?.OrganisationId is int id ? await db.Organisations.FindAsync(id) : null;
        Funds = await FundsApi.OpenFunds(db, time.GetUtcNow().UtcDateTime).ToListAsync();
        var actor = await actors.ForAsync(User);
        foreach (var a in await applications.Query().AsNoTracking().Where(a => a.OrganisationId == actor.OrganisationId).OrderByDescending(a => a.Id).ToListAsync())
            Applications.Add(await ApplicationsApi.ViewAsync(db, registry, a, actor));
    }
}
