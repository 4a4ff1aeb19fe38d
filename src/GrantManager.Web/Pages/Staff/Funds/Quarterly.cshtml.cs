using System.Text;
using GrantManager.Core.Grants;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;

namespace GrantManager.Web.Pages.Staff.Funds;

/// <summary>The quarterly highlight report: a printable page and the same figures as CSV.</summary>
public sealed class QuarterlyModel(FundReports reports, WorkflowActors actors, TimeProvider time) : FundReportPage(actors)
{
    /// <summary>Any day in the quarter, as yyyy-MM-dd; this quarter when not given.</summary>
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
        if (ChosenDay() is not DateOnly day)
        {
            QuarterError = "Choose the quarter from the list";
            day = Core.Configuration.UkTime.DayOf(time.GetUtcNow().UtcDateTime);
        }
        var report = await reports.QuarterAsync(id, day, Listed);
        if (report is null) return NotFound();
        Report = report;
        return Page();
    }

    public async Task<IActionResult> OnGetCsvAsync(int id)
    {
        if (!await MaySeeAsync()) return Forbid();
        if (ChosenDay() is not DateOnly day) return BadRequest("Choose the quarter as a date from 2000 to 2100, like 2027-06-30");
        var report = await reports.QuarterAsync(id, day);
        if (report is null) return NotFound();
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(FundReports.Csv(report))).ToArray();
        return File(bytes, "text/csv; charset=utf-8", $"{report.Fund.Code}-{report.From:yyyy-MM-dd}-quarterly.csv");
    }

    /// <summary>The day asked for, today when none was; null when what was asked for is not a date.</summary>
    private DateOnly? ChosenDay() =>
        string.IsNullOrEmpty(Quarter) ? Core.Configuration.UkTime.DayOf(time.GetUtcNow().UtcDateTime)
        // A real quarter of a real grant: years far off are typing mistakes, and the end of year 9999 cannot be reached in UTC.
        : DateOnly.TryParseExact(Quarter, "yyyy-MM-dd", out var day) && day.Year is >= 2000 and <= 2100 ? day : null;

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
