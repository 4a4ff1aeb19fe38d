using System.Text;

namespace GrantManager.Core.Workflows;

/// <summary>Draws a definition as a Mermaid <c>stateDiagram-v2</c> in titles people read, optionally with the current stage highlighted.</summary>
public static class WorkflowDiagram
{
    public static string Mermaid(WorkflowDefinition definition, string? currentState = null)
    {
        var sb = new StringBuilder();
        sb.AppendLine("stateDiagram-v2");
        sb.AppendLine("    direction LR");
        foreach (var (name, state) in definition.States)
            sb.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"    state \"{Escape(state.Title ?? name)}\" as {Id(name)}");
        sb.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"    [*] --> {Id(definition.InitialState)}");
        foreach (var (name, state) in definition.States)
        {
            foreach (var t in state.Transitions)
            {
                // People read titles: the transition's own, or the outcome's; conditions are described in words beside the diagram.
                var label = t.Title ?? WorkflowText.Outcome(t.Trigger);
                sb.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"    {Id(name)} --> {Id(t.To)} : {Escape(label)}");
            }
            foreach (var timer in state.Timers.Where(t => t.Fire is not null && !state.Transitions.Any(x => x.Trigger == t.Fire)))
                sb.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"    {Id(name)} --> {Id(name)} : {Escape(WorkflowText.Outcome(timer.Fire!))}");
            if (state.Final) sb.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"    {Id(name)} --> [*]");
        }
        if (currentState is not null && definition.States.ContainsKey(currentState))
        {
            sb.AppendLine("    classDef current fill:#ffdd00,stroke:#0b0c0c,stroke-width:4px,color:#0b0c0c,font-weight:bold");
            sb.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"    class {Id(currentState)} current");
        }
        return sb.ToString();
    }

    /// <summary>The stages in the order a person follows them: breadth-first from the start.</summary>
    public static IReadOnlyList<string> StagesInOrder(WorkflowDefinition definition)
    {
        var order = new List<string>();
        var seen = new HashSet<string>();
        var queue = new Queue<string>([definition.InitialState]);
        while (queue.Count > 0)
        {
            var s = queue.Dequeue();
            if (!seen.Add(s) || !definition.States.TryGetValue(s, out var state)) continue;
            order.Add(s);
            foreach (var t in state.Transitions) queue.Enqueue(t.To);
        }
        order.AddRange(definition.States.Keys.Where(k => !seen.Contains(k)));
        return order;
    }

    private static string Id(string state) => state.Replace('-', '_');

    private static string Escape(string text) =>
        text.Replace(";", "#59;").Replace("\"", "#quot;").Replace("<", "#lt;").Replace(">", "#gt;").Replace(":", "#58;");
}
