using GrantManager.Core.Data;
using GrantManager.Core.Email;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Web.Pages.Admin;

/// <summary>
/// Email that could not be delivered (dead letters), for an administrator to send again once the cause
/// is put right: all of it, or what one template or one error left behind (a relay that refused the
/// sender, say). Each retry is logged with who did it and what it covered.
/// </summary>
public sealed class EmailsModel(GrantDbContext db, TimeProvider time, ILogger<EmailsModel> logger) : PageModel
{
    public const int Shown = 50;

    [BindProperty(SupportsGet = true)] public string? Template { get; set; }
    [BindProperty(SupportsGet = true)] public string? Error { get; set; }

    public List<OutboxEmail> DeadLetters { get; private set; } = [];
    public int Matching { get; private set; }
    public int Total { get; private set; }
    public List<string> Templates { get; private set; } = [];

    private DeadLetterFilter Filter => new(Template, Error);

    public async Task OnGetAsync()
    {
        var query = Core.Email.DeadLetters.Matching(db, Filter);
        Matching = await query.CountAsync();
        DeadLetters = await query.AsNoTracking().OrderByDescending(m => m.CreatedAt).Take(Shown).ToListAsync();
        Total = await Core.Email.DeadLetters.Matching(db, new()).CountAsync();
        Templates = await Core.Email.DeadLetters.Matching(db, new()).Select(m => m.Template).Distinct().OrderBy(t => t).ToListAsync();
    }

    public async Task<IActionResult> OnPostRetryAsync()
    {
        var filter = Filter;
        var count = await Core.Email.DeadLetters.RequeueAsync(Core.Email.DeadLetters.Matching(db, filter), time.GetUtcNow().UtcDateTime);
        logger.LogWarning("{Administrator} put {Count} undelivered emails back in the queue ({Filter})", User.Identity?.Name ?? "an administrator", count, filter);
        TempData["Success"] = count switch
        {
            0 => "There were no undelivered emails matching that to send again",
            1 => "1 email will be sent again within a few seconds",
            _ => $"{count:N0} emails will be sent again within a few seconds",
        };
        return RedirectToPage();
    }
}
