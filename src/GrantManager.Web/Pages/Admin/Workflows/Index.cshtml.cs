using GrantManager.Core;
using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Web.Pages.Admin.Workflows;

/// <summary>
/// Every workflow with its active version and all its versions: where each came from, when, who and why. Any
/// version downloads as a file in the format of workflows/*.json; a file imported is checked as start-up checks
/// one and published as the next version of its workflow.
/// </summary>
public sealed class IndexModel(WorkflowCatalog catalog, WorkflowVersions versions, GrantDbContext db, WorkflowActors actors) : PageModel
{
    public sealed class ImportForm
    {
        public IFormFile? File { get; set; }
        public string? Reason { get; set; }
    }

    public sealed record Row(WorkflowDefinition Active, List<WorkflowVersionInfo> Versions, Dictionary<int, int> Running);

    [BindProperty(Name = "Import")] public ImportForm Import { get; set; } = new();
    public List<Row> Rows { get; private set; } = [];

    public async Task OnGetAsync() => await LoadAsync();

    /// <summary>The version exactly as it is kept: the file format, passing the schema and loading at start-up.</summary>
    public async Task<IActionResult> OnGetExportAsync(string? id, int? version)
    {
        if (id is null || version is null) return NotFound();
        var json = catalog.Current.Find(id, version)?.Source
            ?? await db.Set<WorkflowDefinitionVersion>().AsNoTracking().Where(v => v.DefinitionId == id && v.Version == version).Select(v => v.Json).FirstOrDefaultAsync();
        if (json is null) return NotFound();
        return File(System.Text.Encoding.UTF8.GetBytes(json), "application/json", $"{id}.v{version}.json");
    }

    public async Task<IActionResult> OnPostImportAsync()
    {
        ModelState.Clear();
        string? text = null;
        if (Import.File is not { Length: > 0 } file) ModelState.AddModelError("Import.File", "Choose a workflow file to import");
        else if (file.Length > WorkflowVersions.MaxLength) ModelState.AddModelError("Import.File", $"The file must be {WorkflowVersions.MaxLength:#,0} characters or fewer");
        else
        {
            using var reader = new StreamReader(file.OpenReadStream());
            text = await reader.ReadToEndAsync();
        }
        if (string.IsNullOrWhiteSpace(Import.Reason)) ModelState.AddModelError("Import.Reason", "Give the reason for the new version: it is kept with it");
        var id = WorkflowDrafts.Parse(text)?["id"] is { } idNode && idNode.GetValueKind() == System.Text.Json.JsonValueKind.String ? idNode.GetValue<string>() : null;
        if (text is not null && ModelState.IsValid)
        {
            if (id is null)
            {
                foreach (var p in catalog.Check(text, out _)) ModelState.AddModelError("Import.File", $"{p.JsonPath}: {p.Message}");
                if (ModelState.IsValid) ModelState.AddModelError("Import.File", "$.id: the file names no workflow");
            }
            else if (catalog.Current.Find(id) is null)
                ModelState.AddModelError("Import.File", $"$.id: there is no workflow '{id}'. A new workflow is added as a file in workflows/; a file imported here is a new version of one that exists");
        }
        if (!ModelState.IsValid)
        {
            await LoadAsync();
            return Page();
        }
        try
        {
            var published = await versions.PublishAsync(id!, text, Import.Reason, await actors.ForAsync(User));
            TempData["Success"] = $"{published.Name} version {published.Version} has been published from {Import.File!.FileName}: new cases start on it";
            return RedirectToPage();
        }
        catch (InputException e)
        {
            foreach (var (path, messages) in e.Errors)
                foreach (var m in messages) ModelState.AddModelError(path == "reason" ? "Import.Reason" : "Import.File", path == "reason" ? m : $"{path}: {m}");
        }
        catch (ConflictException e)
        {
            ModelState.AddModelError("Import.File", e.Message);
        }
        await LoadAsync();
        return Page();
    }

    private async Task LoadAsync()
    {
        var running = (await db.WorkflowInstances.Where(i => i.CompletedAt == null)
                .GroupBy(i => new { i.DefinitionId, i.DefinitionVersion }).Select(g => new { g.Key.DefinitionId, g.Key.DefinitionVersion, Count = g.Count() })
                .ToListAsync());
        foreach (var id in catalog.Current.All.Select(d => d.Id).Distinct().Order(StringComparer.Ordinal))
            Rows.Add(new Row(catalog.Current.Find(id)!, await versions.HistoryAsync(id),
                running.Where(r => r.DefinitionId == id).ToDictionary(r => r.DefinitionVersion, r => r.Count)));
    }
}
