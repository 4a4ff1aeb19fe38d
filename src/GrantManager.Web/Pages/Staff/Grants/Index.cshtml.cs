using GrantManager.Core.Data;
using GrantManager.Core.Grants;
using GrantManager.Core.Monitoring;
using GrantManager.Web.Registers;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Web.Pages.Staff.Grants;

/// <summary>The grants register: search, filters, sort and pages in the address, like the applications register.</summary>
public sealed class IndexModel(GrantDbContext db, GrantRegister register, WorkflowActors actors, Core.Places.Districts districts) : PageModel
{
    public GrantFilter Filter { get; private set; } = new();
    public GrantPage Result { get; private set; } = new([], 0, 1, GrantRegister.PageSize, new Dictionary<string, int>());
    public List<(int Id, string Name)> Funds { get; private set; } = [];
    public IEnumerable<string> DistrictNames => districts.Names;
    public string? Raw(string name) => Request.Query[name].ToString() is { Length: > 0 } v ? v : null;

    public string PageUrl(int page) => RegisterQuery.Url("/Staff/Grants", Filter, ("pageNumber", page == 1 ? null : page.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    public string SortUrl(string column) => RegisterQuery.Url("/Staff/Grants", Filter with
    {
        Sort = column, Descending = (Filter.Sort ?? "awarded") == column ? !(Filter.Descending ?? column == "awarded") : column == "awarded",
    });
    public string AriaSort(string column) => (Filter.Sort ?? "awarded") != column ? "none" : (Filter.Descending ?? column == "awarded") ? "descending" : "ascending";
    public string StatusUrl(string status) => RegisterQuery.Url("/Staff/Grants", Filter with { Status = status });

    /// <summary>This list, filtered and sorted as shown, as a download.</summary>
    public string ExportUrl(string handler) => RegisterQuery.Url("/Staff/Grants", Filter, ("handler", handler));

    /// <summary>The register exactly as filtered, every page of it, as CSV.</summary>
    public async Task<IActionResult> OnGetCsvAsync(CancellationToken ct)
    {
        var actor = await actors.ForAsync(User);
        if (!ReturnService.SeesAllGrants(actor)) return Forbid();
        var (filter, errors) = RegisterQuery.ReadGrants(Request.Query);
        if (errors.Count > 0) return await OnGetAsync();
        Response.ContentType = "text/csv; charset=utf-8";
        Response.Headers.ContentDisposition = "attachment; filename=\"grants.csv\"";
        await Core.Applications.RegisterExport.WriteCsvAsync(register.AllAsync(actor, filter, ct), GrantRegister.ExportColumns, GrantRegister.ExportCells, Response.Body, ct);
        return new EmptyResult();
    }

    /// <summary>The register exactly as filtered as an Excel workbook, amounts as numbers.</summary>
    public async Task<IActionResult> OnGetXlsxAsync(CancellationToken ct)
    {
        var actor = await actors.ForAsync(User);
        if (!ReturnService.SeesAllGrants(actor)) return Forbid();
        var (filter, errors) = RegisterQuery.ReadGrants(Request.Query);
        if (errors.Count > 0) return await OnGetAsync();
        await Api.SpreadsheetResponse.SendAsync(HttpContext, "grants.xlsx", (file, token) => Core.Applications.RegisterExport.WriteXlsxAsync(
            register.AllAsync(actor, filter, token), "Grants", GrantRegister.ExportColumns, GrantRegister.ExportCells, GrantRegister.ExportValue, file, token), ct);
        return new EmptyResult();
    }

    public async Task<IActionResult> OnGetAsync()
    {
        var actor = await actors.ForAsync(User);
        if (!ReturnService.SeesAllGrants(actor)) return Forbid();
        var (filter, errors) = RegisterQuery.ReadGrants(Request.Query);
        Funds = (await db.Funds.AsNoTracking().OrderBy(f => f.Name).Select(f => new { f.Id, f.Name }).ToListAsync()).Select(f => (f.Id, f.Name)).ToList();
        // A fund or district there is no such one of (an old or mistyped address) is named, and the list shown without it.
        if (filter.FundId is int fund && Funds.All(f => f.Id != fund))
        {
            errors["fundId"] = ["Fund must be chosen from the list"];
            filter = filter with { FundId = null };
        }
        if (filter.District is { } district && !DistrictNames.Contains(district, StringComparer.Ordinal))
        {
            errors["district"] = ["District must be chosen from the list"];
            filter = filter with { District = null };
        }
        Filter = filter;
        foreach (var (key, messages) in errors)
            foreach (var message in messages) ModelState.AddModelError(key, message);
        Result = await Shared.PageNumber.LoadAsync(ModelState, Request.Query, page => register.PageAsync(actor, filter, page), r => r.Pages);
        return Page();
    }
}
