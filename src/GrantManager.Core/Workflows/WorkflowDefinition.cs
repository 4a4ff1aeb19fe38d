using System.Text.Json.Serialization;

namespace GrantManager.Core.Workflows;

/// <summary>
/// A workflow as written in <c>workflows/*.json</c>: states, what entering each does, and how each is left.
/// Loaded once and never changed (a new version is a new definition), so every caller may share it.
/// </summary>
public sealed class WorkflowDefinition
{
    public string Id { get; init; } = "";
    public int Version { get; init; }
    public string Name { get; init; } = "";
    public string? Description { get; init; }
    public string InitialState { get; init; } = "";
    /// <summary>Values the subject keeps on the instance, which conditions, timers and emails may use.</summary>
    public IReadOnlyDictionary<string, FieldDefinition> Fields { get; init; } = new Dictionary<string, FieldDefinition>();
    public IReadOnlyDictionary<string, StateDefinition> States { get; init; } = new Dictionary<string, StateDefinition>();

    [JsonIgnore] public string SourceFile { get; internal set; } = "";
    /// <summary>The JSON it was read from, as written: what an export gives back.</summary>
    [JsonIgnore] public string Source { get; internal set; } = "";
    /// <summary>The transitions' conditions, compiled when the definition was loaded.</summary>
    [JsonIgnore] public IReadOnlyDictionary<string, CompiledCondition> Conditions { get; internal set; } = new Dictionary<string, CompiledCondition>();

    public StateDefinition State(string name) =>
        States.TryGetValue(name, out var s) ? s : throw new InvalidOperationException($"Workflow {Id} v{Version} has no state '{name}'");

    /// <summary>
    /// The one place a transition is chosen: the first of the state's transitions for the trigger (in the
    /// order the definition lists them) whose condition holds, each condition evaluated once, and none
    /// after the one chosen.
    /// </summary>
    public TransitionChoice Choose(string state, string trigger, ConditionContext context)
    {
        var candidates = State(state).TransitionsFor(trigger);
        List<string>? unmet = null;
        foreach (var t in candidates)
        {
            if (t.When is null || Conditions[t.When].Evaluate(context)) return new TransitionChoice(t, true, []);
            (unmet ??= []).Add(t.When);
        }
        return new TransitionChoice(null, unmet is not null, unmet ?? []);
    }

    public override string ToString() => $"{Id} v{Version}";
}

public sealed class FieldDefinition
{
    /// <summary>number, money, text, date or boolean.</summary>
    public string Type { get; init; } = "text";
    public string? Description { get; init; }
}

public sealed class StateDefinition
{
    public string? Title { get; init; }
    public string? Description { get; init; }
    /// <summary>The status the subject shows while here, e.g. submitted, approved, rejected.</summary>
    public string? Status { get; init; }
    public bool Final { get; init; }
    public IReadOnlyList<TaskDefinition> Tasks { get; init; } = [];
    public IReadOnlyList<EmailDefinition> Emails { get; init; } = [];
    public IReadOnlyList<TimerDefinition> Timers { get; init; } = [];
    public IReadOnlyList<TransitionDefinition> Transitions { get; init; } = [];
    /// <summary>Named steps of the host's own code run on entry, in the same transaction (e.g. award-grant).</summary>
    public IReadOnlyList<string> Handlers { get; init; } = [];

    private ILookup<string, TransitionDefinition>? _byTrigger;

    /// <summary>The transitions a trigger may take from here, in definition order.</summary>
    public IEnumerable<TransitionDefinition> TransitionsFor(string trigger) => (_byTrigger ??= Transitions.ToLookup(t => t.Trigger, StringComparer.Ordinal))[trigger];
}

/// <summary>
/// What <see cref="WorkflowDefinition.Choose"/> found: the transition to take, or none, with whether the
/// trigger exists at the state at all and, if it does, the conditions that were not met.
/// </summary>
public sealed record TransitionChoice(TransitionDefinition? Chosen, bool TriggerKnown, IReadOnlyList<string> Unmet);

public sealed class TaskDefinition
{
    public string Id { get; init; } = "";
    public string Title { get; init; } = "";
    /// <summary>The role whose inbox the task goes to; Applicant means the subject's organisation.</summary>
    public string Role { get; init; } = "";
    public IReadOnlyList<string> Outcomes { get; init; } = [];
    /// <summary>ISO 8601 duration from <see cref="DueFrom"/> to the due date.</summary>
    public string? Due { get; init; }
    /// <summary>entered (default) or a date field.</summary>
    public string DueFrom { get; init; } = "entered";
    /// <summary>How many of this task to open at once, each for a different person.</summary>
    public int Count { get; init; } = 1;
    public bool RequiresConflictDeclaration { get; init; }
    /// <summary>Which form the task page shows, e.g. assessment (scores per criterion).</summary>
    public string? Form { get; init; }
    /// <summary>Emails sent when each task opens, e.g. to tell the role there is new work.</summary>
    public IReadOnlyList<EmailDefinition> Emails { get; init; } = [];
}

public sealed class EmailDefinition
{
    public string Template { get; init; } = "";
    /// <summary>applicant, assignee, role:NAME or email:ADDRESS.</summary>
    public string To { get; init; } = "";
    /// <summary>Send it only the first time the stage is entered, not when the workflow comes back to it.</summary>
    public bool Once { get; init; }
}

public sealed class TimerDefinition
{
    public string Id { get; init; } = "";
    /// <summary>ISO 8601 duration from <see cref="From"/>; negative for "before".</summary>
    public string Offset { get; init; } = "P0D";
    /// <summary>entered (default), taskDue (one timer per open task, cancelled when it completes) or a date field.</summary>
    public string From { get; init; } = "entered";
    /// <summary>A trigger to fire, as the system.</summary>
    public string? Fire { get; init; }
    public EmailDefinition? Email { get; init; }
    /// <summary>A task to open, such as an escalation to an officer.</summary>
    public TaskDefinition? Task { get; init; }
}

public sealed class TransitionDefinition
{
    public string Trigger { get; init; } = "";
    public string To { get; init; } = "";
    /// <summary>Who may fire it directly; task outcomes are governed by the task's role instead.</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];
    /// <summary>A condition such as <c>amountRequested &lt;= 5000</c> or <c>allTasksComplete and anyOutcome == "reject"</c>.</summary>
    public string? When { get; init; }
    /// <summary>The label on the button that fires it.</summary>
    public string? Title { get; init; }
}
