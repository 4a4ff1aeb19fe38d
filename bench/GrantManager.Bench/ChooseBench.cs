using System.Collections;
using System.Diagnostics;
using System.Text.Json;
using GrantManager.Core.Data;
using GrantManager.Core.Email;
using GrantManager.Core.Workflows;
using Stateless;

namespace GrantManager.Bench;

/// <summary>
/// Choosing the transition a trigger takes, N times each way, on the shipped grant-application definition
/// and a four-way choice: the runtime's former way (a Stateless machine built per change with the
/// definition's guards made mutually exclusive, CanFire, the runtime's own re-selection, then FireAsync)
/// against <see cref="WorkflowDefinition.Choose"/> (the first transition whose condition holds). Both must
/// pick the same transition; the figures are the time per choice and the conditions evaluated per choice.
/// </summary>
internal static class ChooseBench
{
    private sealed record Case(string Label, WorkflowDefinition Definition, string State, string Trigger, string Field, decimal Value, string Expected);

    public static async Task RunAsync(int n)
    {
        var repository = BenchHost.FindRepositoryWorkflows();
        var shipped = WorkflowLoader.Load(repository, new EmailTemplates(Path.Combine(repository, "templates")), Roles.All,
            ["award-grant", "return-status", "accept-return", "record-payment"], Core.Tasks.GrantTaskForms.Catalog());
        var folder = BenchHost.WorkflowFolder();
        var bench = WorkflowLoader.Load(folder, new EmailTemplates(Path.Combine(folder, "templates")), Roles.All);
        Directory.Delete(folder, true);
        var grant = shipped.Find("grant-application")!;
        var choice = bench.Find("bench-choice")!;
        Case[] cases =
        [
            new("grant: fund, £3,000 (1st of 2)", grant, "assessment", "fund", "amountRequested", 3000m, "delegated-decision"),
            new("grant: fund, £8,000 (2nd of 2)", grant, "assessment", "fund", "amountRequested", 8000m, "panel-decision"),
            new("choice: score 95 (1st of 4)", choice, "scoring", "decide", "score", 95m, "excellent"),
            new("choice: score 75 (2nd of 4)", choice, "scoring", "decide", "score", 75m, "good"),
            new("choice: score 55 (3rd of 4)", choice, "scoring", "decide", "score", 55m, "fair"),
            new("choice: score 10 (4th of 4)", choice, "scoring", "decide", "score", 10m, "poor"),
        ];
        Console.WriteLine($"{n:N0} choices each way per case; conditions evaluated are counted by the field reads they make.");
        Console.WriteLine();
        Console.WriteLine($"{"",-32}{"Stateless µs",14}{"first-match µs",16}{"speed-up",10}{"conditions: Stateless",23}{"first-match",13}");
        foreach (var c in cases)
        {
            var fields = new CountingFields(new Dictionary<string, JsonElement> { [c.Field] = JsonSerializer.SerializeToElement(c.Value) });
            var context = new ConditionContext { Fields = fields, OpenTasks = 0, CompletedOutcomes = ["fund", "fund"], Outcome = c.Trigger };
            // Warm up both ways, and check they agree.
            for (var i = 0; i < n / 10; i++)
            {
                Check(c, await StatelessChooseAsync(c, context));
                Check(c, FirstMatch(c, context));
            }
            fields.Reads = 0;
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < n; i++) await StatelessChooseAsync(c, context);
            var stateless = clock.Elapsed.TotalMicroseconds / n;
            var statelessReads = (double)fields.Reads / n;
            fields.Reads = 0;
            clock.Restart();
            for (var i = 0; i < n; i++) FirstMatch(c, context);
            var firstMatch = clock.Elapsed.TotalMicroseconds / n;
            var firstMatchReads = (double)fields.Reads / n;
            Console.WriteLine($"{c.Label,-32}{stateless,14:F2}{firstMatch,16:F3}{stateless / firstMatch,9:F0}×{statelessReads,23:F0}{firstMatchReads,13:F0}");
        }
    }

    private static void Check(Case c, string chosen)
    {
        if (chosen == c.Expected) return;
        Console.WriteLine($"MISMATCH: {c.Label} chose {chosen}, expected {c.Expected}");
        Environment.ExitCode = 1;
    }

    private static string FirstMatch(Case c, ConditionContext context) => c.Definition.Choose(c.State, c.Trigger, context).Chosen!.To;

    /// <summary>What the runtime did before: a machine per change, CanFire, its own re-selection, FireAsync.</summary>
    private static async Task<string> StatelessChooseAsync(Case c, ConditionContext context)
    {
        var instance = new WorkflowInstance { State = c.State };
        var candidates = c.Definition.State(c.State).Transitions.Where(t => t.Trigger == c.Trigger).ToList();
        var machine = BuildMachine(c.Definition, instance, () => context);
        if (!machine.CanFire(c.Trigger, out _)) throw new InvalidOperationException("not permitted");
        _ = candidates.First(t => t.When is null || c.Definition.Conditions[t.When].Evaluate(context));
        StateMachine<string, string>.Transition? done = null;
        machine.OnTransitioned(t => done = t);
        await machine.FireAsync(c.Trigger);
        return done!.Destination;
    }

    /// <summary>The runtime's former machine: every state configured, each guard also requiring that no earlier one for the trigger holds.</summary>
    private static StateMachine<string, string> BuildMachine(WorkflowDefinition definition, WorkflowInstance instance, Func<ConditionContext> context)
    {
        var machine = new StateMachine<string, string>(() => instance.State, s => instance.State = s);
        foreach (var (name, state) in definition.States)
        {
            var config = machine.Configure(name);
            foreach (var group in state.Transitions.GroupBy(t => t.Trigger))
            {
                var earlier = new List<Func<bool>>();
                foreach (var t in group)
                {
                    var condition = t.When is null ? null : definition.Conditions[t.When];
                    Func<bool> own = condition is null ? () => true : () => condition.Evaluate(context());
                    var prior = earlier.ToArray();
                    Func<bool> guard = prior.Length == 0 ? own : () => own() && !prior.Any(p => p());
                    var description = t.When ?? (prior.Length == 0 ? "" : "otherwise");
                    if (t.To == name) config.PermitReentryIf(t.Trigger, guard, description);
                    else config.PermitIf(t.Trigger, t.To, guard, description);
                    earlier.Add(own);
                }
            }
        }
        return machine;
    }

    /// <summary>An instance's fields that count how often a condition reads them.</summary>
    private sealed class CountingFields(Dictionary<string, JsonElement> inner) : IReadOnlyDictionary<string, JsonElement>
    {
        public long Reads;
        public JsonElement this[string key] { get { Reads++; return inner[key]; } }
        public IEnumerable<string> Keys => inner.Keys;
        public IEnumerable<JsonElement> Values => inner.Values;
        public int Count => inner.Count;
        public bool ContainsKey(string key) => inner.ContainsKey(key);
        public bool TryGetValue(string key, out JsonElement value) { Reads++; return inner.TryGetValue(key, out value); }
        public IEnumerator<KeyValuePair<string, JsonElement>> GetEnumerator() => inner.GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
