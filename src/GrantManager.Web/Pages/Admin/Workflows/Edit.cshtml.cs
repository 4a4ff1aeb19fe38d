using System.Text.Json.Nodes;
using GrantManager.Core;
using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace GrantManager.Web.Pages.Admin.Workflows;

/// <summary>
/// Changes a workflow: a form of its stages, tasks, timers, ways on and emails offering what the runtime knows,
/// or its JSON as text. Check names every problem with the loader's message and JSON path; the draft's diagram and
/// its differences from the active version are shown; Publish, with a reason, makes it the next version. Every
/// button posts the whole draft, and every answer shows it again, so nothing typed is lost.
/// </summary>
public sealed class EditModel(WorkflowCatalog catalog, WorkflowVersions versions, WorkflowActors actors) : PageModel, Forms.IReadsOwnFields
{
    private static readonly string[] FixedRecipients = ["applicant", "assignee"];
    private static readonly string[] FixedAnchors = ["entered", "taskDue"];

    /// <summary>The form's fields named by JSON path (f:KIND:PATH), read by <see cref="Apply"/>.</summary>
    public bool Reads(string field) => field.StartsWith("f:", StringComparison.Ordinal);

    public sealed class DraftForm
    {
        public string? Json { get; set; }
        public string? Reason { get; set; }
    }

    /// <summary>A reminder to add to a stage: an email at an offset from an anchor.</summary>
    public sealed class TimerForm
    {
        public string? Stage { get; set; }
        public string? Offset { get; set; }
        public string? From { get; set; }
        public string? Template { get; set; }
        public string? To { get; set; }
    }

    /// <summary>One value of the definition in the form, named by its JSON path. Kind: t text, a long text, s choice, i number, l list, b yes/no.</summary>
    /// <param name="Condition">A condition (a way on's "when"): offered the definition's fields and checked as it is typed.</param>
    public sealed record Field(string Path, char Kind, string Label, string? Value, IReadOnlyList<string>? Choices = null, string? Hint = null, bool Condition = false)
    {
        public string Id => FieldId(Path);
        public string Name => $"f:{Kind}:{Path}";
    }

    /// <param name="Path">The part's JSON path, which its Remove button names.</param>
    public sealed record Group(string Heading, List<Field> Fields, string? Path = null, string? Part = null);
    public sealed record StageForm(string Name, string Heading, List<Group> Groups);

    [BindProperty(SupportsGet = true)] public string Id { get; set; } = "";
    /// <summary>"form" (the default) or "json".</summary>
    [BindProperty(SupportsGet = true)] public string? View { get; set; }
    [BindProperty(Name = "Input")] public DraftForm Input { get; set; } = new();
    [BindProperty(Name = "NewTimer")] public TimerForm NewTimer { get; set; } = new();
    /// <summary>The name of a stage to add, as the definition names stages (like site-visit).</summary>
    [BindProperty(Name = "NewStage")] public string? NewStage { get; set; }

    public WorkflowDefinition Active { get; private set; } = null!;
    public WorkflowDefinition? Draft { get; private set; }
    public List<WorkflowProblem> Problems { get; private set; } = [];
    public List<WorkflowDrafts.DiffLine> Diff { get; private set; } = [];
    public List<StageForm> Stages { get; private set; } = [];
    public bool Checked { get; private set; }
    public bool JsonView => View == "json";

    public IReadOnlyList<string> StageNames { get; private set; } = [];
    public IReadOnlyList<string> Templates { get; private set; } = [];
    public IReadOnlyList<string> Recipients { get; private set; } = [];
    public IReadOnlyList<string> Anchors { get; private set; } = [];
    /// <summary>The names a condition may use: the draft's fields (with their kinds) and the built-in ones.</summary>
    public IReadOnlyList<(string Name, string Kind)> ConditionNames { get; private set; } = [];
    /// <summary>", like FIELD <= 5000" for a numeric field of the draft, or nothing.</summary>
    public string ConditionExample { get; private set; } = "";

    public static string FieldId(string path) => "f" + System.Text.RegularExpressions.Regex.Replace(path, "[^A-Za-z0-9]+", "-").TrimEnd('-');

    public IActionResult OnGet()
    {
        if (!Load()) return NotFound();
        Input.Json = WorkflowDrafts.Format(Active.Source);
        Prepare(check: false);
        return Page();
    }

    /// <summary>Checks the draft as start-up would, showing every problem where it is.</summary>
    public IActionResult OnPostCheck()
    {
        if (!Load()) return NotFound();
        ModelState.Clear();
        Apply();
        Prepare(check: true);
        return Page();
    }

    /// <summary>Shows the draft in the other view, as it stands.</summary>
    public IActionResult OnPostSwitch(string? to)
    {
        if (!Load()) return NotFound();
        ModelState.Clear();
        Apply();
        View = to == "json" ? "json" : "form";
        if (!JsonView && WorkflowDrafts.Parse(Input.Json) is null)
        {
            View = "json";
            ModelState.AddModelError("Input.Json", "$: the JSON does not parse, so the form cannot show it: correct it here first");
        }
        Prepare(check: false);
        return Page();
    }

    /// <summary>Adds a reminder email to a stage, then checks the draft.</summary>
    public IActionResult OnPostAddTimer()
    {
        if (!Load()) return NotFound();
        ModelState.Clear();
        Apply();
        var node = WorkflowDrafts.Parse(Input.Json);
        var state = node?["states"]?[NewTimer.Stage ?? ""] as JsonObject;
        if (state is null) ModelState.AddModelError("NewTimer.Stage", "Choose the stage the reminder belongs to");
        if (string.IsNullOrWhiteSpace(NewTimer.Offset)) ModelState.AddModelError("NewTimer.Offset", "Enter when the reminder is sent, like -P3D for 3 days before");
        if (string.IsNullOrWhiteSpace(NewTimer.Template)) ModelState.AddModelError("NewTimer.Template", "Choose the email to send");
        if (string.IsNullOrWhiteSpace(NewTimer.To)) ModelState.AddModelError("NewTimer.To", "Choose who the email goes to");
        if (ModelState.IsValid)
        {
            var timers = state!["timers"] as JsonArray ?? (JsonArray)(state["timers"] = new JsonArray());
            var ids = node!["states"]!.AsObject().SelectMany(s => (s.Value?["timers"] as JsonArray ?? []).Select(t => t?["id"]?.ToString())).ToHashSet();
            var n = 1;
            while (ids.Contains($"reminder-{n}")) n++;
            var timer = new JsonObject { ["id"] = $"reminder-{n}", ["offset"] = NewTimer.Offset!.Trim() };
            if (!string.IsNullOrEmpty(NewTimer.From) && NewTimer.From != "entered") timer["from"] = NewTimer.From;
            timer["email"] = new JsonObject { ["template"] = NewTimer.Template, ["to"] = NewTimer.To };
            timers.Add(timer);
            Input.Json = WorkflowDrafts.Format(node);
            NewTimer = new TimerForm();
            Prepare(check: true);
        }
        else Prepare(check: false);
        return Page();
    }

    /// <summary>
    /// Checks one condition of the draft as it is typed (the page's script posts the whole form, debounced): the
    /// loader's own parser and type check against the draft's fields. Answers {path, message}; message is null when it holds.
    /// </summary>
    public IActionResult OnPostCheckCondition(string? path)
    {
        if (!Load()) return NotFound();
        ModelState.Clear();
        Apply();
        if (string.IsNullOrEmpty(path) || !path.StartsWith("$.states.", StringComparison.Ordinal) || !path.EndsWith(".when", StringComparison.Ordinal))
            return BadRequest(new { path, message = "Name the condition to check by its JSON path, like $.states.review.transitions[0].when" });
        var node = WorkflowDrafts.Parse(Input.Json);
        if (node is null) return new JsonResult(new { path, message = (string?)"$: the JSON does not parse, so the condition cannot be checked" });
        return new JsonResult(new { path, message = ConditionProblem(node, path, WorkflowDrafts.Get(node, path)?.ToString()) });
    }

    /// <summary>The loader's message for a condition, named by its path as Check names it; null when it holds (or is empty: no condition).</summary>
    public static string? ConditionProblem(JsonObject draft, string path, string? condition)
    {
        if (string.IsNullOrWhiteSpace(condition)) return null;
        var fields = new Dictionary<string, FieldDefinition>(StringComparer.Ordinal);
        foreach (var (name, value) in draft["fields"] as JsonObject ?? [])
            fields[name] = new FieldDefinition { Type = value?["type"]?.ToString() ?? "text" };
        try
        {
            ConditionCompiler.Compile(condition, fields);
            return null;
        }
        catch (ConditionException e) { return $"{path}: {e.Message}"; }
    }

    /// <summary>The draft's diagram as it stands, for the page's script to draw after each change; a sentence when the draft does not load.</summary>
    public IActionResult OnPostPreview()
    {
        if (!Load()) return NotFound();
        ModelState.Clear();
        Apply();
        catalog.Check(Input.Json ?? "", out var draft);
        Draft = draft;
        return Partial("_DraftDiagram", this);
    }

    /// <summary>Adds a stage with the name given, with nothing in it yet.</summary>
    public IActionResult OnPostAddStage()
    {
        if (!Load()) return NotFound();
        ModelState.Clear();
        Apply();
        var node = WorkflowDrafts.Parse(Input.Json);
        var name = NewStage?.Trim() ?? "";
        if (node is null) ModelState.AddModelError("Input.Json", "$: the JSON does not parse: correct it as JSON first");
        else if (name.Length == 0) ModelState.AddModelError(nameof(NewStage), "Enter the new stage's name, like site-visit");
        else if (!System.Text.RegularExpressions.Regex.IsMatch(name, "^[a-z][a-z0-9-]*$"))
            ModelState.AddModelError(nameof(NewStage), "The stage's name must start with a small letter and have only small letters, digits and hyphens, like site-visit");
        else if (node["states"]?[name] is not null) ModelState.AddModelError(nameof(NewStage), $"There is already a stage named {name}");
        if (ModelState.IsValid)
        {
            var states = node!["states"] as JsonObject ?? (JsonObject)(node["states"] = new JsonObject());
            states[name] = new JsonObject();
            Input.Json = WorkflowDrafts.Format(node);
            NewStage = null;
            Added = FieldId($"$.states.{name}.title");
        }
        Prepare(check: false);
        return Page();
    }

    /// <summary>Adds a blank task, way on, or email on entering to a stage (<paramref name="part"/>: tasks, transitions, emails).</summary>
    public IActionResult OnPostAdd(string? stage, string? part)
    {
        if (!Load()) return NotFound();
        ModelState.Clear();
        Apply();
        var node = WorkflowDrafts.Parse(Input.Json);
        if (node?["states"]?[stage ?? ""] is not JsonObject state || part is not ("tasks" or "transitions" or "emails")) return BadRequest();
        var list = state[part] as JsonArray ?? (JsonArray)(state[part] = new JsonArray());
        var added = new JsonObject();
        if (part == "tasks")
        {
            // A task needs an id, which the form does not show: the next free one.
            var ids = ((node["states"] as JsonObject) ?? []).SelectMany(s => (s.Value?["tasks"] as JsonArray ?? []).Select(t => t?["id"]?.ToString())).ToHashSet();
            var n = 1;
            while (ids.Contains($"task-{n}")) n++;
            added["id"] = $"task-{n}";
        }
        list.Add(added);
        Input.Json = WorkflowDrafts.Format(node);
        Added = FieldId($"$.states.{stage}.{part}[{list.Count - 1}].{part switch { "tasks" => "title", "transitions" => "trigger", _ => "template" }}");
        Prepare(check: false);
        return Page();
    }

    /// <summary>
    /// Removes a stage, or one task, timer, way on or email of a stage, named by its JSON path. A stage another stage
    /// still leads to, or the one cases start at, is not removed: the loader would refuse the draft.
    /// </summary>
    public IActionResult OnPostRemove(string? path)
    {
        if (!Load()) return NotFound();
        ModelState.Clear();
        Apply();
        var node = WorkflowDrafts.Parse(Input.Json);
        if (node is null || string.IsNullOrEmpty(path) || !path.StartsWith("$.states.", StringComparison.Ordinal)) return BadRequest();
        List<object> segments;
        try { segments = WorkflowDrafts.Segments(path); }
        catch (FormatException) { return BadRequest(); }
        if (WorkflowDrafts.Get(node, path) is null) return BadRequest();
        if (segments.Count == 2 && segments[1] is string stage)
        {
            var title = node["states"]?[stage]?["title"]?.ToString() is { Length: > 0 } t ? t : stage;
            var leading = ((node["states"] as JsonObject) ?? []).Where(s => s.Key != stage)
                .Where(s => (s.Value?["transitions"] as JsonArray ?? []).Any(x => x?["to"]?.ToString() == stage))
                .Select(s => s.Value?["title"]?.ToString() is { Length: > 0 } other ? other : s.Key).ToList();
            if (node["initialState"]?.ToString() == stage)
                ModelState.AddModelError(path, $"{path}: '{title}' cannot be removed: every case starts at it (initialState)");
            else if (leading.Count > 0)
                ModelState.AddModelError(path, $"{path}: '{title}' cannot be removed: {string.Join(", ", leading.Select(l => $"'{l}'"))} still {(leading.Count == 1 ? "leads" : "lead")} to it. Change or remove those ways on first");
        }
        else if (segments is not [_, string, "tasks" or "timers" or "transitions" or "emails", int]) return BadRequest();
        if (ModelState.IsValid)
        {
            WorkflowDrafts.Set(node, path, null);
            Input.Json = WorkflowDrafts.Format(node);
        }
        Prepare(check: false);
        return Page();
    }

    /// <summary>The id of the first field of the part just added, which has the focus when the page comes back.</summary>
    public string? Added { get; private set; }

    /// <summary>Publishes the draft as the next version, with the reason.</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        if (!Load()) return NotFound();
        ModelState.Clear();
        Apply();
        if (string.IsNullOrWhiteSpace(Input.Reason))
        {
            ModelState.AddModelError("Input.Reason", "Give the reason for the change: it is kept with the version");
            Prepare(check: true);
            return Page();
        }
        try
        {
            var published = await versions.PublishAsync(Id, Input.Json, Input.Reason, await actors.ForAsync(User));
            TempData["Success"] = $"{published.Name} version {published.Version} has been published: new cases start on it, running cases stay on theirs";
            return Redirect("/Admin/Workflows");
        }
        catch (InputException e)
        {
            foreach (var (path, messages) in e.Errors)
                foreach (var m in messages)
                    if (path == "reason") ModelState.AddModelError("Input.Reason", m);
                    else AddProblem(path, m);
        }
        catch (ConflictException e)
        {
            ModelState.AddModelError("Input.Json", e.Message);
        }
        Prepare(check: false);
        return Page();
    }

    private bool Load()
    {
        if (catalog.Current.Find(Id) is not { } active) return false;
        Active = active;
        View = View == "json" ? "json" : "form";
        Templates = catalog.Compiler.Templates.Names().Order(StringComparer.Ordinal).ToList();
        Recipients = FixedRecipients.Concat(catalog.Compiler.Roles.Select(r => "role:" + r)).ToList();
        return true;
    }

    /// <summary>The form's values, each named by its JSON path, written into the draft (the JSON view posts the text itself).</summary>
    private void Apply()
    {
        if (JsonView) return;
        var node = WorkflowDrafts.Parse(Input.Json);
        if (node is null) return;
        foreach (var (key, values) in Request.Form)
        {
            if (!key.StartsWith("f:", StringComparison.Ordinal) || key.Length < 4) continue;
            var kind = key[2];
            var path = key[4..];
            var text = values.ToString().Trim();
            JsonNode? value = kind switch
            {
                'h' => Request.Form.ContainsKey("f:b:" + path) ? true : null,
                'i' => text.Length == 0 ? null : int.TryParse(text, out var n) ? n : text,
                'l' => text.Length == 0 ? null : new JsonArray(text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => (JsonNode?)s).ToArray()),
                't' or 'a' or 's' => text.Length == 0 ? null : text.Replace("\r\n", "\n"),
                _ => WorkflowDrafts.Get(node, path)?.DeepClone(),
            };
            if (kind == 'b') continue;
            WorkflowDrafts.Set(node, path, value);
        }
        Input.Json = WorkflowDrafts.Format(node);
    }

    private void Prepare(bool check)
    {
        var json = Input.Json ?? "";
        var problems = catalog.Check(json, out var draft);
        Draft = draft;
        Diff = WorkflowDrafts.Diff(WorkflowDrafts.Format(Active.Source), WorkflowDrafts.Format(json));
        var node = WorkflowDrafts.Parse(json);
        ConditionNames = ((node?["fields"] as JsonObject) ?? []).Select(f => (f.Key, f.Value?["type"]?.ToString() ?? "text"))
            .Concat(ConditionCompiler.BuiltInNames.Select(n => (n, "built in"))).ToList();
        // The example names one of this draft's own numeric fields; a workflow without one gets none.
        ConditionExample = ConditionNames.FirstOrDefault(n => n.Kind is "money" or "number").Name is { } numeric ? $", like {numeric} <= 5000" : "";
        if (!JsonView && node is not null) Stages = Build(node);
        StageNames = (node?["states"] as JsonObject)?.Select(s => s.Key).ToList() ?? [];
        var dates = (node?["fields"] as JsonObject)?.Where(f => f.Value?["type"]?.ToString() == "date").Select(f => f.Key).ToList() ?? [];
        Anchors = FixedAnchors.Concat(dates).ToList();
        if (check)
        {
            Checked = true;
            Problems = problems;
            foreach (var p in problems) AddProblem(p.JsonPath, p.Message);
        }
        ViewData["ErrorLinks"] = ErrorLinks();
    }

    private void AddProblem(string path, string message) => ModelState.AddModelError(path, $"{path}: {message}");

    /// <summary>Each problem links to its field, or the nearest one about the same part, or the JSON text.</summary>
    private Dictionary<string, string> ErrorLinks()
    {
        var paths = Stages.SelectMany(s => s.Groups).SelectMany(g => g.Fields).Select(f => f.Path).ToList();
        var links = new Dictionary<string, string>();
        foreach (var key in ModelState.Keys.Where(k => k.StartsWith('$')))
        {
            if (JsonView) { links[key] = "#Input_Json"; continue; }
            var target = paths.FirstOrDefault(p => p == key) ?? paths.FirstOrDefault(p => p.StartsWith(key + ".", StringComparison.Ordinal) || p.StartsWith(key + "[", StringComparison.Ordinal));
            for (var up = key; target is null && up.Length > 1;)
            {
                var cut = Math.Max(up.LastIndexOf('.'), up.LastIndexOf('['));
                if (cut <= 0) break;
                up = up[..cut];
                target = paths.FirstOrDefault(p => p == up) ?? paths.FirstOrDefault(p => p.StartsWith(up + ".", StringComparison.Ordinal) || p.StartsWith(up + "[", StringComparison.Ordinal));
            }
            links[key] = target is null ? "#draft-form" : "#" + FieldId(target);
        }
        return links;
    }

    private List<StageForm> Build(JsonObject node)
    {
        var roles = catalog.Compiler.Roles.Order(StringComparer.Ordinal).ToList();
        var forms = catalog.Compiler.Forms.All.Select(f => f.Name).Order(StringComparer.Ordinal).Prepend("").ToList();
        var stages = (node["states"] as JsonObject)?.Select(s => s.Key).ToList() ?? [];
        var dates = (node["fields"] as JsonObject)?.Where(f => f.Value?["type"]?.ToString() == "date").Select(f => f.Key).ToList() ?? [];
        string? S(JsonNode? n) => n is null ? null : n.GetValueKind() == System.Text.Json.JsonValueKind.String ? n.GetValue<string>() : n.ToJsonString();
        string? L(JsonNode? n) => n is JsonArray a ? string.Join(", ", a.Select(x => x?.ToString())) : S(n);
        IReadOnlyList<string> With(IReadOnlyList<string> choices, string? current, bool optional = false)
        {
            var list = choices.ToList();
            if (current is not null && !list.Contains(current)) list.Insert(0, current);
            if (optional && !list.Contains("")) list.Insert(0, "");
            return list;
        }
        const string Duration = "ISO 8601, like P5D (5 days), P2W, P1M; -P3D is 3 days before";

        var result = new List<StageForm>();
        foreach (var (name, value) in (node["states"] as JsonObject) ?? [])
        {
            if (value is not JsonObject state) continue;
            var p = $"$.states.{name}";
            var title = S(state["title"]) ?? name;
            var groups = new List<Group>
            {
                new("Stage", [
                    new($"{p}.title", 't', "Title", S(state["title"])),
                    new($"{p}.status", 't', "Status shown", S(state["status"]), Hint: "A short code such as submitted or due"),
                    new($"{p}.description", 'a', "Description", S(state["description"])),
                    new($"{p}.handlers", 'l', "Handlers", L(state["handlers"]), Hint: "Separated by commas. Registered: " + string.Join(", ", catalog.Compiler.Handlers.Order(StringComparer.Ordinal))),
                    new($"{p}.final", 'b', "Cases end at this stage", state["final"]?.ToString() == "true" ? "true" : null),
                ]),
            };
            var tasks = state["tasks"] as JsonArray ?? [];
            for (var i = 0; i < tasks.Count; i++)
            {
                var t = tasks[i];
                var tp = $"{p}.tasks[{i}]";
                groups.Add(new($"Task {i + 1}: {S(t?["title"])}", Path: tp, Part: $"task {i + 1}", Fields: [
                    new($"{tp}.title", 't', "Title", S(t?["title"])),
                    new($"{tp}.role", 's', "Role", S(t?["role"]), With(roles, S(t?["role"]))),
                    new($"{tp}.outcomes", 'l', "Outcomes", L(t?["outcomes"]), Hint: "Separated by commas; each outcome's title is the title of its way on"),
                    new($"{tp}.due", 't', "Due", S(t?["due"]), Hint: Duration),
                    new($"{tp}.dueFrom", 's', "Due counted from", S(t?["dueFrom"]), With(dates.Prepend("entered").ToList(), S(t?["dueFrom"]), optional: true)),
                    new($"{tp}.form", 's', "Form", S(t?["form"]), With(forms, S(t?["form"]))),
                    new($"{tp}.requiresConflictDeclaration", 'b', "A conflict of interest is declared first", t?["requiresConflictDeclaration"]?.ToString() == "true" ? "true" : null),
                    new($"{tp}.count", 'i', "How many different people", S(t?["count"])),
                ]));
            }
            var timers = state["timers"] as JsonArray ?? [];
            var triggers = (state["transitions"] as JsonArray ?? []).Select(x => S(x?["trigger"]) ?? "").Where(x => x.Length > 0).Distinct().ToList();
            for (var i = 0; i < timers.Count; i++)
            {
                var t = timers[i];
                var tp = $"{p}.timers[{i}]";
                var list = new List<Field>
                {
                    new($"{tp}.offset", 't', "When", S(t?["offset"]), Hint: Duration),
                    new($"{tp}.from", 's', "Counted from", S(t?["from"]), With(FixedAnchors.Concat(dates).ToList(), S(t?["from"]), optional: true)),
                };
                if (t?["fire"] is not null) list.Add(new($"{tp}.fire", 's', "Moves the case on with", S(t["fire"]), With(triggers, S(t["fire"]))));
                if (t?["email"] is not null)
                {
                    list.Add(new($"{tp}.email.template", 's', "Sends the email", S(t["email"]!["template"]), With(Templates, S(t["email"]!["template"]))));
                    list.Add(new($"{tp}.email.to", 's', "To", S(t["email"]!["to"]), With(Recipients, S(t["email"]!["to"]))));
                }
                if (t?["task"] is not null)
                {
                    list.Add(new($"{tp}.task.title", 't', "Opens the task", S(t["task"]!["title"])));
                    list.Add(new($"{tp}.task.role", 's', "For", S(t["task"]!["role"]), With(roles, S(t["task"]!["role"]))));
                    list.Add(new($"{tp}.task.due", 't', "Task due", S(t["task"]!["due"]), Hint: Duration));
                }
                groups.Add(new($"Timer {i + 1}: {S(t?["id"])}", list, tp, $"timer {i + 1}"));
            }
            var transitions = state["transitions"] as JsonArray ?? [];
            for (var i = 0; i < transitions.Count; i++)
            {
                var t = transitions[i];
                var tp = $"{p}.transitions[{i}]";
                groups.Add(new($"Way on {i + 1}: {S(t?["title"]) ?? S(t?["trigger"])}", Path: tp, Part: $"way on {i + 1}", Fields: [
                    new($"{tp}.trigger", 't', "Trigger (an outcome, a timer's trigger or an action)", S(t?["trigger"])),
                    new($"{tp}.title", 't', "Title", S(t?["title"])),
                    new($"{tp}.to", 's', "Goes to", S(t?["to"]), With(stages, S(t?["to"]))),
                    new($"{tp}.when", 't', "Only when", S(t?["when"]), Hint: "A condition" + ConditionExample + ", checked as you type. Names: " + string.Join(", ", ConditionNames.Select(n => $"{n.Name} ({n.Kind})")), Condition: true),
                    new($"{tp}.roles", 'l', "Who may take it directly", L(t?["roles"]), Hint: "Roles separated by commas: " + string.Join(", ", roles)),
                ]));
            }
            var emails = state["emails"] as JsonArray ?? [];
            for (var i = 0; i < emails.Count; i++)
            {
                var e = emails[i];
                var ep = $"{p}.emails[{i}]";
                groups.Add(new($"Email {i + 1} on entering", Path: ep, Part: $"email {i + 1}", Fields: [
                    new($"{ep}.template", 's', "Email", S(e?["template"]), With(Templates, S(e?["template"]))),
                    new($"{ep}.to", 's', "To", S(e?["to"]), With(Recipients, S(e?["to"]))),
                ]));
            }
            result.Add(new StageForm(name, title, groups));
        }
        return result;
    }
}
