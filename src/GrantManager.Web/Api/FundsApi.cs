using GrantManager.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Web.Api;

public static class FundsApi
{
    public sealed record FundSummary(int Id, string Code, string Name, string Summary, decimal MinimumAward, decimal MaximumAward,
        int RoundId, string RoundName, DateTime OpensAt, DateTime ClosesAt)
    {
        /// <summary>The last UK day on which applications are accepted (<c>closesAt</c> is the first moment after it).</summary>
        public DateOnly LastDay => Core.Funds.Round.LastDayOf(ClosesAt);
        [System.Text.Json.Serialization.JsonIgnore] public string Deadline => Core.Funds.Round.DeadlineText(ClosesAt);
    }

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/funds", async (GrantDbContext db, TimeProvider time) =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            return await OpenFunds(db, now).ToListAsync();
        }).WithName("ListOpenFunds").WithSummary("Funds with a round open now");
    }

    public static IQueryable<FundSummary> OpenFunds(GrantDbContext db, DateTime now) =>
        db.Rounds.Where(r => r.OpensAt <= now && r.ClosesAt > now)
            .OrderBy(r => r.ClosesAt)
            .Select(r => new FundSummary(r.Fund!.Id, r.Fund.Code, r.Fund.Name, r.Fund.Summary, r.Fund.MinimumAward, r.Fund.MaximumAward,
                r.Id, r.Name, r.OpensAt, r.ClosesAt));
}
