using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using GrantManager.Core.Funds;
using GrantManager.Core.Monitoring;
using GrantManager.Core.SocialValue;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Grants;

public sealed record MeasureProgress(string Code, string Name, string Unit, decimal Target, decimal Actual, ProxyVersion? Proxy,
    decimal ValueCommitted, decimal ValueAchieved)
{
    public int PercentOfTarget => Target <= 0 ? 0 : (int)Math.Min(999, decimal.Round(Actual * 100 / Target));
}
public sealed record DistrictAwards(string District, int Grants, decimal Amount);
public sealed record LateReturn(int ReturnId, int GrantId, int FundId, string GrantReference, string Organisation, string Period, DateOnly DueOn, int DaysLate, string Status);
public sealed record FundDashboard(Fund Fund, decimal Committed, decimal Paid, int Grants, int ActiveGrants, List<DistrictAwards> ByDistrict,
    int ReturnsDue, int ReturnsOverdue, int ReturnsAwaitingReview, List<LateReturn> Late, List<MeasureProgress> Measures,
    decimal SocialValueCommitted, decimal SocialValueAchieved)
{
    public decimal Uncommitted => Fund.Budget - Committed;
}
public sealed record AwardLine(string Reference, string Organisation, string Project, decimal Amount, DateTime AwardedAt, string Districts);
public sealed record PaymentLine(string Reference, string Organisation, int Number, decimal Amount, DateTime PaidAt, string? PaymentReference);
public sealed record ReturnLine(string Reference, string Organisation, string Period, DateTime SubmittedAt, string Status, int? Beneficiaries);
/// <summary>
/// A quarter's report. The lists hold the first <c>listed</c> lines asked for (every line for the CSV); the counts and
/// totals are always of the whole quarter.
/// </summary>
public sealed record QuarterReport(Fund Fund, DateOnly From, DateOnly To, List<AwardLine> Awards, int AwardCount, decimal AwardedTotal,
    List<PaymentLine> Payments, int PaymentCount, decimal Spend, List<ReturnLine> Returns, int ReturnCount,
    List<MeasureProgress> Outcomes, decimal SocialValue, List<string> CaseStudies, int CaseStudyCount)
{
    public string Title => $"{Fund.Name}: quarter {From:d MMMM yyyy} to {To:d MMMM yyyy}";
}

/// <summary>
/// The fund dashboard and the quarterly highlight report: money, returns, outcomes and social value. Social value is
/// net (after deadweight and attribution), valued with the proxies in force on the report's day (a quarter's last day).
/// </summary>
public sealed class FundReports(GrantDbContext db, SocialValueProxies proxies)
{
    public async Task<FundDashboard?> DashboardAsync(int fundId, DateTime now, CancellationToken ct = default)
    {
        var fund = await db.Funds.AsNoTracking().Include(f => f.Measures).SingleOrDefaultAsync(f => f.Id == fundId, ct);
        if (fund is null) return null;
        // Every figure is added up by the database; only each grant's amount and districts are read, to share the money among its districts.
        var byStatus = await db.Grants.AsNoTracking().Where(g => g.FundId == fundId).GroupBy(g => g.Status)
            .Select(g => new { Status = g.Key, Count = g.Count(), Amount = g.Sum(x => x.Amount) }).ToListAsync(ct);
        var paid = await db.Set<Instalment>().AsNoTracking()
            .Where(i => i.Status == InstalmentStatus.Paid && db.Grants.Any(g => g.Id == i.GrantId && g.FundId == fundId)).SumAsync(i => i.Amount, ct);
        var shares = await (from g in db.Grants.AsNoTracking()
                            where g.FundId == fundId
                            join a in db.Applications.AsNoTracking() on g.ApplicationId equals a.Id
                            select new { g.Amount, a.Districts }).ToListAsync(ct);
        // A grant serving several districts counts in each, its money shared equally among them.
        var byDistrict = shares.SelectMany(g =>
            {
                var list = g.Districts.Split('|', StringSplitOptions.RemoveEmptyEntries);
                if (list.Length == 0) list = ["Not stated"];
                return list.Select(d => (District: d, Amount: decimal.Round(g.Amount / list.Length, 2)));
            })
            .GroupBy(x => x.District).Select(x => new DistrictAwards(x.Key, x.Count(), x.Sum(y => y.Amount)))
            .OrderByDescending(d => d.Amount).ThenBy(d => d.District).ToList();

        // From the fund's grants to their returns (over the fund and grant indexes), not every return checked for its grant's fund.
        var returns = await (from g in db.Grants.AsNoTracking()
                             where g.FundId == fundId
                             join r in db.Set<MonitoringReturn>().AsNoTracking() on g.Id equals r.GrantId
                             group r by r.Status into s
                             select new { Status = s.Key, Count = s.Count() }).ToDictionaryAsync(g => g.Status, g => g.Count, ct);
        var open = returns.GetValueOrDefault(ReturnStatus.Due) + returns.GetValueOrDefault(ReturnStatus.ChangesRequested);
        // The most overdue few are listed; all are counted (the dashboard links the grants register's late filter).
        var (late, lateTotal) = await LateReturnsAsync(now, fundId, LateListed, ct);

        var targets = await db.Set<GrantTarget>().AsNoTracking().Where(t => db.Grants.Any(g => g.Id == t.GrantId && g.FundId == fundId))
            .GroupBy(t => t.MeasureCode).Select(g => new { Code = g.Key, Target = g.Sum(t => t.Target) }).ToListAsync(ct);
        // The figures to date: of each grant, those of its latest accepted return, summed per measure.
        var actuals = (await LatestAcceptedActuals(fundId, null).GroupBy(a => a.MeasureCode).Select(g => new { Code = g.Key, Actual = g.Sum(a => a.Actual ?? 0) })
            .ToListAsync(ct)).Select(t => new ReturnActual { MeasureCode = t.Code, Actual = t.Actual });
        var book = await proxies.BookAsync(ct);
        var measures = Progress(fund, book, UkTime.DayOf(now), targets.Select(t => new GrantTarget { MeasureCode = t.Code, Target = t.Target }), actuals);
        return new FundDashboard(fund, byStatus.Sum(g => g.Amount), paid, byStatus.Sum(g => g.Count), byStatus.Where(g => g.Status == GrantStatus.Active).Sum(g => g.Count),
            byDistrict, open - lateTotal, lateTotal, returns.GetValueOrDefault(ReturnStatus.Submitted), late, measures,
            measures.Sum(m => m.ValueCommitted), measures.Sum(m => m.ValueAchieved));
    }

    /// <summary>How many of the most overdue reports a dashboard or work list lists.</summary>
    public const int LateListed = 10;

    /// <summary>Returns not sent by their last day (or by the new day after changes were asked for), most late first; of one fund, or of all.</summary>
    public async Task<List<LateReturn>> LateReturnsAsync(DateTime now, int? fundId = null, CancellationToken ct = default) =>
        (await LateReturnsAsync(now, fundId, int.MaxValue, ct)).Rows;

    /// <summary>
    /// The <paramref name="take"/> most late returns and how many are late in all, both worked out by the database,
    /// so a work list showing them stays the same size however many grants there are.
    /// </summary>
    public async Task<(List<LateReturn> Rows, int Total)> LateReturnsAsync(DateTime now, int? fundId, int take, CancellationToken ct = default)
    {
        var today = UkTime.DayOf(now);
        var late = from r in db.Set<MonitoringReturn>().AsNoTracking()
                   join g in db.Grants on r.GrantId equals g.Id
                   where (r.Status == ReturnStatus.Due || r.Status == ReturnStatus.ChangesRequested) && (r.ChangesDueOn ?? r.DueOn) < today
                       && (fundId == null || g.FundId == fundId)
                   select new { r, g };
        var total = await late.CountAsync(ct);
        var rows = await (from x in late
                          join o in db.Organisations on x.g.OrganisationId equals o.Id
                          orderby x.r.ChangesDueOn ?? x.r.DueOn, x.r.Id
                          select new { x.r.Id, x.r.GrantId, x.g.FundId, x.g.Reference, o.Name, x.r.Period, x.r.DueOn, x.r.ChangesDueOn, x.r.Status })
            .Take(take).ToListAsync(ct);
        return (rows.Select(r =>
            {
                var due = r.ChangesDueOn ?? r.DueOn;
                return new LateReturn(r.Id, r.GrantId, r.FundId, r.Reference, r.Name, r.Period, due, today.DayNumber - due.DayNumber,
                    r.Status == ReturnStatus.ChangesRequested ? "Changes requested" : "Not sent");
            }).OrderByDescending(r => r.DaysLate).ToList(), total);
    }

    /// <summary>
    /// The quarter containing a day: awards made, payments, returns received, outcomes and social value reported in it.
    /// Counts, totals and outcomes are added up by the database; of each list the first <paramref name="listed"/> lines are read (all when null).
    /// </summary>
    public async Task<QuarterReport?> QuarterAsync(int fundId, DateOnly anyDay, int? listed = null, CancellationToken ct = default)
    {
        var fund = await db.Funds.AsNoTracking().Include(f => f.Measures).SingleOrDefaultAsync(f => f.Id == fundId, ct);
        if (fund is null) return null;
        var from = new DateOnly(anyDay.Year, (anyDay.Month - 1) / 3 * 3 + 1, 1);
        var to = from.AddMonths(3).AddDays(-1);
        var (start, end) = (UkTime.StartOfDay(from), UkTime.StartOfDay(to.AddDays(1)));
        var take = listed ?? int.MaxValue;

        var awarded = db.Grants.AsNoTracking().Where(g => g.FundId == fundId && g.AwardedAt >= start && g.AwardedAt < end);
        var awardTotals = await awarded.GroupBy(g => 1).Select(g => new { Count = g.Count(), Amount = g.Sum(x => x.Amount) }).SingleOrDefaultAsync(ct);
        var awards = (await (from g in awarded
                             join a in db.Applications.AsNoTracking() on g.ApplicationId equals a.Id
                             join o in db.Organisations.AsNoTracking() on g.OrganisationId equals o.Id into orgs
                             from o in orgs.DefaultIfEmpty()
                             orderby g.AwardedAt, g.Id
                             select new { g.Reference, Organisation = o == null ? "" : o.Name, a.ProjectTitle, g.Amount, g.AwardedAt, a.Districts }).Take(take).ToListAsync(ct))
            .Select(g => new AwardLine(g.Reference, g.Organisation, g.ProjectTitle ?? "", g.Amount, g.AwardedAt,
                string.Join(", ", g.Districts.Split('|', StringSplitOptions.RemoveEmptyEntries)))).ToList();

        var paid = from i in db.Set<Instalment>().AsNoTracking()
                   join g in db.Grants.AsNoTracking() on i.GrantId equals g.Id
                   where g.FundId == fundId && i.Status == InstalmentStatus.Paid && i.PaidAt >= start && i.PaidAt < end
                   select new { i, g };
        var paidTotals = await paid.GroupBy(x => 1).Select(g => new { Count = g.Count(), Amount = g.Sum(x => x.i.Amount) }).SingleOrDefaultAsync(ct);
        var payments = (await (from x in paid
                               join o in db.Organisations.AsNoTracking() on x.g.OrganisationId equals o.Id into orgs
                               from o in orgs.DefaultIfEmpty()
                               orderby x.i.PaidAt, x.i.Id
                               select new { x.g.Reference, Organisation = o == null ? "" : o.Name, x.i.Sequence, x.i.Amount, x.i.PaidAt, x.i.PaymentReference }).Take(take).ToListAsync(ct))
            .Select(p => new PaymentLine(p.Reference, p.Organisation, p.Sequence, p.Amount, p.PaidAt!.Value, p.PaymentReference)).ToList();

        var received = from r in db.Set<MonitoringReturn>().AsNoTracking()
                       join g in db.Grants.AsNoTracking() on r.GrantId equals g.Id
                       where g.FundId == fundId && r.SubmittedAt >= start && r.SubmittedAt < end
                       select new { r, g };
        var returnCount = await received.CountAsync(ct);
        var returns = (await (from x in received
                              join o in db.Organisations.AsNoTracking() on x.g.OrganisationId equals o.Id into orgs
                              from o in orgs.DefaultIfEmpty()
                              orderby x.r.SubmittedAt, x.r.Id
                              select new { x.g.Reference, Organisation = o == null ? "" : o.Name, x.r.Period, x.r.SubmittedAt, x.r.Status, x.r.BeneficiariesReached })
                .Take(take).ToListAsync(ct))
            .Select(r => new ReturnLine(r.Reference, r.Organisation, r.Period, r.SubmittedAt!.Value,
                r.Status == ReturnStatus.ChangesRequested ? "Changes requested" : r.Status.ToString(), r.BeneficiariesReached)).ToList();
        var caseStudies = received.Where(x => x.r.AcceptedAt != null && x.r.CaseStudy != null && x.r.CaseStudy.Trim() != "");
        var caseStudyCount = await caseStudies.CountAsync(ct);
        var caseStudyTexts = await caseStudies.OrderBy(x => x.r.SubmittedAt).ThenBy(x => x.r.Id).Select(x => x.r.CaseStudy!).Take(take).ToListAsync(ct);

        // Returns report figures to date, so the quarter's outcomes are the growth in the accepted figures over it: of each grant,
        // each figure of its latest return accepted by the quarter's end less the same figure of its latest accepted by its start.
        var atEnd = LatestAcceptedActuals(fundId, end);
        var atStart = LatestAcceptedActuals(fundId, start);
        var endTotals = await atEnd.GroupBy(a => a.MeasureCode).Select(g => new { Code = g.Key, Actual = g.Sum(a => a.Actual ?? 0) }).ToListAsync(ct);
        var startTotals = await (from s in atStart
                                 where atEnd.Any(e => e.GrantId == s.GrantId && e.MeasureCode == s.MeasureCode)
                                 group s by s.MeasureCode into g
                                 select new { Code = g.Key, Actual = g.Sum(a => a.Actual ?? 0) }).ToDictionaryAsync(g => g.Code, g => g.Actual, ct);
        var growth = endTotals.Select(e => new ReturnActual { MeasureCode = e.Code, Target = 0, Actual = e.Actual - startTotals.GetValueOrDefault(e.Code) });
        var outcomes = Progress(fund, await proxies.BookAsync(ct), to, [], growth);
        return new QuarterReport(fund, from, to, awards, awardTotals?.Count ?? 0, awardTotals?.Amount ?? 0, payments, paidTotals?.Count ?? 0, paidTotals?.Amount ?? 0,
            returns, returnCount, outcomes, outcomes.Sum(o => o.ValueAchieved), caseStudyTexts, caseStudyCount);
    }

    private sealed class GrantActual
    {
        public int GrantId { get; init; }
        public string MeasureCode { get; init; } = "";
        public decimal? Actual { get; init; }
    }

    /// <summary>Of each grant of the fund, the figures of its latest return accepted (before a moment, if given; by when accepted, then by sequence).</summary>
    private IQueryable<GrantActual> LatestAcceptedActuals(int fundId, DateTime? before)
    {
        var returns = db.Set<MonitoringReturn>().AsNoTracking();
        var accepted = before is DateTime b ? ReturnsOfFund(fundId).Where(r => r.AcceptedAt != null && r.AcceptedAt < b) : ReturnsOfFund(fundId).Where(r => r.AcceptedAt != null);
        var others = before is DateTime c ? returns.Where(o => o.AcceptedAt != null && o.AcceptedAt < c) : returns.Where(o => o.AcceptedAt != null);
        return from r in accepted
               where !others.Any(o => o.GrantId == r.GrantId && (o.AcceptedAt > r.AcceptedAt || (o.AcceptedAt == r.AcceptedAt && o.Sequence > r.Sequence)))
               from a in r.Actuals
               select new GrantActual { GrantId = r.GrantId, MeasureCode = a.MeasureCode, Actual = a.Actual };
    }

    public static string Csv(QuarterReport report)
    {
        var s = new System.Text.StringBuilder();
        void Row(params object?[] cells) => s.Append(string.Join(',', cells.Select(Cell))).Append("\r\n");
        Row("Section", "Reference", "Organisation", "Detail", "Amount (£)", "Date");
        foreach (var a in report.Awards) Row("Award", a.Reference, a.Organisation, a.Project, a.Amount, UkDay(a.AwardedAt));
        foreach (var p in report.Payments) Row("Payment", p.Reference, p.Organisation, $"Payment {p.Number} ({p.PaymentReference})", p.Amount, UkDay(p.PaidAt));
        foreach (var r in report.Returns) Row("Return received", r.Reference, r.Organisation, $"{r.Period}: {r.Status}", null, UkDay(r.SubmittedAt));
        foreach (var o in report.Outcomes) Row("Outcome", o.Code, null, $"{o.Actual:0.##} {o.Unit}", o.Proxy is null ? null : o.ValueAchieved, null);
        Row("Total", null, null, "Awarded", report.AwardedTotal, null);
        Row("Total", null, null, "Paid", report.Spend, null);
        Row("Total", null, null, "Social value", report.SocialValue, null);
        return s.ToString();
    }

    private static string Cell(object? value)
    {
        var text = value switch
        {
            null => "",
            decimal d => d.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
        // A cell starting like a formula is quoted with an apostrophe, so a spreadsheet does not run it.
        if (text.Length > 0 && "=+-@\t\r".Contains(text[0]) && value is not decimal) text = "'" + text;
        return text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{text.Replace("\"", "\"\"")}\"" : text;
    }

    private static string UkDay(DateTime utc) => UkTime.DayOf(utc).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private IQueryable<MonitoringReturn> ReturnsOfFund(int fundId) =>
        db.Set<MonitoringReturn>().AsNoTracking().Where(r => db.Grants.Any(g => g.Id == r.GrantId && g.FundId == fundId));

    private static List<MeasureProgress> Progress(Fund fund, ProxyBook book, DateOnly day, IEnumerable<GrantTarget> targets, IEnumerable<ReturnActual> actuals)
    {
        var targetBy = targets.GroupBy(t => t.MeasureCode).ToDictionary(g => g.Key, g => g.Sum(t => t.Target));
        var actualBy = actuals.GroupBy(a => a.MeasureCode).ToDictionary(g => g.Key, g => g.Sum(a => a.Actual ?? 0));
        return fund.Measures.OrderBy(m => m.Order)
            .Where(m => targetBy.ContainsKey(m.Code) || actualBy.ContainsKey(m.Code))
            .Select(m =>
            {
                var target = targetBy.GetValueOrDefault(m.Code);
                var actual = actualBy.GetValueOrDefault(m.Code);
                var proxy = book.InForce(m.Code, day);
                return new MeasureProgress(m.Code, m.Name, m.Unit, target, actual, proxy, proxy?.Value(target).Net ?? 0, proxy?.Value(actual).Net ?? 0);
            }).ToList();
    }
}
