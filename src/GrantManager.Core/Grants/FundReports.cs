using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using GrantManager.Core.Funds;
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
public sealed record QuarterReport(Fund Fund, DateOnly From, DateOnly To, List<AwardLine> Awards, List<PaymentLine> Payments,
    List<ReturnLine> Returns, List<MeasureProgress> Outcomes, decimal SocialValue, List<string> CaseStudies)
{
    public string Title => $"{Fund.Name}: quarter {From:d MMMM yyyy} to {To:d MMMM yyyy}";
    public decimal AwardedTotal => Awards.Sum(a => a.Amount);
    public decimal Spend => Payments.Sum(p => p.Amount);
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
        var grants = await db.Grants.AsNoTracking().Include(g => g.Instalments).Include(g => g.Targets).Where(g => g.FundId == fundId).ToListAsync(ct);
        var ids = grants.Select(g => g.ApplicationId).ToList();
        var districts = await db.Applications.AsNoTracking().Where(a => a.FundId == fundId && ids.Contains(a.Id))
            .Select(a => new { a.Id, a.Districts }).ToDictionaryAsync(a => a.Id, a => a.Districts, ct);
        // A grant serving several districts counts in each, its money shared equally among them.
        var byDistrict = grants.SelectMany(g =>
            {
                var list = districts.GetValueOrDefault(g.ApplicationId, "").Split('|', StringSplitOptions.RemoveEmptyEntries);
                if (list.Length == 0) list = ["Not stated"];
                return list.Select(d => (District: d, Amount: decimal.Round(g.Amount / list.Length, 2)));
            })
            .GroupBy(x => x.District).Select(x => new DistrictAwards(x.Key, x.Count(), x.Sum(y => y.Amount)))
            .OrderByDescending(d => d.Amount).ThenBy(d => d.District).ToList();

        var returns = await ReturnsOfFund(fundId).Select(r => r.Status).ToListAsync(ct);
        var open = returns.Count(r => r is ReturnStatus.Due or ReturnStatus.ChangesRequested);
        // The most overdue few are listed; all are counted (the dashboard links the grants register's late filter).
        var (late, lateTotal) = await LateReturnsAsync(now, fundId, LateListed, ct);

        var actuals = await LatestActualsAsync(fundId, null, ct);
        var book = await proxies.BookAsync(ct);
        var measures = Progress(fund, book, UkTime.DayOf(now), grants.SelectMany(g => g.Targets), actuals.Values.SelectMany(a => a));
        return new FundDashboard(fund, grants.Sum(g => g.Amount), grants.SelectMany(g => g.Instalments).Where(i => i.Status == InstalmentStatus.Paid).Sum(i => i.Amount),
            grants.Count, grants.Count(g => g.Status == GrantStatus.Active), byDistrict,
            open - lateTotal, lateTotal, returns.Count(r => r == ReturnStatus.Submitted), late, measures,
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

    /// <summary>The quarter containing a day: awards made, payments, returns received, outcomes and social value reported in it.</summary>
    public async Task<QuarterReport?> QuarterAsync(int fundId, DateOnly anyDay, CancellationToken ct = default)
    {
        var fund = await db.Funds.AsNoTracking().Include(f => f.Measures).SingleOrDefaultAsync(f => f.Id == fundId, ct);
        if (fund is null) return null;
        var from = new DateOnly(anyDay.Year, (anyDay.Month - 1) / 3 * 3 + 1, 1);
        var to = from.AddMonths(3).AddDays(-1);
        var (start, end) = (UkTime.StartOfDay(from), UkTime.StartOfDay(to.AddDays(1)));

        var grants = await db.Grants.AsNoTracking().Where(g => g.FundId == fundId).ToListAsync(ct);
        var organisations = await OrganisationNamesAsync(grants.Select(g => g.OrganisationId), ct);
        var byId = grants.ToDictionary(g => g.Id);
        var awarded = grants.Where(g => g.AwardedAt >= start && g.AwardedAt < end).ToList();
        var applicationIds = awarded.Select(g => g.ApplicationId).ToList();
        var applications = await db.Applications.AsNoTracking().Where(a => applicationIds.Contains(a.Id))
            .Select(a => new { a.Id, a.ProjectTitle, a.Districts }).ToDictionaryAsync(a => a.Id, ct);
        var awards = awarded.OrderBy(g => g.AwardedAt).Select(g => new AwardLine(g.Reference, organisations.GetValueOrDefault(g.OrganisationId, ""),
            applications.GetValueOrDefault(g.ApplicationId)?.ProjectTitle ?? "", g.Amount, g.AwardedAt,
            string.Join(", ", (applications.GetValueOrDefault(g.ApplicationId)?.Districts ?? "").Split('|', StringSplitOptions.RemoveEmptyEntries)))).ToList();

        var grantIds = byId.Keys.ToList();
        var payments = (await db.Set<Instalment>().AsNoTracking()
                .Where(i => grantIds.Contains(i.GrantId) && i.Status == InstalmentStatus.Paid && i.PaidAt >= start && i.PaidAt < end).ToListAsync(ct))
            .OrderBy(i => i.PaidAt).Select(i => new PaymentLine(byId[i.GrantId].Reference, organisations.GetValueOrDefault(byId[i.GrantId].OrganisationId, ""),
                i.Sequence, i.Amount, i.PaidAt!.Value, i.PaymentReference)).ToList();
        var received = await ReturnsOfFund(fundId).Where(r => r.SubmittedAt >= start && r.SubmittedAt < end)
            .Select(r => new { r.GrantId, r.Period, r.SubmittedAt, r.Status, r.BeneficiariesReached, r.CaseStudy, r.AcceptedAt }).ToListAsync(ct);
        var returns = received.OrderBy(r => r.SubmittedAt).Select(r => new ReturnLine(byId[r.GrantId].Reference,
            organisations.GetValueOrDefault(byId[r.GrantId].OrganisationId, ""), r.Period, r.SubmittedAt!.Value,
            r.Status == ReturnStatus.ChangesRequested ? "Changes requested" : r.Status.ToString(), r.BeneficiariesReached)).ToList();

        // Returns report figures to date, so the quarter's outcomes are the growth in the accepted figures over it.
        var atEnd = await LatestActualsAsync(fundId, end, ct);
        var atStart = await LatestActualsAsync(fundId, start, ct);
        var growth = atEnd.SelectMany(g => g.Value.Select(a => new ReturnActual
        {
            MeasureCode = a.MeasureCode, Target = 0,
            Actual = (a.Actual ?? 0) - (atStart.GetValueOrDefault(g.Key)?.FirstOrDefault(s => s.MeasureCode == a.MeasureCode)?.Actual ?? 0),
        }));
        var outcomes = Progress(fund, await proxies.BookAsync(ct), to, [], growth);
        var caseStudies = received.Where(r => r.AcceptedAt is not null && !string.IsNullOrWhiteSpace(r.CaseStudy)).Select(r => r.CaseStudy!).ToList();
        return new QuarterReport(fund, from, to, awards, payments, returns, outcomes, outcomes.Sum(o => o.ValueAchieved), caseStudies);
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

    private async Task<Dictionary<int, string>> OrganisationNamesAsync(IEnumerable<int> ids, CancellationToken ct)
    {
        var list = ids.Distinct().ToList();
        return await db.Organisations.AsNoTracking().Where(o => list.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Name, ct);
    }

    /// <summary>Each grant's figures to date from its latest accepted return (accepted before a moment, if given).</summary>
    private async Task<Dictionary<int, List<ReturnActual>>> LatestActualsAsync(int fundId, DateTime? before, CancellationToken ct)
    {
        var accepted = await ReturnsOfFund(fundId).Include(r => r.Actuals)
            .Where(r => r.AcceptedAt != null && (before == null || r.AcceptedAt < before)).ToListAsync(ct);
        return accepted.GroupBy(r => r.GrantId).ToDictionary(g => g.Key, g => g.OrderByDescending(r => r.AcceptedAt).ThenByDescending(r => r.Sequence).First().Actuals);
    }

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
