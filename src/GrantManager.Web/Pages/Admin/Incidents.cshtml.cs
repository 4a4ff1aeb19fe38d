using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GrantManager.Web.Pages.Admin;

public sealed class IncidentsModel(GrantDbContext db, TimeProvider time, IOptions<WorkflowOptions> options) : PageModel
{
    public List<WorkflowIncident> Incidents { get; private set; } = [];
    public int MaxAttempts => options.Value.TimerMaxAttempts;

    public async Task OnGetAsync() =>
        Incidents = await db.WorkflowIncidents.AsNoTracking().Where(i => i.ResolvedAt == null).OrderByDescending(i => i.Id).ToListAsync();

    public async Task<IActionResult> OnPostRetryAsync(long id)
    {
        TempData["Success"] = await TimerProcessor.RetryIncidentAsync(db, id, User.Identity?.Name ?? "administrator", time.GetUtcNow().UtcDateTime)
            ? "The timer will be tried again within a few seconds"
            : "That incident was already resolved";
        return RedirectToPage();
    }
}
