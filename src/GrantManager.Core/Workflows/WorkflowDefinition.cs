using System.Text.Json.Serialization;

namespace GrantManager.Core.Workflows;

/// <summary>A workflow as written in <c>workflows/*.json</c>: states, what entering each does, and how each is left.</summary>
public sealed class WorkflowDefinition
{
    public string Id { get; set; } = "";
    public int Version { get; set; }
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public string InitialState { get; set; } = "";
    /// <summary>Values the subject keeps on the instance, which conditions, timers and emails may use.</summary>
    public Dictionary<string, FieldDefinition> Fields { get; set; } = new();
    public Dictionary<string, StateDefinition> States { get; set; } = new();

    [JsonIgnore] public string SourceFile { get; set; } = "";
    /// <summary>The transitions' conditions, compiled when the definition was loaded.</summary>
    [JsonIgnore] public Dictionary<string, CompiledCondition> Conditions { get; } = new();

    public StateDefinition State(string name) =>
        States.TryGetValue(name, out var s) ? s : throw new InvalidOperationException($"Workflow {Id} v{Version} has no state '{name}'");

    public override string ToString() => $"{Id} v{Version}";
}

public sealed class FieldDefinition
{
    /// <summary>number, money, text, date or boolean.</summary>
    public string Type { get; set; } = "text";
    public string? Description { get; set; }
}

public sealed class StateDefinition
{
    public string? Title { get; set; }
    public string? Description { get; set; }
    /// <summary>The status the subject shows while here, e.g. submitted, approved, rejected.</summary>
    public string? Status { get; set; }
    public bool Final { get; set; }
    public List<TaskDefinition> Tasks { get; set; } = [];
    public List<EmailDefinition> Emails { get; set; } = [];
    public List<TimerDefinition> Timers { get; set; } = [];
    public List<TransitionDefinition> Transitions { get; set; } = [];
    /// <summary>Named steps of the application's own code run on entry, in the same transaction (e.g. award-grant).</summary>
    public List<string> Handlers { get; set; } = [];
}

public sealed class TaskDefinition
{
    public string Id { get; set; } = "";
    public string Title { get; set; } = "";
    /// <summary>The role whose inbox the task goes to; Applicant means the subject's organisation.</summary>
    public string Role { get; set; } = "";
    public List<string> Outcomes { get; set; } = [];
    /// <summary>ISO 8601 duration from <see cref="DueFrom"/> to the due date.</summary>
    public string? Due { get; set; }
    /// <summary>entered (default) or a date field.</summary>
    public string DueFrom { get; set; } = "entered";
    /// <summary>How many of this task to open at once, each for a different person.</summary>
    public int Count { get; set; } = 1;
    public bool RequiresConflictDeclaration { get; set; }
    /// <summary>Which form the task page shows, e.g. assessment (scores per criterion).</summary>
    public string? Form { get; set; }
    /// <summary>Emails sent when each task opens, e.g. to tell the role there is new work.</summary>
    public List<EmailDefinition> Emails { get; set; } = [];
}

public sealed class EmailDefinition
{
    public string Template { get; set; } = "";
    /// <summary>applicant, assignee, role:NAME or email:ADDRESS.</summary>
    public string To { get; set; } = "";
    /// <summary>Send it only the first time the stage is entered, not when the workflow comes back to it.</summary>
    public bool Once { get; set; }
}

public sealed class TimerDefinition
{
    public string Id { get; set; } = "";
    /// <summary>ISO 8601 duration from <see cref="From"/>; negative for "before".</summary>
    public string Offset { get; set; } = "P0D";
    /// <summary>entered (default), taskDue (one timer per open task, cancelled when it completes) or a date field.</summary>
    public string From { get; set; } = "entered";
    /// <summary>A trigger to fire, as the system.</summary>
    public string? Fire { get; set; }
    public EmailDefinition? Email { get; set; }
    /// <summary>A task to open, such as an escalation to an officer.</summary>
    public TaskDefinition? Task { get; set; }
}

public sealed class TransitionDefinition
{
    public string Trigger { get; set; } = "";
    public string To { get; set; } = "";
    /// <summary>Who may fire it directly; task outcomes are governed by the task's role instead.</summary>
    public List<string> Roles { get; set; } = [];
    /// <summary>A condition such as <c>amountRequested &lt;= 5000</c> or <c>allTasksComplete and anyOutcome == "reject"</c>.</summary>
    public string? When { get; set; }
    /// <summary>The label on the button that fires it.</summary>
    public string? Title { get; set; }
}
