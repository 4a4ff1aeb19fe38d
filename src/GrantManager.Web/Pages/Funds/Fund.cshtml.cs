using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using GrantManager.Core.Funds;
using GrantManager.Core.Workflows;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GrantManager.Web.Pages.Funds;

/// <summary>
/// A fund's public page, for anyone before they sign in: what it funds, who can apply, how much,
/// the dates of the current or next round, how applications are judged and decided, and whom to ask.
/// Only funds with a round are shown; nothing about applications or people is.
/// </summary>
[AllowAnonymous]
public sealed class FundModel(GrantDbContext db, TimeProvider time, WorkflowRegistry registry, IOptions<CouncilOptions> council) : PageModel
{
    public Fund Fund { get; private set; } = null!;
    /// <summary>The round open now, else the next one to open, else the last one that closed.</summary>
    public Round? Round { get; private set; }
    public bool IsOpen { get; private set; }
    public bool IsUpcoming { get; private set; }
    public int Assessors { get; private set; }
    public List<DecisionRoutes.Route> Decisions { get; private set; } = [];
    public string ContactEmail => council.Value.ContactEmail;
    public string Council => council.Value.Name;

    public async Task<IActionResult> OnGetAsync(string code)
    {
        var upper = code.ToUpperInvariant();
        var fund = await db.Funds.AsNoTracking().Include(f => f.Rounds).Include(f => f.Criteria).Include(f => f.Measures)
            .SingleOrDefaultAsync(f => f.Code == upper);
        if (fund is null || fund.Rounds.Count == 0) return NotFound();
        Fund = fund;
        var now = time.GetUtcNow().UtcDateTime;
        Round = fund.Rounds.Where(r => r.IsOpenAt(now)).OrderBy(r => r.ClosesAt).FirstOrDefault();
        IsOpen = Round is not null;
        if (Round is null)
        {
            Round = fund.Rounds.Where(r => r.OpensAt > now).OrderBy(r => r.OpensAt).FirstOrDefault();
            IsUpcoming = Round is not null;
        }
        Round ??= fund.Rounds.OrderByDescending(r => r.ClosesAt).First();
        if (registry.Find(fund.WorkflowId) is { } definition)
        {
            Assessors = DecisionRoutes.Assessors(definition);
            Decisions = DecisionRoutes.Decisions(definition);
        }
        return Page();
    }

    /// <summary>The last day to apply, as every page and email says it: "11:59pm on 28 February 2027".</summary>
    public static string LastDay(DateTime closesAt) => Core.Funds.Round.DeadlineText(closesAt);
}
