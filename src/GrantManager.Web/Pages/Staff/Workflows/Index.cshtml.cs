using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Web.Pages.Staff.Workflows;

public sealed class IndexModel(WorkflowRegistry registry, GrantDbContext db) : PageModel
{
    public List<WorkflowDefinition> Definitions { get; private set; } = [];
    public Dictionary<(string, int), int> Running { get; private set; } = new();

    public async Task OnGetAsync()
    {
        Definitions = registry.All.ToList();
        Running = (await db.WorkflowInstances.Where(i => i.CompletedAt == null)
                .GroupBy(i => new { i.DefinitionId, i.DefinitionVersion }).Select(g => new { g.Key.DefinitionId, g.Key.DefinitionVersion, Count = g.Count() })
                .ToListAsync())
            .ToDictionary(g => (g.DefinitionId, g.DefinitionVersion), g => g.Count);
    }
}
