using System.Security.Claims;
using System.Text;
using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using GrantManager.Core.SocialValue;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace GrantManager.Web.Pages.Staff.Funds;

/// <summary>
/// A fund's social value report for the council's periodic social value reporting: committed against achieved,
/// by measure, district, grant and quarter, printable and as CSV. It is the grants team's return, so grant
/// officers and administrators see it; panel members and finance officers see the dashboard's summary only.
/// </summary>
public sealed class SocialValueModel(SocialValueReports reports, TimeProvider time) : PageModel
{
    /// <summary>The day the report is for, as yyyy-MM-dd; today when not given.</summary>
    [BindProperty(SupportsGet = true)] public string? AsAt { get; set; }
    public SocialValueReport Report { get; private set; } = null!;
    public string? AsAtError { get; private set; }

    public static bool MaySee(ClaimsPrincipal user) => user.IsInRole(Roles.GrantOfficer) || user.IsInRole(Roles.Administrator);

    private DateOnly Today => UkTime.DayOf(time.GetUtcNow().UtcDateTime);

    public async Task<IActionResult> OnGetAsync(int id)
    {
        if (!MaySee(User)) return Forbid();
        if (ChosenDay() is not DateOnly day)
        {
            AsAtError = "Choose the day from the list";
            day = Today;
        }
        var report = await reports.ForFundAsync(id, day);
        if (report is null) return NotFound();
        Report = report;
        return Page();
    }

    public async Task<IActionResult> OnGetCsvAsync(int id)
    {
        if (!MaySee(User)) return Forbid();
        if (ChosenDay() is not DateOnly day) return BadRequest("Choose the day as a date from 2000 to today, like 2027-06-30");
        var report = await reports.ForFundAsync(id, day);
        if (report is null) return NotFound();
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(SocialValueReports.Csv(report))).ToArray();
        return File(bytes, "text/csv; charset=utf-8", $"{report.Fund.Code}-social-value-{report.AsAt:yyyy-MM-dd}.csv");
    }

    /// <summary>The day asked for, today when none was; null when it is not a date from 2000 to today.</summary>
    private DateOnly? ChosenDay() =>
        string.IsNullOrEmpty(AsAt) ? Today
        : DateOnly.TryParseExact(AsAt, "yyyy-MM-dd", out var day) && day.Year >= 2000 && day <= Today ? day : null;

    /// <summary>Today and the last eight quarter ends, for the picker.</summary>
    public IEnumerable<(string Value, string Text)> Days()
    {
        yield return (Today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), $"Today, {Today.ToString("d MMMM yyyy", Formats.EnGb)}");
        var end = new DateOnly(Today.Year, (Today.Month - 1) / 3 * 3 + 1, 1).AddDays(-1);
        for (var i = 0; i < 8; i++, end = end.AddDays(1).AddMonths(-3).AddDays(-1))
            yield return (end.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), $"End of the quarter to {end.ToString("d MMMM yyyy", Formats.EnGb)}");
    }
}
