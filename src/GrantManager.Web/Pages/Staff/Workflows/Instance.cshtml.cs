using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Web.Pages.Staff.Workflows;

/// <summary>A case's stage, diagram, open tasks and journal, as much as the person's work needs (see <see cref="CaseAccess"/>).</summary>
public sealed class InstanceModel(GrantDbContext db, WorkflowRegistry registry, GrantManager.Web.Workflows.WorkflowActors actors) : PageModel
{
    public WorkflowInstance Instance { get; private set; } = null!;
    public WorkflowDefinition Definition { get; private set; } = null!;
    public List<InboxTask> OpenTasks { get; private set; } = [];
    public List<WorkflowHistoryEntry> History { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid id)
    {
        var instance = await db.WorkflowInstances.AsNoTracking().SingleOrDefaultAsync(i => i.Id == id);
        if (instance is null) return NotFound();
        var actor = await actors.ForAsync(User);
        if (await CaseAccess.ForAsync(db, instance, actor) is not { } view) return NotFound();
        Instance = instance;
        Definition = registry.Get(instance.DefinitionId, instance.DefinitionVersion);
        OpenTasks = await db.InboxTasks.AsNoTracking().Where(t => t.InstanceId == id && t.Status == InboxTaskStatus.Open).OrderBy(t => t.Id).ToListAsync();
        History = CaseAccess.Filter(await db.WorkflowHistory.AsNoTracking().Where(h => h.InstanceId == id).OrderBy(h => h.Id).ToListAsync(), view, actor);
        return Page();
    }

    public string Describe(WorkflowHistoryEntry h)
    {
        string Stage(string? s) => s is not null && Definition.States.TryGetValue(s, out var st) ? st.Title ?? s : s ?? "";
        var what = h.Kind switch
        {
            HistoryKinds.Started => $"Started at {Stage(h.ToState)}",
            HistoryKinds.Transition => $"Moved from {Stage(h.FromState)} to {Stage(h.ToState)} ({WorkflowText.Outcome(h.Trigger ?? "")})",
            HistoryKinds.TaskCompleted => h.Trigger is null ? "Completed a task" : $"Completed a task: {WorkflowText.Outcome(h.Trigger)}",
            HistoryKinds.TaskClaimed => "Took a task",
            HistoryKinds.TaskReleased => "Released a task",
            HistoryKinds.TaskAssigned => "Assigned a task",
            HistoryKinds.TaskOverridden => "Set a task aside",
            HistoryKinds.ConflictDeclared => h.Trigger switch { "conflict" => "Declared a conflict of interest", null => "Declared whether they have a conflict of interest", _ => "Declared no conflict of interest" },
            HistoryKinds.Timer => "Timer",
            _ => h.Kind,
        };
        return h.Comment is null ? what : $"{what}. {h.Comment}";
    }
}
