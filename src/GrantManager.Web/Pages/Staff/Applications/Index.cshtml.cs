using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using GrantManager.Web.Registers;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Web.Pages.Staff.Applications;

/// <summary>The applications register: search, filters, sort and pages, all in the address.</summary>
public sealed class IndexModel(GrantDbContext db, ApplicationRegister register, WorkflowActors actors, WorkflowRegistry registry, Core.Places.Districts districts) : PageModel
{
    public RegisterFilter Filter { get; private set; } = new();
    public RegisterPage Result { get; private set; } = new([], 0, 1, ApplicationRegister.PageSize, new Dictionary<string, int>());
    public List<(int Id, string Name)> Funds { get; private set; } = [];
    public List<(int Id, string Name)> Rounds { get; private set; } = [];
    public List<(string Value, string Text)> Stages { get; private set; } = [];
    public List<(string Id, string Name)> People { get; private set; } = [];
    public IEnumerable<string> DistrictNames => districts.Names;
    /// <summary>Grant officers tick rows to act on several applications at once.</summary>
    public bool MayActOnSeveral { get; private set; }
    /// <summary>Raw text of the filter fields, so a value that could not be read is shown back as typed.</summary>
    public string? Raw(string name) => Request.Query[name].ToString() is { Length: > 0 } v ? v : null;

    public string PageUrl(int page) => RegisterQuery.Url("/Staff/Applications", Filter, ("pageNumber", page == 1 ? null : page.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    public string SortUrl(string column) => RegisterQuery.Url("/Staff/Applications", Filter with
    {
        Sort = column, Descending = (Filter.Sort ?? "submitted") == column ? !(Filter.Descending ?? column == "submitted") : column == "submitted",
    });
    public string? AriaSort(string column) => (Filter.Sort ?? "submitted") != column ? "none" : (Filter.Descending ?? column == "submitted") ? "descending" : "ascending";
    public string StatusUrl(string? status) => RegisterQuery.Url("/Staff/Applications", Filter with { Status = status });

    /// <summary>This list, filtered and sorted as shown, as a download.</summary>
    public string ExportUrl(string handler) => RegisterQuery.Url("/Staff/Applications", Filter, ("handler", handler));

    /// <summary>The register exactly as filtered, every page of it, as CSV.</summary>
    public async Task<IActionResult> OnGetCsvAsync(CancellationToken ct)
    {
        var actor = await actors.ForAsync(User);
        if (!ApplicationRegister.SeesEveryOrganisation(actor)) return Forbid();
        var (filter, errors) = RegisterQuery.Read(Request.Query);
        if (errors.Count > 0) return await OnGetAsync();
        Response.ContentType = "text/csv; charset=utf-8";
        Response.Headers.ContentDisposition = "attachment; filename=\"applications.csv\"";
        await Core.Applications.RegisterExport.WriteCsvAsync(register.AllAsync(actor, filter, ct), Response.Body, ct);
        return new EmptyResult();
    }

    /// <summary>The register exactly as filtered as an Excel workbook, amounts as numbers.</summary>
    public async Task<IActionResult> OnGetXlsxAsync(CancellationToken ct)
    {
        var actor = await actors.ForAsync(User);
        if (!ApplicationRegister.SeesEveryOrganisation(actor)) return Forbid();
        var (filter, errors) = RegisterQuery.Read(Request.Query);
        if (errors.Count > 0) return await OnGetAsync();
        await Api.SpreadsheetResponse.SendAsync(HttpContext, "applications.xlsx",
            (file, token) => Core.Applications.RegisterExport.WriteXlsxAsync(register.AllAsync(actor, filter, token), file, token), ct);
        return new EmptyResult();
    }

    public async Task<IActionResult> OnGetAsync()
    {
        var actor = await actors.ForAsync(User);
        if (!ApplicationRegister.SeesEveryOrganisation(actor)) return Forbid();
        var (filter, errors) = RegisterQuery.Read(Request.Query);
        MayActOnSeveral = BulkActions.MayAct(actor);
        Funds = (await db.Funds.AsNoTracking().OrderBy(f => f.Name).Select(f => new { f.Id, f.Name }).ToListAsync()).Select(f => (f.Id, f.Name)).ToList();
        if (filter.FundId is int fund && Funds.All(f => f.Id != fund)) filter = Unknown(filter with { FundId = null }, errors, "fundId", "Fund");
        Rounds = (await db.Rounds.AsNoTracking().Where(r => filter.FundId == null || r.FundId == filter.FundId).OrderByDescending(r => r.OpensAt)
            .Select(r => new { r.Id, r.Name }).ToListAsync()).Select(r => (r.Id, r.Name)).ToList();
        if (filter.RoundId is int round && Rounds.All(r => r.Id != round))
            filter = Unknown(filter with { RoundId = null }, errors, "roundId", filter.FundId is null ? "Round" : "Round (of the fund chosen)");
        var workflows = await db.Funds.AsNoTracking().Select(f => f.WorkflowId).Distinct().ToListAsync();
        Stages = registry.Newest.Where(d => workflows.Contains(d.Id)).SelectMany(d => d.States.Select(s => (s.Key, s.Value.Title ?? s.Key)))
            .DistinctBy(s => s.Key).ToList();
        // A stage of an earlier version of a workflow (a case still on it, linked from the dashboard) is a stage too.
        if (filter.Stage is { } stage && !registry.All.Any(d => workflows.Contains(d.Id) && d.States.ContainsKey(stage)))
            filter = Unknown(filter with { Stage = null }, errors, "stage", "Stage");
        if (filter.District is { } district && !DistrictNames.Contains(district, StringComparer.Ordinal))
            filter = Unknown(filter with { District = null }, errors, "district", "District");
        People = (await (from u in db.Users join ur in db.UserRoles on u.Id equals ur.UserId join r in db.Roles on ur.RoleId equals r.Id
                         where r.Name != Roles.Applicant select new { u.Id, u.DisplayName }).Distinct().ToListAsync())
            .OrderBy(p => p.DisplayName).Select(p => (p.Id, p.DisplayName)).ToList();
        if (filter.AssignedTo is { } person && People.All(p => p.Id != person))
            filter = Unknown(filter with { AssignedTo = null }, errors, "assignedTo", "Task taken by");
        Filter = filter;
        foreach (var (key, messages) in errors)
            foreach (var message in messages) ModelState.AddModelError(key, message);
        Result = await Shared.PageNumber.LoadAsync(ModelState, Request.Query, page => register.PageAsync(actor, filter, page), r => r.Pages);
        return Page();
    }

    /// <summary>A filter naming something there is no such one of (an old or mistyped address) is named, and the list shown without it.</summary>
    private static RegisterFilter Unknown(RegisterFilter without, Dictionary<string, string[]> errors, string name, string label)
    {
        errors[name] = [$"{label} must be chosen from the list"];
        return without;
    }
}
