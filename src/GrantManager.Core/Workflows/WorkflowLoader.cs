using System.Text.Json;
using System.Text.Json.Nodes;
using GrantManager.Core.Data;
using GrantManager.Core.Email;
using Json.Schema;

namespace GrantManager.Core.Workflows;

public sealed record WorkflowProblem(string File, string JsonPath, string Message)
{
    public override string ToString() => $"{File}: {JsonPath}: {Message}";
}

/// <summary>Start-up stops on any problem in the workflow definitions; the message lists them all.</summary>
public sealed class WorkflowLoadException(string folder, IReadOnlyList<WorkflowProblem> problems)
    : Exception($"The workflow definitions in {folder} have {problems.Count} problem(s):\n" + string.Join("\n", problems.Select(p => "  " + p)))
{
    public IReadOnlyList<WorkflowProblem> Problems { get; } = problems;
}

/// <summary>
/// Reads every <c>*.json</c> definition in the workflows folder, validates it against
/// <c>workflow.schema.json</c> and then for meaning, and compiles its conditions.
/// </summary>
public static class WorkflowLoader
{
    public const string SchemaFile = "workflow.schema.json";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <param name="roles">The roles definitions may name, from the host (see <see cref="IWorkflowParticipants.Roles"/>).</param>
    public static WorkflowRegistry Load(string folder, EmailTemplates templates, IReadOnlyCollection<string> roles, IReadOnlyCollection<string>? handlers = null, TaskFormCatalog? forms = null) =>
        new WorkflowRegistry(LoadFiles(Compiler(folder, templates, roles, handlers, forms)));

    /// <summary>What checks and compiles one definition's JSON for this folder's schema and templates and the host's roles, handlers and forms.</summary>
    public static WorkflowCompiler Compiler(string folder, EmailTemplates templates, IReadOnlyCollection<string> roles, IReadOnlyCollection<string>? handlers = null, TaskFormCatalog? forms = null)
    {
        var schemaPath = Path.Combine(folder, SchemaFile);
        if (!File.Exists(schemaPath))
            throw new WorkflowLoadException(folder, [new WorkflowProblem(SchemaFile, "$", "the JSON Schema for workflow definitions is missing")]);
        return new WorkflowCompiler(folder, JsonSchema.FromFile(schemaPath), JsonNode.Parse(File.ReadAllText(schemaPath))!, templates, roles, handlers ?? [], forms ?? new TaskFormCatalog());
    }

    /// <summary>Every definition file in the compiler's folder; any problem in any of them stops start-up, listing them all.</summary>
    public static List<WorkflowDefinition> LoadFiles(WorkflowCompiler compiler)
    {
        var folder = compiler.Folder;
        var problems = new List<WorkflowProblem>();
        problems.AddRange(compiler.Templates.Check().Select(p => new WorkflowProblem(Path.GetFileName(compiler.Templates.Directory), "$", p)));

        var definitions = new List<WorkflowDefinition>();
        foreach (var path in Directory.GetFiles(folder, "*.json").Where(f => Path.GetFileName(f) != SchemaFile).Order(StringComparer.Ordinal))
        {
            var file = Path.GetFileName(path);
            var fileProblems = new List<WorkflowProblem>();
            var definition = compiler.Compile(File.ReadAllText(path), file, fileProblems);
            problems.AddRange(fileProblems);
            if (definition is not null && fileProblems.Count == 0) definitions.Add(definition);
        }

        foreach (var duplicate in definitions.GroupBy(d => (d.Id, d.Version)).Where(g => g.Count() > 1))
            problems.Add(new WorkflowProblem(string.Join(", ", duplicate.Select(d => d.SourceFile)), "$.version",
                $"id '{duplicate.Key.Id}' version {duplicate.Key.Version} is defined more than once"));

        if (problems.Count > 0) throw new WorkflowLoadException(folder, problems);
        return definitions;
    }

    /// <summary>
    /// Reads a settings file (such as <c>settings/districts.json</c>) into its typed record after checking it
    /// against its JSON Schema; every problem is added with the file and JSON path, as for definitions.
    /// </summary>
    public static T? ReadSettings<T>(string path, string schemaPath, List<WorkflowProblem> problems) where T : class
    {
        var file = Path.GetRelativePath(Path.GetDirectoryName(Path.GetDirectoryName(path)!)!, path).Replace('\\', '/');
        var node = Checked(File.ReadAllText(path), file, JsonSchema.FromFile(schemaPath), JsonNode.Parse(File.ReadAllText(schemaPath))!, problems);
        return node?.Deserialize<T>(Json);
    }

    internal static WorkflowDefinition? Read(string text, string file, JsonSchema schema, JsonNode schemaNode, List<WorkflowProblem> problems)
    {
        var node = Checked(text, file, schema, schemaNode, problems);
        if (node is null) return null;
        WorkflowDefinition definition;
        try { definition = node.Deserialize<WorkflowDefinition>(Json)!; }
        catch (JsonException e)
        {
            problems.Add(new WorkflowProblem(file, e.Path ?? "$", $"not in the expected form: {e.Message}"));
            return null;
        }
        definition.SourceFile = file;
        definition.Source = text;
        return definition;
    }

    /// <summary>The file's JSON when it parses and matches the schema; otherwise null, with its problems added.</summary>
    private static JsonNode? Checked(string text, string file, JsonSchema schema, JsonNode schemaNode, List<WorkflowProblem> problems)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            problems.Add(new WorkflowProblem(file, e.Path ?? "$", $"not valid JSON: {e.Message}"));
            return null;
        }
        if (node is null)
        {
            problems.Add(new WorkflowProblem(file, "$", "not valid JSON: the definition is empty"));
            return null;
        }
        var result = schema.Evaluate(node, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (!result.IsValid)
        {
            var before = problems.Count;
            foreach (var detail in result.Details.Where(d => d.HasErrors))
                foreach (var (keyword, message) in detail.Errors!)
                    problems.Add(SchemaProblem(file, detail.InstanceLocation.ToString(), keyword, message, detail.SchemaLocation, schemaNode));
            if (problems.Count == before) problems.Add(new WorkflowProblem(file, "$", "does not match its schema"));
            return null;
        }
        return node;
    }

    /// <summary>A schema error in words a definition's author can act on, with the schema's own description of what is expected.</summary>
    private static WorkflowProblem SchemaProblem(string file, string pointer, string keyword, string message, Uri schemaLocation, JsonNode schemaNode)
    {
        var path = ToJsonPath(pointer);
        if (message.Contains("false schema", StringComparison.Ordinal))
        {
            var cut = path.LastIndexOf('.');
            return new WorkflowProblem(file, path[..cut], $"unknown property '{path[(cut + 1)..]}'");
        }
        var description = Resolve(schemaNode, schemaLocation.Fragment.TrimStart('#'))?["description"]?.GetValue<string>();
        if (keyword == "pattern") message = "this value is not in the expected form";
        return new WorkflowProblem(file, path, description is null ? message : $"{message}: {description}");
    }

    private static JsonNode? Resolve(JsonNode root, string pointer)
    {
        var node = root;
        foreach (var part in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var key = Uri.UnescapeDataString(part).Replace("~1", "/").Replace("~0", "~");
            node = node switch
            {
                JsonObject o => o[key],
                JsonArray a when int.TryParse(key, out var i) && i < a.Count => a[i],
                _ => null,
            };
            if (node is null) return null;
        }
        return node;
    }

    /// <summary>"/states/a/transitions/0/to" → "$.states.a.transitions[0].to".</summary>
    private static string ToJsonPath(string pointer)
    {
        var path = "$";
        foreach (var part in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var segment = part.Replace("~1", "/").Replace("~0", "~");
            path += int.TryParse(segment, out _) ? $"[{segment}]" : $".{segment}";
        }
        return path;
    }

    internal static void Check(WorkflowDefinition d, string file, EmailTemplates templates, IReadOnlyCollection<string> roles, IReadOnlyCollection<string> handlers, TaskFormCatalog forms, List<WorkflowProblem> problems)
    {
        void Problem(string path, string message) => problems.Add(new WorkflowProblem(file, path, message));
        var fieldsOfType = (string type) => d.Fields.Where(f => f.Value.Type == type).Select(f => f.Key).ToHashSet();
        var dateFields = fieldsOfType("date");
        var conditions = new Dictionary<string, CompiledCondition>(StringComparer.Ordinal);

        if (!d.States.ContainsKey(d.InitialState))
            Problem("$.initialState", $"initial state '{d.InitialState}' is not one of the states ({string.Join(", ", d.States.Keys)})");

        foreach (var (name, state) in d.States)
        {
            var at = $"$.states.{name}";
            if (state.Final && state.Transitions.Count > 0)
                Problem($"{at}.transitions", "a final state cannot have transitions");
            if (!state.Final && state.Transitions.Count == 0)
                Problem(at, "this state has no way out: add a transition or mark it \"final\": true");
            if (state.Final && state.Tasks.Count > 0)
                Problem($"{at}.tasks", "a final state cannot open tasks: nothing could complete them");

            for (var i = 0; i < state.Handlers.Count; i++)
                if (!handlers.Contains(state.Handlers[i]))
                    Problem($"{at}.handlers[{i}]", $"unknown handler '{state.Handlers[i]}' (known: {(handlers.Count == 0 ? "none" : string.Join(", ", handlers))})");
            var triggers = state.Transitions.Select(t => t.Trigger).ToHashSet();
            for (var i = 0; i < state.Tasks.Count; i++)
                CheckTask(state.Tasks[i], $"{at}.tasks[{i}]", triggers, requireTriggers: true);
            for (var i = 0; i < state.Emails.Count; i++)
                CheckEmail(state.Emails[i], $"{at}.emails[{i}]", allowAssignee: false);
            for (var i = 0; i < state.Timers.Count; i++)
            {
                var timer = state.Timers[i];
                var tat = $"{at}.timers[{i}]";
                if (!WorkflowDuration.TryParse(timer.Offset, out _))
                    Problem($"{tat}.offset", $"'{timer.Offset}' is not an ISO 8601 duration such as P14D, -P3D or P3M");
                if (timer.From is not ("entered" or "taskDue") && !dateFields.Contains(timer.From))
                    Problem($"{tat}.from", $"'{timer.From}' is not entered, taskDue or a date field of this workflow");
                if (timer.From == "taskDue" && !state.Tasks.Any(t => t.Due is not null))
                    Problem($"{tat}.from", "taskDue needs a task with a due duration in this state");
                if ((timer.Fire is null ? 0 : 1) + (timer.Email is null ? 0 : 1) + (timer.Task is null ? 0 : 1) != 1)
                    Problem(tat, "a timer does exactly one thing: give it one of fire, email or task");
                if (timer.Fire is not null && !triggers.Contains(timer.Fire))
                    Problem($"{tat}.fire", $"no transition from '{name}' has the trigger '{timer.Fire}'");
                if (timer.Email is not null) CheckEmail(timer.Email, $"{tat}.email", allowAssignee: timer.From == "taskDue");
                if (timer.Task is not null) CheckTask(timer.Task, $"{tat}.task", triggers, requireTriggers: false);
            }
            for (var i = 0; i < state.Transitions.Count; i++)
            {
                var t = state.Transitions[i];
                var tat = $"{at}.transitions[{i}]";
                if (!d.States.ContainsKey(t.To))
                    Problem($"{tat}.to", $"target state '{t.To}' does not exist");
                foreach (var role in t.Roles.Where(r => !roles.Contains(r)))
                    Problem($"{tat}.roles", $"unknown role '{role}' (known: {string.Join(", ", roles)})");
                if (t.When is not null)
                {
                    try { conditions[t.When] = ConditionCompiler.Compile(t.When, d.Fields); }
                    catch (ConditionException e) { Problem($"{tat}.when", e.Message); }
                }
            }
        }

        d.Conditions = conditions;

        // Every state must be reachable from the initial one.
        if (d.States.ContainsKey(d.InitialState))
        {
            var seen = new HashSet<string> { d.InitialState };
            var queue = new Queue<string>([d.InitialState]);
            while (queue.Count > 0)
                foreach (var t in d.States[queue.Dequeue()].Transitions)
                    if (d.States.ContainsKey(t.To) && seen.Add(t.To)) queue.Enqueue(t.To);
            foreach (var name in d.States.Keys.Where(s => !seen.Contains(s)))
                Problem($"$.states.{name}", $"state '{name}' cannot be reached from the initial state '{d.InitialState}'");
        }

        void CheckTask(TaskDefinition task, string tat, HashSet<string> triggers, bool requireTriggers)
        {
            if (!roles.Contains(task.Role))
                Problem($"{tat}.role", $"unknown role '{task.Role}' (known: {string.Join(", ", roles)})");
            if (task.Due is not null && !WorkflowDuration.TryParse(task.Due, out _))
                Problem($"{tat}.due", $"'{task.Due}' is not an ISO 8601 duration such as P14D");
            if (task.DueFrom != "entered" && !dateFields.Contains(task.DueFrom))
                Problem($"{tat}.dueFrom", $"'{task.DueFrom}' is not entered or a date field of this workflow");
            if (requireTriggers)
                for (var j = 0; j < task.Outcomes.Count; j++)
                    if (!triggers.Contains(task.Outcomes[j]))
                        Problem($"{tat}.outcomes[{j}]", $"outcome '{task.Outcomes[j]}' has no transition with that trigger in this state");
            if (task.Form is not null)
            {
                if (forms.Find(task.Form) is not { } form)
                    Problem($"{tat}.form", $"unknown form '{task.Form}' (known: {(forms.All.Count == 0 ? "none" : string.Join(", ", forms.All.Select(f => f.Name).Order(StringComparer.Ordinal)))})");
                else
                    foreach (var needed in form.ActsOn.Where(o => !task.Outcomes.Contains(o)))
                        Problem($"{tat}.outcomes", $"the form '{form.Name}' acts on the outcome '{needed}', which this task does not offer");
            }
            for (var j = 0; j < task.Emails.Count; j++)
                CheckEmail(task.Emails[j], $"{tat}.emails[{j}]", allowAssignee: true);
        }

        void CheckEmail(EmailDefinition email, string eat, bool allowAssignee)
        {
            if (!templates.Exists(email.Template))
                Problem($"{eat}.template", $"no email template '{email.Template}' in {templates.Directory} (expected {email.Template}.txt.liquid)");
            if (email.To.StartsWith("role:", StringComparison.Ordinal) && !roles.Contains(email.To[5..]))
                Problem($"{eat}.to", $"unknown role '{email.To[5..]}' (known: {string.Join(", ", roles)})");
            if (email.To == "assignee" && !allowAssignee)
                Problem($"{eat}.to", "'assignee' is only known for a task's emails and taskDue timers");
        }
    }
}

/// <summary>
/// Checks and compiles one definition's JSON, as start-up does for a file: the schema, then meaning (states,
/// templates, roles, handlers, forms, conditions). Shared by the files and the versions published in the browser.
/// </summary>
public sealed class WorkflowCompiler
{
    private readonly JsonSchema _schema;
    private readonly JsonNode _schemaNode;
    private readonly IReadOnlyCollection<string> _roles;
    private readonly IReadOnlyCollection<string> _handlers;
    private readonly TaskFormCatalog _forms;

    internal WorkflowCompiler(string folder, JsonSchema schema, JsonNode schemaNode, EmailTemplates templates, IReadOnlyCollection<string> roles,
        IReadOnlyCollection<string> handlers, TaskFormCatalog forms)
    {
        (Folder, _schema, _schemaNode, Templates, _roles, _handlers, _forms) = (folder, schema, schemaNode, templates, roles, handlers, forms);
    }

    public string Folder { get; }
    public EmailTemplates Templates { get; }
    /// <summary>The roles a task or a transition may name.</summary>
    public IReadOnlyCollection<string> Roles => _roles;
    /// <summary>The state handlers the host registers, by the name a state's "handlers" uses.</summary>
    public IReadOnlyCollection<string> Handlers => _handlers;
    /// <summary>The task forms the host registers, by the name a task's "form" uses.</summary>
    public TaskFormCatalog Forms => _forms;

    /// <summary>The definition, or null with every problem added (each with <paramref name="file"/> and its JSON path).</summary>
    public WorkflowDefinition? Compile(string json, string file, List<WorkflowProblem> problems)
    {
        var before = problems.Count;
        var definition = WorkflowLoader.Read(json, file, _schema, _schemaNode, problems);
        if (definition is not null) WorkflowLoader.Check(definition, file, Templates, _roles, _handlers, _forms, problems);
        return problems.Count == before ? definition : null;
    }
}
