using System.Text;
using GrantManager.Core.Grants;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;

namespace GrantManager.Web.Pages.Staff.Funds;

/// <summary>The quarterly highlight report: a printable page and the same figures as CSV.</summary>
public sealed class QuarterlyModel(FundReports reports, WorkflowActors actors, TimeProvider time) : FundReportPage(actors)
{
    /// <summary>Any day in the quarter, as yyyy-MM-dd, or the quarter itself, as 2026-Q2; this quarter when not given.</summary>
    [BindProperty(SupportsGet = true)] public string? Quarter { get; set; }
    public QuarterReport Report { get; private set; } = null!;
    /// <summary>Whether any proxy valuing the quarter is a shipped placeholder.</summary>
    public bool Illustrative => Report.Outcomes.Any(o => o.Proxy?.Illustrative == true);
    public string? QuarterError { get; private set; }
    /// <summary>How many lines of each list the page shows; the CSV has them all.</summary>
    public const int Listed = 20;

    /// <summary>The grants register filtered to the fund's grants awarded in the quarter.</summary>
    public string AwardsInRegister => GrantManager.Web.Registers.RegisterQuery.Url("/Staff/Grants",
        new GrantFilter { FundId = Report.Fund.Id, AwardedFrom = Report.From, AwardedTo = Report.To, Sort = "awarded", Descending = false });

    public string CsvUrl => $"/Staff/Funds/{Report.Fund.Id}/Quarterly?handler=Csv&quarter={Report.From:yyyy-MM-dd}";

    public async Task<IActionResult> OnGetAsync(int id)
    {
        if (!await MaySeeAsync()) return Forbid();
        var (chosen, problem) = ChosenDay();
        if (chosen is not DateOnly day)
        {
            QuarterError = problem;
            ModelState.AddModelError(nameof(Quarter), problem!);
            day = Today;
        }
        var report = await reports.QuarterAsync(id, day, Listed);
        if (report is null) return NotFound();
        Report = report;
        return Page();
    }

    public async Task<IActionResult> OnGetCsvAsync(int id)
    {
        if (!await MaySeeAsync()) return Forbid();
        var (chosen, problem) = ChosenDay();
        if (chosen is not DateOnly day)
            return new ObjectResult(new ValidationProblemDetails(new Dictionary<string, string[]> { ["quarter"] = [problem!] }) { Status = StatusCodes.Status400BadRequest })
            {
                StatusCode = StatusCodes.Status400BadRequest, ContentTypes = { "application/problem+json" },
            };
        var report = await reports.QuarterAsync(id, day);
        if (report is null) return NotFound();
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(FundReports.Csv(report))).ToArray();
        return File(bytes, "text/csv; charset=utf-8", $"{report.Fund.Code}-{report.From:yyyy-MM-dd}-quarterly.csv");
    }

    private DateOnly Today => Core.Configuration.UkTime.DayOf(time.GetUtcNow().UtcDateTime);

    /// <summary>The first reportable quarter: years before it are typing mistakes.</summary>
    public const int FirstYear = 2000;

    /// <summary>
    /// The day asked for (today when none was), or why it cannot be: not a date or a quarter, a quarter that is not 1 to 4,
    /// or a quarter before <see cref="FirstYear"/> or not yet begun (there is nothing to report).
    /// </summary>
    private (DateOnly? Day, string? Problem) ChosenDay()
    {
        if (string.IsNullOrEmpty(Quarter)) return (Today, null);
        const string choose = "Choose the quarter from the list";
        DateOnly day;
        var text = Quarter.Trim();
        if (text.Length == 7 && (text[4] is '-') && (text[5] is 'Q' or 'q') && int.TryParse(text.AsSpan(0, 4), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var year)
            && char.IsAsciiDigit(text[6]))
        {
            var number = text[6] - '0';
            if (number is < 1 or > 4) return (null, $"There is no quarter {number}: a year has quarters 1 to 4. {choose}");
            day = new DateOnly(Math.Max(year, 1), (number - 1) * 3 + 1, 1);
        }
        else if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out day))
            return (null, $"The quarter must be a date, like 2026-06-30, or a quarter, like 2026-Q2. {choose}");
        var current = new DateOnly(Today.Year, (Today.Month - 1) / 3 * 3 + 1, 1);
        if (day.Year < FirstYear || day >= current.AddMonths(3))
            return (null, string.Create(Formats.EnGb, $"The quarter must be from January {FirstYear} to this quarter, {current:MMMM yyyy} to {current.AddMonths(2):MMMM yyyy}. {choose}"));
        return (day, null);
    }

    /// <summary>The last eight quarters, newest first, for the picker.</summary>
    public IEnumerable<(string Value, string Text)> Quarters()
    {
        var today = Core.Configuration.UkTime.DayOf(time.GetUtcNow().UtcDateTime);
        var start = new DateOnly(today.Year, (today.Month - 1) / 3 * 3 + 1, 1);
        for (var i = 0; i < 8; i++)
        {
            var from = start.AddMonths(-3 * i);
            yield return (from.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), string.Create(Formats.EnGb, $"{from:MMMM yyyy} to {from.AddMonths(3).AddDays(-1):MMMM yyyy}"));
        }
    }
}
