using GrantManager.Core.Data;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Web.Pages.Staff.Applications;

/// <summary>A case by its reference (an application's, which its grant keeps, or a report's or payment's such as LWK-2027-0001/R2): on to its case file.</summary>
public sealed class ReferenceModel(GrantDbContext db) : PageModel
{
    public async Task<IActionResult> OnGetAsync(string reference)
    {
        var own = reference.Split('/')[0];
        var id = await db.Applications.Where(a => a.Reference == own).Select(a => (int?)a.Id).SingleOrDefaultAsync();
        return id is int found ? Redirect($"/Staff/Applications/{found}") : NotFound();
    }
}
