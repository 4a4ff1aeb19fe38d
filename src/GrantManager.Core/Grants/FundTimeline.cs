using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Grants;

/// <summary>One quarter of a fund's money: what was awarded and paid in it, and the running totals at its end.</summary>
public sealed record QuarterMoney(DateOnly From, DateOnly To, int Awards, decimal Committed, decimal CommittedToDate, int Payments, decimal Paid, decimal PaidToDate);

/// <summary>
/// A fund's committed and paid money quarter by quarter (calendar quarters, in UK time, as the quarterly report has them),
/// from its first award or payment to the quarter of today. A grant counts at its amount now, in the quarter it was awarded,
/// so the last running total is the dashboard's committed figure.
/// </summary>
public sealed class FundTimeline(GrantDbContext db)
{
    public async Task<List<QuarterMoney>> QuartersAsync(int fundId, DateTime now, CancellationToken ct = default)
    {
        // Only two columns of each grant and payment are read; the quarters are UK-time ones, which SQL cannot group by on both engines.
        var awards = await db.Grants.AsNoTracking().Where(g => g.FundId == fundId).Select(g => new { At = g.AwardedAt, g.Amount }).ToListAsync(ct);
        var payments = await db.Set<Instalment>().AsNoTracking()
            .Where(i => i.Status == InstalmentStatus.Paid && i.PaidAt != null && db.Grants.Any(g => g.Id == i.GrantId && g.FundId == fundId))
            .Select(i => new { At = i.PaidAt!.Value, i.Amount }).ToListAsync(ct);
        if (awards.Count == 0 && payments.Count == 0) return [];

        var committed = awards.GroupBy(a => QuarterOf(a.At)).ToDictionary(g => g.Key, g => (Count: g.Count(), Amount: g.Sum(x => x.Amount)));
        var paid = payments.GroupBy(p => QuarterOf(p.At)).ToDictionary(g => g.Key, g => (Count: g.Count(), Amount: g.Sum(x => x.Amount)));
        var first = committed.Keys.Concat(paid.Keys).Min();
        var last = new[] { QuarterOf(now), committed.Keys.Concat(paid.Keys).Max() }.Max();
        var quarters = new List<QuarterMoney>();
        decimal committedToDate = 0, paidToDate = 0;
        for (var q = first; q <= last; q = q.AddMonths(3))
        {
            var c = committed.GetValueOrDefault(q);
            var p = paid.GetValueOrDefault(q);
            committedToDate += c.Amount;
            paidToDate += p.Amount;
            quarters.Add(new QuarterMoney(q, q.AddMonths(3).AddDays(-1), c.Count, c.Amount, committedToDate, p.Count, p.Amount, paidToDate));
        }
        return quarters;
    }

    /// <summary>The first day of the calendar quarter a moment falls in, in UK time.</summary>
    public static DateOnly QuarterOf(DateTime utc)
    {
        var day = UkTime.DayOf(utc);
        return new DateOnly(day.Year, (day.Month - 1) / 3 * 3 + 1, 1);
    }
}
