using GrantManager.Core.Data;
using GrantManager.Core.Funds;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Web.Api;

public static class FundsApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/funds", async (GrantDbContext db, TimeProvider time) =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            return await FundSummary.OpenAt(db, now).ToListAsync();
        }).WithName("ListOpenFunds").WithSummary("Funds with a round open now");
    }
}
