using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GrantManager.Web.Pages;

public sealed class IndexModel(GrantDbContext db, TimeProvider time, IOptions<CouncilOptions> council) : PageModel
{
    public string Council => council.Value.Name;
    public List<Core.Funds.FundSummary> Funds { get; private set; } = [];

    public async Task OnGetAsync() =>
        Funds = await Core.Funds.FundSummary.OpenAt(db, time.GetUtcNow().UtcDateTime).ToListAsync();
}
