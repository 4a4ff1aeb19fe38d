using GrantManager.Core.Data;
using GrantManager.Core.Funds;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Web.Pages.Staff;

public sealed class IndexModel(GrantDbContext db, UserManager<User> users) : PageModel
{
    public string DisplayName { get; private set; } = "";
    public IList<string> Roles { get; private set; } = [];
    public List<Fund> Funds { get; private set; } = [];
    /// <summary>Whether the fund dashboards are open to this person (not to assessors).</summary>
    public bool SeesReports => Roles.Any(r => r is Core.Data.Roles.GrantOfficer or Core.Data.Roles.FinanceOfficer or Core.Data.Roles.PanelMember or Core.Data.Roles.Administrator);

    public async Task OnGetAsync()
    {
        var user = await users.GetUserAsync(User);
        DisplayName = user?.DisplayName ?? "";
        Roles = user is null ? [] : await users.GetRolesAsync(user);
        Funds = await db.Funds.Include(f => f.Rounds).OrderBy(f => f.Name).AsNoTracking().ToListAsync();
    }
}
