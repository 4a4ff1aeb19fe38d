using GrantManager.Core.Applications;
using GrantManager.Core.Cases;
using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using GrantManager.Core;

namespace GrantManager.Web.Pages.Staff.Workflows;

/// <summary>A case's stage, diagram, open tasks and journal, as much as the person's work needs (see <see cref="CaseAccess"/>).</summary>
/// <remarks>
/// Administrators also see its waiting timers and failures, and act on it, each action with a reason kept in its
/// history: pause and resume its timers, reschedule or cancel one timer, move it to another stage, retry a failure.
/// </remarks>
public sealed class InstanceModel(GrantDbContext db, WorkflowRegistry registry, GrantManager.Web.Workflows.WorkflowActors actors, WorkflowRuntime runtime) : PageModel
{
    public sealed class ActionForm
    {
        public string? Reason { get; set; }
        /// <summary>Resuming: fire (each timer that fell due while paused fires once) or skip.</summary>
        public string? Missed { get; set; }
        /// <summary>Moving: the stage.</summary>
        public string? State { get; set; }
        /// <summary>A timer: which, reschedule or cancel, and when (UTC).</summary>
        public long? TimerId { get; set; }
        public string? TimerAction { get; set; }
        public DateTime? DueAt { get; set; }
        public long? IncidentId { get; set; }
    }

    public WorkflowInstance Instance { get; private set; } = null!;
    public WorkflowDefinition Definition { get; private set; } = null!;
    public List<InboxTask> OpenTasks { get; private set; } = [];
    public List<WorkflowHistoryEntry> History { get; private set; } = [];
    public bool Administrator { get; private set; }
    public List<WorkflowTimer> Timers { get; private set; } = [];
    public List<WorkflowIncident> Incidents { get; private set; } = [];
    public string? LastError { get; private set; }
    /// <summary>Which action's form the errors belong to: pause, resume, timer, move or retry.</summary>
    public string? Acting { get; private set; }
    [BindProperty(Name = "Act")] public ActionForm Act { get; set; } = new();

    public async Task<IActionResult> OnGetAsync(Guid id) => await LoadAsync(id) ? Page() : NotFound();

    public Task<IActionResult> OnPostPauseAsync(Guid id) => ActAsync(id, "pause", async actor =>
    {
        await runtime.PauseAsync(id, Act.Reason, actor);
        return "The case's timers are paused";
    });

    public Task<IActionResult> OnPostResumeAsync(Guid id) => ActAsync(id, "resume", async actor =>
    {
        var missed = Act.Missed switch
        {
            "fire" => MissedWhilePaused.Fire,
            "skip" => MissedWhilePaused.Skip,
            _ => throw new WorkflowInvalidException("Choose what happens to the timers that fell due while the case was paused", "missed"),
        };
        var due = await runtime.ResumeAsync(id, missed, Act.Reason, actor);
        return $"The case's timers are running again; {due} that fell due while paused {(missed == MissedWhilePaused.Fire ? "fire once now" : "were skipped")}";
    });

    public Task<IActionResult> OnPostTimerAsync(Guid id) => ActAsync(id, "timer", async actor =>
    {
        if (Act.TimerId is not long timer) throw new WorkflowInvalidException("Choose the timer", "timerId");
        switch (Act.TimerAction)
        {
            case "reschedule":
                if (Act.DueAt is not DateTime due) throw new WorkflowInvalidException("Enter the new date and time, like 2027-06-01 09:00", "dueAt");
                await runtime.RescheduleTimerAsync(id, timer, DateTime.SpecifyKind(due, DateTimeKind.Utc), Act.Reason, actor);
                return "The timer has been moved";
            case "cancel":
                await runtime.CancelTimerAsync(id, timer, Act.Reason, actor);
                return "The timer has been cancelled";
            default:
                throw new WorkflowInvalidException("Choose whether to move the timer or cancel it", "timerAction");
        }
    });

    public Task<IActionResult> OnPostMoveAsync(Guid id) => ActAsync(id, "move", async actor =>
    {
        var result = await runtime.MoveAsync(id, Act.State, Act.Reason, actor);
        return $"The case has been moved to {Definition.States.GetValueOrDefault(result.ToState)?.Title ?? result.ToState}";
    });

    public Task<IActionResult> OnPostRetryAsync(Guid id) => ActAsync(id, "retry", async actor =>
    {
        if (Act.IncidentId is not long incident) throw new WorkflowInvalidException("Choose the failure to try again", "incidentId");
        await runtime.RetryIncidentAsync(id, incident, Act.Reason, actor);
        return "The timer will be tried again within a few seconds";
    });

    /// <summary>An administrator's action: refused to anyone else; a refusal names the field on the action's own form.</summary>
    private async Task<IActionResult> ActAsync(Guid id, string acting, Func<Actor, Task<string>> act)
    {
        if (!await LoadAsync(id)) return NotFound();
        if (!Administrator) return Forbid();
        ModelState.Clear();
        Acting = acting;
        try
        {
            TempData["Success"] = await act(await actors.ForAsync(User));
            return RedirectToPage(new { id });
        }
        catch (WorkflowInvalidException e)
        {
            ModelState.AddModelError("Act." + (e.Field is { Length: > 0 } f ? char.ToUpperInvariant(f[0]) + f[1..] : "Reason"), e.Message);
        }
        catch (RefusedException e)
        {
            ModelState.AddModelError("", e.Message);
        }
        ViewData["ErrorLinks"] = new Dictionary<string, string>
        {
            ["Act.Reason"] = "#reason-" + acting, ["Act.Missed"] = "#missed-fire", ["Act.TimerAction"] = "#timer-reschedule", [""] = "#" + acting,
        };
        await LoadAsync(id);
        return Page();
    }

    private async Task<bool> LoadAsync(Guid id)
    {
        var instance = await db.WorkflowInstances.AsNoTracking().SingleOrDefaultAsync(i => i.Id == id);
        if (instance is null) return false;
        var actor = await actors.ForAsync(User);
        if (await CaseAccess.ForAsync(db, instance, actor) is not { } view) return false;
        Instance = instance;
        Definition = registry.Get(instance.DefinitionId, instance.DefinitionVersion);
        OpenTasks = await db.InboxTasks.AsNoTracking().Where(t => t.InstanceId == id && t.Status == InboxTaskStatus.Open).OrderBy(t => t.Id).ToListAsync();
        History = CaseAccess.Filter(await db.WorkflowHistory.AsNoTracking().Where(h => h.InstanceId == id).OrderBy(h => h.Id).ToListAsync(), view, actor);
        Administrator = User.IsInRole(Roles.Administrator);
        if (Administrator)
        {
            Timers = await db.WorkflowTimers.AsNoTracking().Where(t => t.InstanceId == id && (t.Status == WorkflowTimerStatus.Pending || t.Status == WorkflowTimerStatus.Paused))
                .OrderBy(t => t.DueAt).ToListAsync();
            Incidents = await db.WorkflowIncidents.AsNoTracking().Where(i => i.InstanceId == id && i.ResolvedAt == null).OrderBy(i => i.Id).ToListAsync();
            LastError = await db.WorkflowTimers.AsNoTracking().Where(t => t.InstanceId == id && t.LastError != null).OrderByDescending(t => t.Id).Select(t => t.LastError).FirstOrDefaultAsync();
        }
        return true;
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
            HistoryKinds.Paused => "Paused the timers",
            HistoryKinds.Resumed => "Resumed the timers",
            HistoryKinds.TimerChanged => "Changed a timer",
            HistoryKinds.Moved => $"Moved from {Stage(h.FromState)} to {Stage(h.ToState)}",
            HistoryKinds.Migrated => $"Moved to another version, at {Stage(h.ToState)}",
            _ => h.Kind,
        };
        return h.Comment is null ? what : $"{what}. {h.Comment}";
    }
}

/// <summary>The reason field of one action form on the instance page.</summary>
public sealed record ReasonField(string Form, string? Error, string? Typed);
