using GrantManager.Core.Data;
using GrantManager.Core.Funds;
using GrantManager.Web.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Web.Pages.Staff.Funds;

/// <summary>The staff list of funds: rounds, budget and, for those who look after grants, each fund's dashboard and quarterly report.</summary>
public sealed class IndexModel(GrantDbContext db, WorkflowActors actors) : FundReportPage(actors)
{
    public List<Fund> Funds { get; private set; } = [];
    public bool SeesReports { get; private set; }

    public async Task OnGetAsync()
    {
        SeesReports = await MaySeeAsync();
        Funds = await db.Funds.Include(f => f.Rounds).OrderBy(f => f.Name).AsNoTracking().ToListAsync();
    }
}
