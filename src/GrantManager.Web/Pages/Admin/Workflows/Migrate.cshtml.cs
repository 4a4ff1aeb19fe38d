using GrantManager.Core;
using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Web.Pages.Admin.Workflows;

/// <summary>
/// Moves a version's running cases (all, or those at chosen stages) to another version, each old stage mapped
/// to a new one: a dry run lists per case what would happen, then applying does it, with the reason, one
/// transaction per case.
/// </summary>
public sealed class MigrateModel(WorkflowRegistry registry, WorkflowRuntime runtime, GrantDbContext db, WorkflowActors actors) : PageModel
{
    public sealed record StageCount(string Name, string Title, int Cases);
    public sealed record Result(Guid Id, string? Reference, MigrationOutcome Outcome);

    [BindProperty(SupportsGet = true)] public string Id { get; set; } = "";
    [BindProperty(SupportsGet = true)] public int? From { get; set; }
    [BindProperty(SupportsGet = true)] public int? To { get; set; }
    /// <summary>Only the cases at these stages of the old version; none chosen is every running case.</summary>
    [BindProperty] public List<string> Stages { get; set; } = [];
    /// <summary>Old stage → new stage.</summary>
    [BindProperty] public Dictionary<string, string> Map { get; set; } = new();
    [BindProperty] public string? Reason { get; set; }

    public WorkflowDefinition Newest { get; private set; } = null!;
    public List<WorkflowDefinition> Versions { get; private set; } = [];
    public WorkflowDefinition? Old { get; private set; }
    public WorkflowDefinition? New { get; private set; }
    public List<StageCount> Counts { get; private set; } = [];
    public List<Result>? Results { get; private set; }
    public bool DryRun { get; private set; }

    public static string MapId(string stage) => "map-" + stage;

    public async Task<IActionResult> OnGetAsync()
    {
        if (!await LoadAsync()) return NotFound();
        return Page();
    }

    public Task<IActionResult> OnPostDryRunAsync() => RunAsync(dryRun: true);

    public Task<IActionResult> OnPostAsync() => RunAsync(dryRun: false);

    private async Task<IActionResult> RunAsync(bool dryRun)
    {
        if (!await LoadAsync()) return NotFound();
        ModelState.Clear();
        if (Old is null || New is null) return Page();
        DryRun = dryRun;
        if (!dryRun && string.IsNullOrWhiteSpace(Reason)) ModelState.AddModelError(nameof(Reason), "Give the reason for moving the cases: it is kept in each case's history");
        var chosen = Stages.Where(s => Old.States.ContainsKey(s)).ToList();
        List<Guid>? ids = null;
        if (chosen.Count > 0)
        {
            ids = await db.WorkflowInstances.AsNoTracking()
                .Where(i => i.DefinitionId == Id && i.DefinitionVersion == Old.Version && i.CompletedAt == null && chosen.Contains(i.State))
                .Select(i => i.Id).ToListAsync();
            if (ids.Count == 0) ModelState.AddModelError(nameof(Stages), "No running case is at the stages chosen");
        }
        if (!ModelState.IsValid) return Page();
        // Only the stages in play are mapped; a stage left as it is goes to the stage of the same name.
        var map = Map.Where(m => Old.States.ContainsKey(m.Key) && !string.IsNullOrEmpty(m.Value) && (chosen.Count == 0 || chosen.Contains(m.Key)))
            .ToDictionary(m => m.Key, m => m.Value);
        try
        {
            var outcomes = await runtime.MigrateAsync(new MigrationPlan(Id, Old.Version, New.Version, map, ids, dryRun, Reason), await actors.ForAsync(User));
            var references = await db.WorkflowInstances.AsNoTracking().Where(i => outcomes.Select(o => o.Id).Contains(i.Id))
                .ToDictionaryAsync(i => i.Id, i => i.SubjectReference);
            Results = outcomes.Select(o => new Result(o.Id, references.GetValueOrDefault(o.Id), o)).ToList();
            if (!dryRun)
            {
                TempData["Success"] = $"{Formats.Count(outcomes.Count, "case")} {(outcomes.Count == 1 ? "has" : "have")} been moved to version {New.Version}";
                await LoadAsync();
            }
        }
        catch (InputException e)
        {
            foreach (var (key, messages) in e.Errors)
                foreach (var m in messages)
                    ModelState.AddModelError(key.StartsWith("stateMap.", StringComparison.Ordinal) ? $"Map[{key["stateMap.".Length..]}]" : key == "reason" ? nameof(Reason) : key == "instanceIds" ? nameof(Stages) : "", m);
        }
        catch (RefusedException e)
        {
            ModelState.AddModelError("", e.Message);
        }
        ViewData["ErrorLinks"] = Map.Keys.Concat(Counts.Select(c => c.Name)).Distinct().ToDictionary(k => $"Map[{k}]", k => "#" + MapId(k));
        return Page();
    }

    private async Task<bool> LoadAsync()
    {
        if (registry.Find(Id) is not { } newest) return false;
        Newest = newest;
        Versions = registry.Versions(Id).OrderByDescending(d => d.Version).ToList();
        var running = await db.WorkflowInstances.AsNoTracking().Where(i => i.DefinitionId == Id && i.CompletedAt == null)
            .GroupBy(i => new { i.DefinitionVersion, i.State }).Select(g => new { g.Key.DefinitionVersion, g.Key.State, Count = g.Count() }).ToListAsync();
        From ??= running.Where(r => r.DefinitionVersion != newest.Version).Select(r => (int?)r.DefinitionVersion).Max();
        To ??= newest.Version;
        Old = From is int f ? registry.Find(Id, f) : null;
        New = To is int t ? registry.Find(Id, t) : null;
        if (Old is not null)
            Counts = WorkflowDiagram.StagesInOrder(Old).Select(s => new StageCount(s, Old.States[s].Title ?? s,
                running.Where(r => r.DefinitionVersion == Old.Version && r.State == s).Sum(r => r.Count))).Where(c => c.Cases > 0).ToList();
        return true;
    }
}
