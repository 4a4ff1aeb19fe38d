using GrantManager.Core.Data;
using GrantManager.Core.Funds;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Web.Pages.Admin.Funds;

public sealed class IndexModel(GrantDbContext db) : PageModel
{
    public List<Fund> Funds { get; private set; } = [];

    public async Task OnGetAsync() => Funds = await db.Funds.Include(f => f.Rounds).AsNoTracking().OrderBy(f => f.Name).ToListAsync();
}
