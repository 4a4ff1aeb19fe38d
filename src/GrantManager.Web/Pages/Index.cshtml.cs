using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using GrantManager.Web.Api;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GrantManager.Web.Pages;

public sealed class IndexModel(GrantDbContext db, TimeProvider time, IOptions<CouncilOptions> council) : PageModel
{
    public string Council => council.Value.Name;
    public List<FundsApi.FundSummary> Funds { get; private set; } = [];

    public async Task OnGetAsync() =>
        Funds = await FundsApi.OpenFunds(db, time.GetUtcNow().UtcDateTime).ToListAsync();
}
