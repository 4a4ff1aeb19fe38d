using System.Text.Json.Nodes;
using GrantManager.Core.Data;
using GrantManager.Core.Email;
using GrantManager.Core.Workflows;

namespace GrantManager.Tests.Workflows;

/// <summary>One test per loader rule: each problem names the file, the JSON path and what is wrong.</summary>
public sealed class WorkflowLoaderTests : IDisposable
{
    private readonly WorkflowFolder _folder = new(withTestDefinitions: false);

    public WorkflowLoaderTests()
    {
        // Only the definitions each test writes.
        foreach (var file in Directory.GetFiles(_folder.Path, "*.json").Where(f => !f.EndsWith(WorkflowLoader.SchemaFile)))
            File.Delete(file);
    }

    public void Dispose() => _folder.Dispose();

    private const string Valid = """
        {
          "id": "small", "version": 1, "name": "Small", "initialState": "open",
          "fields": { "amount": { "type": "money" }, "due": { "type": "date" } },
          "states": {
            "open": {
              "tasks": [ { "id": "check", "title": "Check", "role": "GrantOfficer", "outcomes": ["accept", "refuse"], "due": "P5D" } ],
              "emails": [ { "template": "application-submitted", "to": "applicant" } ],
              "timers": [ { "id": "remind", "offset": "-P1D", "from": "taskDue", "email": { "template": "task-reminder", "to": "assignee" } } ],
              "transitions": [
                { "trigger": "accept", "to": "done", "when": "amount <= 5000" },
                { "trigger": "accept", "to": "done" },
                { "trigger": "refuse", "to": "done" }
              ]
            },
            "done": { "final": true }
          }
        }
        """;

    private WorkflowRegistry Load() =>
        WorkflowLoader.Load(_folder.Path, new EmailTemplates(Path.Combine(_folder.Path, "templates")), Roles.All, forms: Core.Tasks.GrantTaskForms.Catalog());

    private IReadOnlyList<WorkflowProblem> Problems(Action<JsonObject> change, string file = "small.json")
    {
        var node = JsonNode.Parse(Valid)!.AsObject();
        change(node);
        _folder.Write(file, node.ToJsonString());
        return Assert.Throws<WorkflowLoadException>(Load).Problems;
    }

    private static void AssertProblem(IReadOnlyList<WorkflowProblem> problems, string path, string message, string file = "small.json") =>
        Assert.Contains(problems, p => p.File == file && p.JsonPath == path && p.Message.Contains(message, StringComparison.Ordinal));

    private static JsonObject State(JsonObject d, string name) => d["states"]![name]!.AsObject();

    [Fact]
    public void The_valid_definition_loads_with_its_conditions_compiled()
    {
        _folder.Write("small.json", Valid);
        var definition = Load().Find("small")!;
        Assert.Equal(1, definition.Version);
        Assert.True(definition.Conditions["amount <= 5000"].Evaluate(new ConditionContext
        {
            Fields = new Dictionary<string, System.Text.Json.JsonElement> { ["amount"] = System.Text.Json.JsonSerializer.SerializeToElement(4999.99m) },
        }));
    }

    [Fact]
    public void The_repository_workflows_load()
    {
        var registry = WorkflowLoader.Load(WorkflowFolder.FindRepositoryWorkflows(),
            new EmailTemplates(Path.Combine(WorkflowFolder.FindRepositoryWorkflows(), "templates")), Roles.All,
            ["award-grant", "return-status", "accept-return", "record-payment", "payment-held", "payment-due", "closure-status", "apply-variation", "refuse-variation"], Core.Tasks.GrantTaskForms.Catalog());
        Assert.NotNull(registry.Find("grant-application"));
        Assert.NotNull(registry.Find("variation"));
        Assert.NotNull(registry.Find("monitoring-return"));
        Assert.NotNull(registry.Find("instalment-payment"));
        // Every reminder and the escalation are durations in the definition, not in code.
        var due = registry.Find("monitoring-return")!.State("due");
        Assert.Equal(["-P3D", "P0D", "P7D", "P14D"], due.Timers.Select(t => t.Offset));
        Assert.Equal("-P14D", registry.Find("monitoring-return")!.State("upcoming").Timers.Single().Offset);
    }

    [Fact]
    public void Text_that_is_not_JSON_is_reported_with_its_place()
    {
        _folder.Write("broken.json", "{ \"id\": \"broken\", ");
        var problem = Assert.Single(Assert.Throws<WorkflowLoadException>(Load).Problems);
        Assert.Equal("broken.json", problem.File);
        Assert.StartsWith("not valid JSON", problem.Message);
    }

    [Fact]
    public void A_missing_required_property_breaks_the_schema() =>
        AssertProblem(Problems(d => d.Remove("initialState")), "$", "initialState");

    [Fact]
    public void An_unknown_property_breaks_the_schema() =>
        AssertProblem(Problems(d => State(d, "open")["colour"] = "red"), "$.states.open", "unknown property 'colour'");

    [Fact]
    public void A_timer_must_do_exactly_one_thing() =>
        AssertProblem(Problems(d => State(d, "open")["timers"]![0]!["fire"] = "accept"), "$.states.open.timers[0]", "a timer does exactly one thing");

    [Fact]
    public void A_malformed_duration_breaks_the_schema() =>
        AssertProblem(Problems(d => State(d, "open")["tasks"]![0]!["due"] = "5 days"), "$.states.open.tasks[0].due",
            "this value is not in the expected form: ISO 8601 duration such as P14D, -P3D, P0D, P3M or PT12H.");

    [Fact]
    public void A_malformed_recipient_breaks_the_schema() =>
        AssertProblem(Problems(d => State(d, "open")["emails"]![0]!["to"] = "everyone"), "$.states.open.emails[0].to",
            "this value is not in the expected form: applicant, assignee, role:NAME or email:ADDRESS.");

    [Fact]
    public void An_unknown_initial_state_is_reported() =>
        AssertProblem(Problems(d => d["initialState"] = "opened"), "$.initialState", "initial state 'opened' is not one of the states (open, done)");

    [Fact]
    public void An_unknown_target_state_is_reported() =>
        AssertProblem(Problems(d => State(d, "open")["transitions"]![2]!["to"] = "finished"), "$.states.open.transitions[2].to", "target state 'finished' does not exist");

    [Fact]
    public void An_unreachable_state_is_reported() =>
        AssertProblem(Problems(d => d["states"]!["orphan"] = new JsonObject { ["final"] = true }), "$.states.orphan", "cannot be reached from the initial state 'open'");

    [Fact]
    public void A_state_with_no_way_out_that_is_not_final_is_reported() =>
        AssertProblem(Problems(d => State(d, "done")["final"] = false), "$.states.done", "this state has no way out");

    [Fact]
    public void A_final_state_with_transitions_is_reported() =>
        AssertProblem(Problems(d => State(d, "done")["transitions"] = JsonNode.Parse("""[ { "trigger": "reopen", "to": "open" } ]""")),
            "$.states.done.transitions", "a final state cannot have transitions");

    [Fact]
    public void A_final_state_with_tasks_is_reported() =>
        AssertProblem(Problems(d => State(d, "done")["tasks"] = JsonNode.Parse("""[ { "id": "x", "title": "X", "role": "GrantOfficer", "outcomes": ["y"] } ]""")),
            "$.states.done.tasks", "a final state cannot open tasks");

    [Fact]
    public void An_unknown_email_template_is_reported() =>
        AssertProblem(Problems(d => State(d, "open")["emails"]![0]!["template"] = "no-such-letter"), "$.states.open.emails[0].template", "no email template 'no-such-letter'");

    [Fact]
    public void An_unknown_role_on_a_task_is_reported() =>
        AssertProblem(Problems(d => State(d, "open")["tasks"]![0]!["role"] = "Treasurer"), "$.states.open.tasks[0].role", "unknown role 'Treasurer'");

    [Fact]
    public void An_unknown_role_on_a_transition_is_reported() =>
        AssertProblem(Problems(d => State(d, "open")["transitions"]![2]!["roles"] = new JsonArray("Mayor")), "$.states.open.transitions[2].roles", "unknown role 'Mayor'");

    [Fact]
    public void An_unknown_role_as_email_recipient_is_reported() =>
        AssertProblem(Problems(d => State(d, "open")["emails"]![0]!["to"] = "role:Auditor"), "$.states.open.emails[0].to", "unknown role 'Auditor'");

    [Fact]
    public void Assignee_is_refused_where_there_is_no_task() =>
        AssertProblem(Problems(d => State(d, "open")["emails"]![0]!["to"] = "assignee"), "$.states.open.emails[0].to", "'assignee' is only known");

    [Fact]
    public void A_timer_from_an_unknown_field_is_reported() =>
        AssertProblem(Problems(d => State(d, "open")["timers"]![0]!["from"] = "deadline"), "$.states.open.timers[0].from", "'deadline' is not entered, taskDue or a date field");

    [Fact]
    public void A_timer_from_a_date_field_loads()
    {
        _folder.Write("small.json", Valid.Replace("\"from\": \"taskDue\"", "\"from\": \"due\"").Replace("\"to\": \"assignee\"", "\"to\": \"role:GrantOfficer\""));
        Assert.NotNull(Load().Find("small"));
    }

    [Fact]
    public void A_timer_firing_a_trigger_the_state_does_not_have_is_reported() =>
        AssertProblem(Problems(d => State(d, "open")["timers"] = JsonNode.Parse("""[ { "id": "t", "offset": "P1D", "fire": "expire" } ]""")),
            "$.states.open.timers[0].fire", "no transition from 'open' has the trigger 'expire'");

    [Fact]
    public void A_task_outcome_with_no_transition_is_reported() =>
        AssertProblem(Problems(d => State(d, "open")["tasks"]![0]!["outcomes"] = new JsonArray("accept", "refuse", "defer")),
            "$.states.open.tasks[0].outcomes[2]", "outcome 'defer' has no transition");

    [Fact]
    public void A_condition_on_an_unknown_field_is_reported() =>
        AssertProblem(Problems(d => State(d, "open")["transitions"]![0]!["when"] = "grantTotal <= 5000"),
            "$.states.open.transitions[0].when", "'grantTotal' is not a field of this workflow");

    [Fact]
    public void A_condition_comparing_different_kinds_is_reported() =>
        AssertProblem(Problems(d => State(d, "open")["transitions"]![0]!["when"] = "amount == \"five\""),
            "$.states.open.transitions[0].when", "cannot compare a number with a text");

    [Fact]
    public void A_condition_that_does_not_parse_is_reported() =>
        AssertProblem(Problems(d => State(d, "open")["transitions"]![0]!["when"] = "amount <= 5000 and"),
            "$.states.open.transitions[0].when", "ends too early");

    [Fact]
    public void An_unknown_handler_is_reported() =>
        AssertProblem(Problems(d => State(d, "done")["handlers"] = new JsonArray("pay-everyone")), "$.states.done.handlers[0]", "unknown handler 'pay-everyone'");

    [Fact]
    public void An_unknown_form_is_reported_with_the_forms_there_are() =>
        AssertProblem(Problems(d => State(d, "open")["tasks"]![0]!["form"] = "assesment"), "$.states.open.tasks[0].form",
            "unknown form 'assesment' (known: assessment, decision, payment, repayment, return-review, variation-review)");

    [Fact]
    public void A_form_on_a_task_without_the_outcome_it_acts_on_is_reported() =>
        AssertProblem(Problems(d => State(d, "open")["tasks"]![0]!["form"] = "payment"), "$.states.open.tasks[0].outcomes",
            "the form 'payment' acts on the outcome 'paid', which this task does not offer");

    [Fact]
    public void The_same_id_and_version_twice_is_reported()
    {
        _folder.Write("small.json", Valid);
        _folder.Write("small-copy.json", Valid);
        var problem = Assert.Single(Assert.Throws<WorkflowLoadException>(Load).Problems);
        Assert.Equal(("small-copy.json, small.json", "$.version"), (problem.File, problem.JsonPath));
        Assert.Equal("id 'small' version 1 is defined more than once", problem.Message);
    }

    [Fact]
    public void A_template_that_does_not_parse_is_reported()
    {
        _folder.Write("small.json", Valid);
        File.WriteAllText(Path.Combine(_folder.Path, "templates", "broken.txt.liquid"), "Subject: {% if %}");
        var problem = Assert.Single(Assert.Throws<WorkflowLoadException>(Load).Problems);
        Assert.Contains("broken.txt.liquid", problem.Message);
    }

    [Fact]
    public void Every_problem_is_listed_together_in_the_message()
    {
        var error = Assert.Throws<WorkflowLoadException>(() =>
        {
            var node = JsonNode.Parse(Valid)!.AsObject();
            State(node, "open")["transitions"]![2]!["to"] = "nowhere";
            State(node, "open")["tasks"]![0]!["role"] = "Wizard";
            _folder.Write("small.json", node.ToJsonString());
            Load();
        });
        Assert.Equal(2, error.Problems.Count);
        Assert.Contains("small.json: $.states.open.transitions[2].to: target state 'nowhere' does not exist", error.Message);
        Assert.Contains("small.json: $.states.open.tasks[0].role: unknown role 'Wizard'", error.Message);
    }

    [Fact]
    public void Several_versions_load_and_new_instances_take_the_newest()
    {
        _folder.Write("small.json", Valid);
        _folder.Write("small-v2.json", Valid.Replace("\"version\": 1", "\"version\": 2").Replace("\"name\": \"Small\"", "\"name\": \"Small, second edition\""));
        var registry = Load();
        Assert.Equal(2, registry.Find("small")!.Version);
        Assert.Equal("Small", registry.Find("small", 1)!.Name);
        Assert.Equal(2, registry.All.Count());
    }
}
