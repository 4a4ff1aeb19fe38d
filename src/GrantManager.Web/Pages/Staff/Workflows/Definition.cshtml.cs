using GrantManager.Core.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace GrantManager.Web.Pages.Staff.Workflows;

public sealed class DefinitionModel(WorkflowRegistry registry) : PageModel
{
    public WorkflowDefinition Definition { get; private set; } = null!;

    public IActionResult OnGet(string? id, int? version)
    {
        if (id is null || registry.Find(id, version) is not { } d) return NotFound();
        Definition = d;
        return Page();
    }
}
