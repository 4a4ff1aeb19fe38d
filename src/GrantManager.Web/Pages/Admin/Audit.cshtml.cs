using GrantManager.Core.Audit;
using GrantManager.Core.Data;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace GrantManager.Web.Pages.Admin;

/// <summary>Every change people made outside the workflows' own history, newest first, for administrators.</summary>
public sealed class AuditModel(GrantDbContext db) : PageModel
{
    public static readonly (string Value, string Text)[] Kinds =
        [("", "Everything"), ("application", "Applications"), ("fund", "Funds and rounds"), ("organisation", "Organisations"), ("user", "Users and roles")];

    [BindProperty(SupportsGet = true)] public string? Kind { get; set; }
    [BindProperty(SupportsGet = true, Name = "pageNumber")] public int PageNumber { get; set; } = 1;
    public List<AuditLine> Lines { get; private set; } = [];
    public int Total { get; private set; }
    public int Pages => Math.Max(1, (Total + AuditTrail.PageSize - 1) / AuditTrail.PageSize);

    public async Task<IActionResult> OnGetAsync()
    {
        if (!Kinds.Any(k => k.Value == (Kind ?? ""))) Kind = null;
        if (PageNumber < 1) PageNumber = 1;
        (Lines, Total) = await AuditTrail.PageAsync(db, Kind, PageNumber);
        if (PageNumber > Pages) return RedirectToPage(new { kind = Kind, pageNumber = Pages });
        return Page();
    }
}
