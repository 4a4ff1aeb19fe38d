using GrantManager.Core.Data;

namespace GrantManager.Core.Funds;

/// <summary>A fund with a round open now, as the home page, the applicant's page and the API list it.</summary>
public sealed record FundSummary(int Id, string Code, string Name, string Summary, decimal MinimumAward, decimal MaximumAward,
    int RoundId, string RoundName, DateTime OpensAt, DateTime ClosesAt)
{
    /// <summary>The last UK day on which applications are accepted (<c>closesAt</c> is the first moment after it).</summary>
    public DateOnly LastDay => Round.LastDayOf(ClosesAt);
    [System.Text.Json.Serialization.JsonIgnore] public string Deadline => Round.DeadlineText(ClosesAt);

    /// <summary>The funds open at this moment, the soonest to close first.</summary>
    public static IQueryable<FundSummary> OpenAt(GrantDbContext db, DateTime now) =>
        db.Rounds.Where(r => r.OpensAt <= now && r.ClosesAt > now)
            .OrderBy(r => r.ClosesAt)
            .Select(r => new FundSummary(r.Fund!.Id, r.Fund.Code, r.Fund.Name, r.Fund.Summary, r.Fund.MinimumAward, r.Fund.MaximumAward,
                r.Id, r.Name, r.OpensAt, r.ClosesAt));
}
