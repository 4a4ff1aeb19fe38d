using GrantManager.Core.Data;
using GrantManager.Core.Organisations;
using GrantManager.Web.Api;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Web.Pages.Applicant;

public sealed class IndexModel(GrantDbContext db, UserManager<User> users, TimeProvider time) : PageModel
{
    public string DisplayName { get; private set; } = "";
    public Organisation? Organisation { get; private set; }
    public List<FundsApi.FundSummary> Funds { get; private set; } = [];

    public async Task OnGetAsync()
    {
        var user = await users.GetUserAsync(User);
        DisplayName = user?.DisplayName ?? "";
        Organisation = user?.OrganisationId is int id ? await db.Organisations.FindAsync(id) : null;
        Funds = await FundsApi.OpenFunds(db, time.GetUtcNow().UtcDateTime).ToListAsync();
    }
}
