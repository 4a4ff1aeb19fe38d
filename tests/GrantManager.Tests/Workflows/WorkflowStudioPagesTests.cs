using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AngleSharp.Html.Dom;
using GrantManager.Core.Workflows;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GrantManager.Tests.Workflows;

/// <summary>
/// The administrators' workflow pages, each form posted as it is rendered: changing a workflow in the editor and
/// publishing it, refusing a bad one where it is wrong, moving live cases, and acting on one case.
/// </summary>
public sealed class WorkflowStudioPagesTests
{
    private static readonly DateOnly Start = new(2027, 6, 1);
    private const string Monitoring = "monitoring-return";
    private const string Edit = $"/Admin/Workflows/{Monitoring}/Edit";

    private static Task<List<WorkflowInstance>> ReturnsOfAsync(GrantManagerFactory app, int applicationId) =>
        app.WithDbAsync(db => db.WorkflowInstances.AsNoTracking().Where(i => i.DefinitionId == Monitoring && i.CaseId == applicationId).ToListAsync());

    private static Task<int> RemindersAsync(GrantManagerFactory app, Guid instanceId, string key) =>
        app.WithDbAsync(db => db.WorkflowTimers.CountAsync(t => t.InstanceId == instanceId && t.TimerKey == key && t.Status == WorkflowTimerStatus.Pending));

    private static string Value(IHtmlDocument page, string name) =>
        page.QuerySelectorAll("[name]").Single(e => e.GetAttribute("name") == name) switch
        {
            IHtmlTextAreaElement t => t.Value,
            IHtmlSelectElement s => s.Value ?? "",
            var e => e.GetAttribute("value") ?? "",
        };

    [Fact]
    public async Task An_administrator_adds_a_reminder_and_renames_a_stage_in_the_editor_and_grants_awarded_after_it_get_the_reminder()
    {
        await using var app = new GrantManagerFactory();
        var admin = await app.SignedInAsync("admin@example.org");
        var before = await app.AwardAsync(Start, Start.AddMonths(11));

        // The form offers what the runtime knows: the templates, the recipients and the date fields to count from.
        var editor = await admin.GetPageAsync(Edit);
        Assert.Equal("Waiting for the grant holder", Value(editor, "f:t:$.states.due.title"));
        Assert.Equal("-P3D", Value(editor, "f:t:$.states.due.timers[0].offset"));
        var templates = editor.QuerySelectorAll("#NewTimer_Template option").Select(o => o.GetAttribute("value")).ToList();
        Assert.Contains("return-reminder", templates);
        Assert.Contains("remindFrom", editor.QuerySelectorAll("#NewTimer_From option").Select(o => o.GetAttribute("value")));
        Assert.Contains("return-review", editor.QuerySelectorAll("select[name='f:s:$.states.review.tasks[0].form'] option").Select(o => o.GetAttribute("value")));

        var added = await (await admin.SubmitFormAsync(editor, Edit, new()
        {
            ["f:t:$.states.upcoming.title"] = "Not open yet",
            ["NewTimer.Stage"] = "upcoming", ["NewTimer.Offset"] = "-P21D", ["NewTimer.From"] = "remindFrom",
            ["NewTimer.Template"] = "return-reminder", ["NewTimer.To"] = "applicant",
        }, "#draft-form", "Add the reminder to the draft")).ReadPageAsync();
        Assert.Empty(added.ErrorSummary());
        Assert.Equal("No problems: this draft would load as it stands.", added.QuerySelector("#check-result")!.TextContent.Trim());
        Assert.Equal("-P21D", Value(added, "f:t:$.states.upcoming.timers[1].offset"));
        Assert.Equal("return-reminder", Value(added, "f:s:$.states.upcoming.timers[1].email.template"));
        Assert.Equal("Not open yet", Value(added, "f:t:$.states.upcoming.title"));
        var diff = added.QuerySelector("#diff")!;
        Assert.Contains(diff.QuerySelectorAll(".app-diff__added"), l => l.TextContent.Contains("\"id\": \"reminder-1\""));
        Assert.Contains(diff.QuerySelectorAll(".app-diff__removed"), l => l.TextContent.Contains("\"title\": \"Not yet open\""));
        Assert.Contains("Not open yet", added.QuerySelector("ol.app-stages")!.TextContent);
        Assert.StartsWith("stateDiagram-v2", added.QuerySelector("pre.mermaid")!.TextContent);

        // A reason is needed; without one nothing is published and the draft stays as it was.
        var noReason = await (await admin.SubmitFormAsync(added, Edit, new(), "#draft-form", "Publish version 2")).ReadPageAsync();
        Assert.Equal(["Give the reason for the change: it is kept with the version"], noReason.ErrorSummary());
        Assert.Equal("-P21D", Value(noReason, "f:t:$.states.upcoming.timers[1].offset"));
        Assert.Equal(0, await app.WithDbAsync(db => db.Set<WorkflowDefinitionVersion>().CountAsync(v => v.Source == WorkflowVersionSources.Published)));

        var published = await admin.SubmitFormAsync(noReason, Edit, new() { ["Input.Reason"] = "Three weeks' notice" }, "#draft-form", "Publish version 2");
        Assert.Equal(HttpStatusCode.Redirect, published.StatusCode);
        Assert.Equal("/Admin/Workflows", published.Headers.Location!.OriginalString);
        var list = await admin.GetPageAsync("/Admin/Workflows");
        Assert.Equal("2", list.QuerySelector($"#workflow-{Monitoring} [data-active-version]")!.TextContent);
        var row = list.QuerySelector($"table[data-versions='{Monitoring}'] tr[data-version='2']")!.TextContent;
        Assert.Contains("by Adam Administrator", row);
        Assert.Contains("Three weeks' notice", row);
        Assert.Contains("File workflows/monitoring-return.json", list.QuerySelector($"table[data-versions='{Monitoring}'] tr[data-version='1']")!.TextContent);

        // The download is the file format and loads as version 2, with both changes.
        var download = await admin.GetAsync(list.QuerySelector($"table[data-versions='{Monitoring}'] tr[data-version='2'] a[download]")!.GetAttribute("href"));
        Assert.Equal("application/json", download.Content.Headers.ContentType!.MediaType);
        Assert.Equal($"{Monitoring}.v2.json", download.Content.Headers.ContentDisposition!.FileNameStar ?? download.Content.Headers.ContentDisposition.FileName);
        Assert.Empty(app.Services.GetRequiredService<WorkflowCatalog>().Check(await download.Content.ReadAsStringAsync(), out var loaded));
        Assert.Equal((2, "Not open yet"), (loaded!.Version, loaded.States["upcoming"].Title));
        Assert.Equal(("-P21D", "remindFrom", "return-reminder", "applicant"),
            loaded.States["upcoming"].Timers.Where(t => t.Id == "reminder-1").Select(t => (t.Offset, t.From, t.Email!.Template, t.Email.To)).Single());

        // Without a restart: a grant awarded now has its returns on version 2 with the reminder; the earlier grant's do not.
        var after = await app.AwardAsync(Start, Start.AddMonths(11), applicant: "applicant2@example.org");
        var fresh = await ReturnsOfAsync(app, after.ApplicationId);
        Assert.NotEmpty(fresh);
        foreach (var i in fresh) Assert.Equal((2, 1), (i.DefinitionVersion, await RemindersAsync(app, i.Id, "reminder-1")));
        foreach (var i in await ReturnsOfAsync(app, before.ApplicationId)) Assert.Equal((1, 0), (i.DefinitionVersion, await RemindersAsync(app, i.Id, "reminder-1")));
    }

    /// <summary>The whole draft form as rendered, with changes, posted to a handler as the page's script posts it.</summary>
    private static async Task<HttpResponseMessage> PostDraftAsync(HttpClient client, IHtmlDocument page, string url, Dictionary<string, string> changes)
    {
        var fields = RenderedForms.FieldsOf((IHtmlFormElement)page.QuerySelector("#draft-form")!);
        foreach (var (name, value) in changes)
        {
            Assert.Contains(fields, f => f.Key == name);
            fields.RemoveAll(f => f.Key == name);
            fields.Add(new(name, value));
        }
        return await client.PostAsync(url, new FormUrlEncodedContent(fields));
    }

    [Fact]
    public async Task A_condition_offers_the_drafts_fields_and_is_checked_as_it_is_typed_with_the_loaders_own_message()
    {
        await using var app = new GrantManagerFactory();
        var admin = await app.SignedInAsync("admin@example.org");
        const string edit = "/Admin/Workflows/grant-application/Edit";
        const string when = "$.states.assessment.transitions[0].when";
        var editor = await admin.GetPageAsync(edit);

        // The field offers the definition's fields and the built-in names, and has a live region for the check's message.
        var input = editor.QuerySelector($"input[name='f:t:{when}']")!;
        Assert.Equal(when, input.GetAttribute("data-app-condition"));
        var names = editor.QuerySelectorAll($"datalist#{input.GetAttribute("list")} option").Select(o => o.GetAttribute("value")).ToList();
        Assert.Contains("amountRequested", names);
        Assert.Contains("allTasksComplete", names);
        Assert.Contains("amountRequested (money)", editor.QuerySelector($"#{input.Id}-hint")!.TextContent);
        var live = editor.QuerySelector($"#{input.Id}-live")!;
        Assert.Equal("polite", live.GetAttribute("aria-live"));
        Assert.Contains(live.Id!, input.GetAttribute("aria-describedby")!.Split(' '));

        var url = $"{edit}?handler=CheckCondition&path={Uri.EscapeDataString(when)}";
        async Task<string?> CheckAsync(string typed)
        {
            var response = await PostDraftAsync(admin, editor, url, new() { [$"f:t:{when}"] = typed });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var answer = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
            Assert.Equal(when, answer.GetProperty("path").GetString());
            return answer.GetProperty("message").GetString();
        }
        Assert.Null(await CheckAsync("allTasksComplete and amountRequested <= 7500"));
        Assert.Null(await CheckAsync(""));
        var unknown = await CheckAsync("allTasksComplete and amountRequestd <= 7500");
        Assert.StartsWith($"{when}: ", unknown);
        Assert.Contains("amountRequestd", unknown);
        var mixed = await CheckAsync("amountRequested <= 'lots'");
        Assert.StartsWith($"{when}: ", mixed);

        // The message is the one Check gives, from the loader, for the same text.
        var checkedPage = await (await admin.SubmitFormAsync(editor, edit, new() { [$"f:t:{when}"] = "amountRequested <= 'lots'" }, "#draft-form", "Check")).ReadPageAsync();
        Assert.Contains(mixed, checkedPage.ErrorSummary());

        // A field added to the draft (in the JSON view, not yet published) may be used at once.
        var json = await (await admin.SubmitFormAsync(editor, edit, null, "#draft-form", "Show as JSON")).ReadPageAsync();
        var node = JsonNode.Parse(Value(json, "Input.Json"))!;
        node["fields"]!["riskScore"] = JsonNode.Parse("""{ "type": "number" }""");
        var form = await (await admin.SubmitFormAsync(json, edit, new() { ["Input.Json"] = node.ToJsonString() }, "#draft-form", "Show as a form")).ReadPageAsync();
        Assert.Contains("riskScore", form.QuerySelectorAll("datalist#condition-names option").Select(o => o.GetAttribute("value")));
        var response = await PostDraftAsync(admin, form, url, new() { [$"f:t:{when}"] = "riskScore > 3" });
        Assert.True((await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("message").ValueKind == System.Text.Json.JsonValueKind.Null);

        // Without the page's antiforgery token it is refused; an officer may not use it.
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync(url, new FormUrlEncodedContent(new Dictionary<string, string> { [$"f:t:{when}"] = "x" }))).StatusCode);
        var officer = await app.SignedInAsync("officer@example.org");
        var refused = await officer.PostAsync(url, new FormUrlEncodedContent(new Dictionary<string, string> { [$"f:t:{when}"] = "x" }));
        Assert.NotEqual(HttpStatusCode.OK, refused.StatusCode);
    }

    [Fact]
    public async Task The_drafts_diagram_is_drawn_again_from_the_draft_as_typed()
    {
        await using var app = new GrantManagerFactory();
        var admin = await app.SignedInAsync("admin@example.org");
        var editor = await admin.GetPageAsync(Edit);
        Assert.NotNull(editor.QuerySelector("#draft-diagram pre.mermaid"));
        Assert.Contains(editor.QuerySelectorAll("script[src]"), s => s.GetAttribute("src")!.StartsWith("/js/workflow-editor.js"));

        var renamed = await PostDraftAsync(admin, editor, $"{Edit}?handler=Preview", new() { ["f:t:$.states.review.title"] = "Read by an officer" });
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        var preview = await renamed.ReadPageAsync();
        Assert.Contains("Read by an officer", preview.QuerySelector("ol.app-stages")!.TextContent);
        Assert.Contains("Read by an officer", preview.QuerySelector("pre.mermaid")!.TextContent);
        Assert.Null(preview.QuerySelector("header"));

        // A draft that would not load says so instead of drawing.
        var broken = await (await PostDraftAsync(admin, editor, $"{Edit}?handler=Preview", new() { ["f:s:$.states.review.transitions[0].to"] = "nowhere" })).ReadPageAsync();
        Assert.Null(broken.QuerySelector("pre.mermaid"));
        Assert.NotNull(broken.QuerySelector("#diagram-waiting"));
        Assert.Equal(0, await app.WithDbAsync(db => db.Set<WorkflowDefinitionVersion>().CountAsync(v => v.Source == WorkflowVersionSources.Published)));
    }

    [Fact]
    public async Task Stages_tasks_and_ways_on_are_added_and_removed_in_the_form_and_a_stage_still_led_to_is_not_removed()
    {
        await using var app = new GrantManagerFactory();
        var admin = await app.SignedInAsync("admin@example.org");
        var editor = await admin.GetPageAsync(Edit);

        var named = await (await admin.SubmitFormAsync(editor, Edit, new() { ["NewStage"] = "Site Visit" }, "#draft-form", "Add the stage to the draft")).ReadPageAsync();
        Assert.Equal(["The stage's name must start with a small letter and have only small letters, digits and hyphens, like site-visit"], named.ErrorSummary());
        var taken = await (await admin.SubmitFormAsync(named, Edit, new() { ["NewStage"] = "review" }, "#draft-form", "Add the stage to the draft")).ReadPageAsync();
        Assert.Equal(["There is already a stage named review"], taken.ErrorSummary());

        // What was typed before adding stays; the new stage's first field has the focus.
        var stage = await (await admin.SubmitFormAsync(taken, Edit, new() { ["f:t:$.states.upcoming.title"] = "Not open yet", ["NewStage"] = "site-visit" }, "#draft-form", "Add the stage to the draft")).ReadPageAsync();
        Assert.Empty(stage.ErrorSummary());
        Assert.Equal("Not open yet", Value(stage, "f:t:$.states.upcoming.title"));
        Assert.True(stage.QuerySelector("#f-states-site-visit-title")!.HasAttribute("autofocus"));
        Assert.Equal("", Value(stage, "NewStage"));

        Assert.True(stage.QuerySelector("input[name='f:b:$.states.accepted.final']")!.HasAttribute("checked"));
        Assert.False(stage.QuerySelector("input[name='f:b:$.states.site-visit.final']")!.HasAttribute("checked"));
        var way = await (await admin.SubmitFormAsync(stage, Edit, new() { ["f:t:$.states.site-visit.title"] = "Site visit" }, "#draft-form", "Add a way on from site-visit")).ReadPageAsync();
        Assert.Equal("Site visit", Value(way, "f:t:$.states.site-visit.title"));
        var task = await (await admin.SubmitFormAsync(way, Edit, new()
        {
            ["f:t:$.states.site-visit.transitions[0].trigger"] = "visited", ["f:s:$.states.site-visit.transitions[0].to"] = "review",
        }, "#draft-form", "Add a task to Site visit")).ReadPageAsync();
        Assert.True(task.QuerySelector("#f-states-site-visit-tasks-0-title")!.HasAttribute("autofocus"));
        var lead = await (await admin.SubmitFormAsync(task, Edit, new()
        {
            ["f:t:$.states.site-visit.tasks[0].title"] = "Visit the project", ["f:s:$.states.site-visit.tasks[0].role"] = "GrantOfficer",
            ["f:l:$.states.site-visit.tasks[0].outcomes"] = "visited", ["f:t:$.states.site-visit.tasks[0].due"] = "P10D",
        }, "#draft-form", "Add a way on from Not open yet")).ReadPageAsync();
        var checkedPage = await (await admin.SubmitFormAsync(lead, Edit, new()
        {
            ["f:t:$.states.upcoming.transitions[2].trigger"] = "visit", ["f:s:$.states.upcoming.transitions[2].to"] = "site-visit",
            ["f:l:$.states.upcoming.transitions[2].roles"] = "GrantOfficer", ["f:t:$.states.upcoming.transitions[2].title"] = "Visit first",
        }, "#draft-form", "Check")).ReadPageAsync();
        Assert.Empty(checkedPage.ErrorSummary());
        Assert.Contains("Site visit", checkedPage.QuerySelector("ol.app-stages")!.TextContent);
        var draft = JsonNode.Parse(Value(checkedPage, "Input.Json"))!;
        Assert.Equal("""{"id":"task-1","title":"Visit the project","role":"GrantOfficer","outcomes":["visited"],"due":"P10D"}""",
            draft["states"]!["site-visit"]!["tasks"]![0]!.ToJsonString());

        // A stage another still leads to is not removed, and nothing typed is lost; nor is the one cases start at.
        var refused = await (await admin.SubmitFormAsync(checkedPage, Edit, new() { ["f:t:$.states.site-visit.tasks[0].due"] = "P12D" }, "#draft-form", "Remove this stage: Site visit")).ReadPageAsync();
        var message = "$.states.site-visit: 'Site visit' cannot be removed: 'Not open yet' still leads to it. Change or remove those ways on first";
        Assert.Equal([message], refused.ErrorSummary());
        Assert.Contains(message, refused.QuerySelector("#f-states-site-visit-error")!.TextContent);
        Assert.Equal("P12D", Value(refused, "f:t:$.states.site-visit.tasks[0].due"));
        var first = await (await admin.SubmitFormAsync(refused, Edit, null, "#draft-form", "Remove this stage: Not open yet")).ReadPageAsync();
        Assert.Equal(["$.states.upcoming: 'Not open yet' cannot be removed: every case starts at it (initialState)"], first.ErrorSummary());

        // Removing the way on first lets the stage go; the draft is then the published one but for the title typed.
        var unlinked = await (await admin.SubmitFormAsync(first, Edit, null, "#draft-form", "Remove way on 3 from Not open yet")).ReadPageAsync();
        Assert.Null(unlinked.QuerySelector("[name='f:t:$.states.upcoming.transitions[2].trigger']"));
        var removed = await (await admin.SubmitFormAsync(unlinked, Edit, null, "#draft-form", "Remove this stage: Site visit")).ReadPageAsync();
        Assert.Empty(removed.ErrorSummary());
        Assert.Null(removed.QuerySelector("#stage-site-visit"));
        var shipped = JsonNode.Parse(app.Services.GetRequiredService<WorkflowCatalog>().Current.Find(Monitoring)!.Source)!;
        shipped["states"]!["upcoming"]!["title"] = "Not open yet";
        Assert.Equal(WorkflowDrafts.Format(shipped), WorkflowDrafts.Format(Value(removed, "Input.Json")));

        // A task of a stage is removed by its own button.
        var noTask = await (await admin.SubmitFormAsync(removed, Edit, null, "#draft-form", "Remove task 1 from Waiting for the grant holder")).ReadPageAsync();
        Assert.Null(JsonNode.Parse(Value(noTask, "Input.Json"))!["states"]!["due"]!["tasks"]?.AsArray().FirstOrDefault());
        Assert.Equal(0, await app.WithDbAsync(db => db.Set<WorkflowDefinitionVersion>().CountAsync(v => v.Source == WorkflowVersionSources.Published)));
    }

    [Fact]
    public async Task A_bad_definition_shows_each_problem_with_its_path_linked_to_its_field_and_keeps_what_was_typed()
    {
        await using var app = new GrantManagerFactory();
        var admin = await app.SignedInAsync("admin@example.org");

        // In the form: the problem links to the field, which shows it and keeps the value.
        var checkedForm = await (await admin.SubmitFormAsync(Edit, new() { ["f:t:$.states.due.timers[0].offset"] = "three days before" }, "#draft-form", "Check")).ReadPageAsync();
        var link = checkedForm.QuerySelector(".govuk-error-summary__list a")!;
        Assert.StartsWith("$.states.due.timers[0].offset: this value is not in the expected form", link.TextContent.Trim());
        Assert.Equal("#f-states-due-timers-0-offset", link.GetAttribute("href"));
        Assert.Equal("three days before", Value(checkedForm, "f:t:$.states.due.timers[0].offset"));
        Assert.NotNull(checkedForm.QuerySelector("#f-states-due-timers-0-offset-error"));

        // As JSON: the text typed comes back exactly, with the loader's messages by path, on Check and on Publish.
        var json = await (await admin.SubmitFormAsync(checkedForm, Edit, null, "#draft-form", "Show as JSON")).ReadPageAsync();
        var node = JsonNode.Parse(Value(json, "Input.Json"))!;
        Assert.Equal("three days before", node["states"]!["due"]!["timers"]![0]!["offset"]!.GetValue<string>());
        node["states"]!["due"]!["timers"]![0]!["offset"] = "-P3D";
        node["states"]!["review"]!["transitions"]![1]!["to"] = "nowhere";
        var typed = node.ToJsonString() + "\n// my note";
        var refused = await admin.SubmitFormAsync(json, Edit, new() { ["Input.Json"] = typed, ["Input.Reason"] = "Try" }, "#draft-form", "Publish version 2");
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var page = await refused.ReadPageAsync();
        Assert.Contains("$.states.review.transitions[1].to: target state 'nowhere' does not exist", page.ErrorSummary());
        Assert.Equal("#Input_Json", page.QuerySelector(".govuk-error-summary__list a")!.GetAttribute("href"));
        Assert.Equal(typed, Value(page, "Input.Json").Replace("\r\n", "\n"));
        Assert.Equal("Try", Value(page, "Input.Reason"));

        var broken = await (await admin.SubmitFormAsync(page, Edit, new() { ["Input.Json"] = "{ \"id\": " }, "#draft-form", "Check")).ReadPageAsync();
        Assert.StartsWith("$", broken.ErrorSummary().Single());
        Assert.Equal("{ \"id\": ", Value(broken, "Input.Json"));
        Assert.Equal(0, await app.WithDbAsync(db => db.Set<WorkflowDefinitionVersion>().CountAsync(v => v.Source == WorkflowVersionSources.Published)));

        // A file imported with a problem is refused with its path, and nothing is stored.
        var bad = Encoding.UTF8.GetBytes(node.ToJsonString());
        var import = await (await admin.SubmitFormAsync("/Admin/Workflows", new() { ["Import.Reason"] = "From my editor" }, "#import", file: ("Import.File", "monitoring.json", bad))).ReadPageAsync();
        Assert.Contains("$.states.review.transitions[1].to: target state 'nowhere' does not exist", import.ErrorSummary());
        Assert.Equal(0, await app.WithDbAsync(db => db.Set<WorkflowDefinitionVersion>().CountAsync(v => v.Source == WorkflowVersionSources.Published)));
        node["states"]!["review"]!["transitions"]![1]!["to"] = "changes";
        node["name"] = "Monitoring return (imported)";
        var imported = await admin.SubmitFormAsync("/Admin/Workflows", new() { ["Import.Reason"] = "From my editor" }, "#import", file: ("Import.File", "monitoring.json", Encoding.UTF8.GetBytes(node.ToJsonString())));
        Assert.Equal(HttpStatusCode.Redirect, imported.StatusCode);
        var version = await app.WithDbAsync(db => db.Set<WorkflowDefinitionVersion>().SingleAsync(v => v.Source == WorkflowVersionSources.Published));
        Assert.Equal((Monitoring, 2, "From my editor", "Adam Administrator"), (version.DefinitionId, version.Version, version.Reason, version.PublishedBy));
    }

    [Fact]
    public async Task Live_cases_are_moved_to_a_new_version_after_a_dry_run_with_a_reason()
    {
        await using var app = new GrantManagerFactory();
        var api = await app.ApiClientAsync("admin@example.org");
        var grant = await app.AwardAsync(Start, Start.AddMonths(11));
        var node = JsonNode.Parse(await api.GetStringAsync($"/api/workflows/{Monitoring}"))!;
        node["states"]!["upcoming"]!["timers"]!.AsArray().Add(JsonNode.Parse("""{ "id": "reminder-early", "offset": "-P21D", "from": "remindFrom", "email": { "template": "return-reminder", "to": "applicant" } }"""));
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync($"/api/workflows/{Monitoring}/versions?reason=r", new StringContent(node.ToJsonString(), Encoding.UTF8, "application/json"))).StatusCode);
        var old = await ReturnsOfAsync(app, grant.ApplicationId);
        Assert.NotEmpty(old);

        var admin = await app.SignedInAsync("admin@example.org");
        const string url = $"/Admin/Workflows/{Monitoring}/Migrate?from=1&to=2";
        var page = await admin.GetPageAsync(url);
        Assert.Equal("upcoming", Value(page, "Map[upcoming]"));
        var dry = await (await admin.SubmitFormAsync(page, url, new() { ["Stages"] = "upcoming" }, "#migrate", "Dry run")).ReadPageAsync();
        Assert.Empty(dry.ErrorSummary());
        Assert.Equal("A dry run: what would happen", dry.QuerySelector("#results")!.TextContent.Trim());
        var rows = dry.QuerySelectorAll("#outcomes tbody tr").ToList();
        Assert.Equal(old.Count, rows.Count);
        Assert.All(rows, r => Assert.Equal(["upcoming → upcoming", "0", "0", "1", "0"], r.QuerySelectorAll("td").Skip(1).Select(td => td.TextContent.Trim())));
        foreach (var i in old) Assert.Equal(0, await RemindersAsync(app, i.Id, "reminder-early"));

        var noReason = await (await admin.SubmitFormAsync(dry, url, null, "#migrate", "Move the cases")).ReadPageAsync();
        Assert.Equal(["Give the reason for moving the cases: it is kept in each case's history"], noReason.ErrorSummary());
        var moved = await (await admin.SubmitFormAsync(noReason, url, new() { ["Reason"] = "Three weeks' notice for everyone" }, "#migrate", "Move the cases")).ReadPageAsync();
        Assert.Equal("What happened", moved.QuerySelector("#results")!.TextContent.Trim());
        Assert.NotNull(moved.QuerySelector("#no-cases"));
        foreach (var i in old)
        {
            Assert.Equal(1, await RemindersAsync(app, i.Id, "reminder-early"));
            var entry = await app.WithDbAsync(db => db.WorkflowHistory.SingleAsync(h => h.InstanceId == i.Id && h.Kind == HistoryKinds.Migrated));
            Assert.Equal(("Adam Administrator", "Moved from version 1 to version 2: Three weeks' notice for everyone"), (entry.ActorName, entry.Comment));
        }
    }

    [Fact]
    public async Task An_administrator_pauses_resumes_reschedules_cancels_and_moves_a_case_from_its_page_each_with_a_reason()
    {
        await using var app = new GrantManagerFactory();
        var grant = await app.AwardAsync(Start, Start.AddMonths(11));
        var instance = (await ReturnsOfAsync(app, grant.ApplicationId)).OrderBy(i => i.CreatedAt).First();
        var url = $"/Staff/Workflows/Instance/{instance.Id}";
        var admin = await app.SignedInAsync("admin@example.org");

        var page = await admin.GetPageAsync(url);
        Assert.Equal("1", page.QuerySelector("[data-version]")!.TextContent);
        Assert.NotEmpty(page.QuerySelectorAll("#timer-list tbody tr"));

        var noReason = await (await admin.SubmitFormAsync(page, url, null, "#pause")).ReadPageAsync();
        Assert.Equal(["Give the reason: it is kept in the case's history"], noReason.ErrorSummary());
        Assert.Equal("#reason-pause", noReason.QuerySelector(".govuk-error-summary__list a")!.GetAttribute("href"));
        Assert.Equal(HttpStatusCode.Redirect, (await admin.SubmitFormAsync(url, new() { ["Act.Reason"] = "Grant holder in hospital" }, "#pause")).StatusCode);
        var paused = await admin.GetPageAsync(url);
        Assert.NotNull(paused.QuerySelector("#paused"));
        Assert.Contains(paused.QuerySelectorAll("tbody tr"), r => r.TextContent.Contains("Paused the timers. Timers paused") && r.TextContent.Contains("Grant holder in hospital"));

        var unchosen = await (await admin.SubmitFormAsync(paused, url, new() { ["Act.Reason"] = "Back" }, "#resume")).ReadPageAsync();
        Assert.Equal(["Choose what happens to the timers that fell due while the case was paused"], unchosen.ErrorSummary());
        Assert.Equal("Back", unchosen.QuerySelector("#reason-resume")!.TextContent);
        Assert.Equal(HttpStatusCode.Redirect, (await admin.SubmitFormAsync(unchosen, url, new() { ["Act.Missed"] = "skip" }, "#resume")).StatusCode);
        Assert.Null(await app.WithDbAsync(db => db.WorkflowInstances.Where(i => i.Id == instance.Id).Select(i => i.PausedAt).SingleAsync()));

        var timers = await app.WithDbAsync(db => db.WorkflowTimers.AsNoTracking().Where(t => t.InstanceId == instance.Id && t.Status == WorkflowTimerStatus.Pending).OrderBy(t => t.DueAt).ToListAsync());
        var first = timers[0];
        Assert.Equal(HttpStatusCode.Redirect, (await admin.SubmitFormAsync(url, new()
        {
            ["Act.TimerId"] = first.Id.ToString(), ["Act.TimerAction"] = "reschedule", ["Act.DueAt"] = "2028-01-10T09:30", ["Act.Reason"] = "Agreed a later date",
        }, "#timer")).StatusCode);
        Assert.Equal(new DateTime(2028, 1, 10, 9, 30, 0), await app.WithDbAsync(db => db.WorkflowTimers.Where(t => t.Id == first.Id).Select(t => t.DueAt).SingleAsync()));
        Assert.Equal(HttpStatusCode.Redirect, (await admin.SubmitFormAsync(url, new()
        {
            ["Act.TimerId"] = first.Id.ToString(), ["Act.TimerAction"] = "cancel", ["Act.Reason"] = "Not needed",
        }, "#timer")).StatusCode);
        Assert.Equal(WorkflowTimerStatus.Cancelled, await app.WithDbAsync(db => db.WorkflowTimers.Where(t => t.Id == first.Id).Select(t => t.Status).SingleAsync()));

        Assert.Equal(HttpStatusCode.Redirect, (await admin.SubmitFormAsync(url, new() { ["Act.State"] = "due", ["Act.Reason"] = "Open it now" }, "#move")).StatusCode);
        var after = await app.WithDbAsync(db => db.WorkflowInstances.AsNoTracking().SingleAsync(i => i.Id == instance.Id));
        Assert.Equal("due", after.State);
        var history = await app.WithDbAsync(db => db.WorkflowHistory.AsNoTracking().Where(h => h.InstanceId == instance.Id).Select(h => h.Comment).ToListAsync());
        foreach (var reason in new[] { "Grant holder in hospital", "Back", "Agreed a later date", "Not needed", "Open it now" })
            Assert.Contains(history, c => c != null && c.Contains(reason));
    }

    [Fact]
    public async Task Officers_and_applicants_are_refused_every_workflow_studio_page_and_case_action()
    {
        await using var app = new GrantManagerFactory();
        var grant = await app.AwardAsync(Start, Start.AddMonths(11));
        var instance = (await ReturnsOfAsync(app, grant.ApplicationId)).First();
        var url = $"/Staff/Workflows/Instance/{instance.Id}";
        var officer = await app.SignedInAsync("officer@example.org");
        var applicant = await app.SignedInAsync("applicant@example.org");
        foreach (var client in new[] { officer, applicant })
            foreach (var page in new[] { "/Admin/Workflows", Edit, $"/Admin/Workflows/{Monitoring}/Migrate", $"/Admin/Workflows?handler=Export&id={Monitoring}&version=1" })
            {
                var response = await client.GetAsync(page);
                Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
                Assert.StartsWith("/Account/AccessDenied", response.Headers.Location!.PathAndQuery);
            }
        // An officer sees the case but not the administrators' actions, and posting one is refused and changes nothing.
        var seen = await officer.GetPageAsync(url);
        Assert.Null(seen.QuerySelector("form#pause"));
        Assert.Null(seen.QuerySelector("#timer-list"));
        foreach (var handler in new[] { "Pause", "Move", "Timer", "Retry" })
        {
            var refused = await officer.PostFormAsync($"{url}?handler={handler}", new() { ["Act.Reason"] = "x", ["Act.State"] = "due" }, url);
            Assert.StartsWith("/Account/AccessDenied", refused.Headers.Location!.PathAndQuery);
        }
        Assert.Equal(0, await app.WithDbAsync(db => db.WorkflowHistory.CountAsync(h => h.Kind == HistoryKinds.Paused || h.Kind == HistoryKinds.Moved)));
    }
}
