using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Panels;
using GrantManager.Core.Workflows;
using GrantManager.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace GrantManager.Tests.Grants;

/// <summary>
/// Panel meetings on a fake clock: a grant officer sets one up, the pack ranks its applications by weighted score
/// with a running total, members record views, and the chair decides every application in one form, each moving
/// its workflow with the meeting in its journal. Those not on the meeting and applicants are refused.
/// </summary>
public sealed class PanelMeetingTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2027, 2, 1, 10, 0, 0, TimeSpan.Zero));
    private readonly GrantManagerFactory _app;
    private static readonly DateOnly Start = new(2027, 4, 1), End = new(2028, 3, 31);

    public PanelMeetingTests()
    {
        _app = new GrantManagerFactory { Clock = _clock };
        _app.Set("Workflows:RunTimers", "false").Set("Email:RunDispatcher", "false");
    }

    public async Task InitializeAsync()
    {
        // Two more panel members beside the demo one: one to sit with them, one who is not on the meeting.
        await _app.WithAsync(async sp =>
        {
            var users = sp.GetRequiredService<UserManager<User>>();
            foreach (var (email, name) in new[] { ("panel2@example.org", "Grace Okafor"), ("panel3@example.org", "Tom Reid") })
            {
                var user = new User { UserName = email, Email = email, EmailConfirmed = true, DisplayName = name, CreatedAt = _clock.GetUtcNow().UtcDateTime };
                Assert.True((await users.CreateAsync(user, DemoData.Password)).Succeeded);
                await users.AddToRoleAsync(user, Roles.PanelMember);
            }
            return 0;
        });
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task<string> UserIdAsync(string email) => _app.WithDbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync());

    /// <summary>An application above the delegated limit, assessed by two assessors at the given score (0–5 on every criterion): it waits for the panel.</summary>
    private async Task<int> AtPanelAsync(decimal amount, int score)
    {
        var id = await _app.SubmitApplicationAsync(Start, End, amount);
        await _app.CompleteAsync((await _app.OpenTaskAsync(ApplicationService.SubjectType, id))!.Id, "officer@example.org", new TaskCompletion("eligible", null));
        var criteria = await _app.WithDbAsync(db => db.Criteria.Select(c => c.Id).ToListAsync());
        foreach (var email in new[] { "assessor@example.org", "assessor2@example.org" })
        {
            var assessor = await _app.ActorAsync(email);
            var task = await _app.WithDbAsync(db => db.InboxTasks.Include(t => t.Instance)
                .FirstAsync(t => t.Status == InboxTaskStatus.Open && t.AssigneeId == null && t.Instance!.SubjectId == id.ToString()));
            await _app.WithAsync(async sp => { await sp.GetRequiredService<WorkflowRuntime>().DeclareConflictAsync(task.Id, false, null, assessor); return 0; });
            await _app.CompleteAsync(task.Id, email, new TaskCompletion(score >= 3 ? "fund" : "do-not-fund", $"Scored {score} throughout", criteria.ToDictionary(c => c.ToString(), _ => score)));
        }
        Assert.Equal("panel-decision", await StageAsync(id));
        return id;
    }

    /// <summary>A signed-in page refused: the browser is sent to the access-denied page, as on every staff page.</summary>
    private static async Task RefusedAsync(HttpClient browser, string url)
    {
        var response = await browser.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{url} answered {response.StatusCode}");
        Assert.StartsWith("/Account/AccessDenied", response.Headers.Location!.PathAndQuery);
    }

    private Task<string> StageAsync(int applicationId) =>
        _app.WithDbAsync(db => db.Applications.Where(a => a.Id == applicationId).Join(db.WorkflowInstances, a => a.WorkflowInstanceId, i => (Guid?)i.Id, (a, i) => i.State).SingleAsync());

    private Task<List<WorkflowHistoryEntry>> JournalAsync(int applicationId) => _app.WithDbAsync(db =>
        db.Applications.Where(a => a.Id == applicationId).Join(db.WorkflowHistory, a => a.WorkflowInstanceId, h => (Guid?)h.InstanceId, (a, h) => h).OrderBy(h => h.Id).ToListAsync());

    [Fact]
    public async Task A_panel_meeting_decides_three_applications_in_one_form_moving_each_workflow_with_the_meeting_in_its_journal()
    {
        var middling = await AtPanelAsync(6000m, 3);
        var strongest = await AtPanelAsync(7000m, 5);
        var weakest = await AtPanelAsync(8000m, 2);
        var (chair, member) = (await UserIdAsync("panel@example.org"), await UserIdAsync("panel2@example.org"));

        // The grant officer sets the meeting up; a meeting without members is refused, naming the field.
        var officer = await _app.SignedInAsync("officer@example.org");
        var refused = await officer.SubmitFormAsync("/Staff/Panels/New", new()
        {
            ["Input.Title"] = "February panel", ["Input.MeetsOnDay"] = "10", ["Input.MeetsOnMonth"] = "2", ["Input.MeetsOnYear"] = "2027",
            ["Input.ApplicationIds"] = $"{middling}|{strongest}|{weakest}",
        }, "#meeting-form");
        Assert.Equal(["Choose at least one panel member"], (await refused.ReadPageAsync()).ErrorSummary());
        // Every problem is named at once: an impossible date does not hide the rest.
        var newPage = await officer.GetPageAsync("/Staff/Panels/New");
        Assert.Contains("A meeting of one member is allowed: they chair it.", newPage.QuerySelector("#Input_MemberIds-hint")!.TextContent);
        var everything = await officer.SubmitFormAsync(newPage, "/Staff/Panels/New", new()
        {
            ["Input.Title"] = new string('x', 201), ["Input.MeetsOnDay"] = "31", ["Input.MeetsOnMonth"] = "2", ["Input.MeetsOnYear"] = "2027",
        }, "#meeting-form");
        Assert.Equal(["The title must be 200 characters or fewer", "The meeting's date must be a real date, like 17 3 2027", "Choose at least one panel member",
            "Choose the applications the meeting decides"], (await everything.ReadPageAsync()).ErrorSummary());
        Assert.Equal(0, await _app.WithDbAsync(db => db.Set<PanelMeeting>().CountAsync()));
        var created = await officer.SubmitFormAsync("/Staff/Panels/New", new()
        {
            ["Input.Title"] = "February panel", ["Input.MeetsOnDay"] = "10", ["Input.MeetsOnMonth"] = "2", ["Input.MeetsOnYear"] = "2027",
            ["Input.MemberIds"] = $"{chair}|{member}", ["Input.ChairId"] = chair, ["Input.ApplicationIds"] = $"{middling}|{strongest}|{weakest}",
        }, "#meeting-form");
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var meeting = await _app.WithDbAsync(db => db.Set<PanelMeeting>().Include(m => m.Members).Include(m => m.Items).SingleAsync());
        Assert.Equal($"/Staff/Panels/{meeting.Id}", created.Headers.Location!.OriginalString);
        Assert.Equal(("February panel", new DateOnly(2027, 2, 10)), (meeting.Title, meeting.MeetsOn));
        Assert.Equal([chair], meeting.Members.Where(m => m.IsChair).Select(m => m.UserId));
        Assert.Equal(new[] { chair, member }.Order(), meeting.Members.Select(m => m.UserId).Order());
        Assert.Equal(new[] { middling, strongest, weakest }.Order(), meeting.Items.Select(i => i.ApplicationId).Order());
        var url = $"/Staff/Panels/{meeting.Id}";

        // The pack ranks them by weighted score, with the running total against what the round has.
        var panel = await _app.SignedInAsync("panel@example.org");
        var pack = await panel.GetPageAsync(url);
        var rows = pack.QuerySelectorAll("#ranking-table tbody tr").ToList();
        Assert.Equal([strongest, middling, weakest], rows.Select(r => int.Parse(r.GetAttribute("data-application")!)));
        Assert.Equal(["100.0 out of 100", "60.0 out of 100", "40.0 out of 100"], rows.Select(r => r.QuerySelector("[data-figure=score]")!.TextContent.Trim()));
        Assert.Equal(["£7,000", "£13,000", "£21,000"], rows.Select(r => r.QuerySelector("[data-figure=running]")!.TextContent.Trim()));
        Assert.Equal("£54,000", rows[2].QuerySelector("[data-figure=left]")!.TextContent.Trim());
        Assert.Contains("Scored 5 throughout", pack.QuerySelector($"#application-{strongest}")!.TextContent);

        // Someone on the panel but not on this meeting, and an applicant, are refused the pack and its forms.
        var outsider = await _app.SignedInAsync("panel3@example.org");
        foreach (var page in new[] { url, $"{url}/Views", $"{url}/Decisions", $"{url}/Minutes" })
            await RefusedAsync(outsider, page);
        var applicant = await _app.SignedInAsync("applicant@example.org");
        Assert.NotEqual(HttpStatusCode.OK, (await applicant.GetAsync(url)).StatusCode);
        // A member who is not the chair records views but not decisions.
        var second = await _app.SignedInAsync("panel2@example.org");
        await RefusedAsync(second, $"{url}/Decisions");

        var viewsPage = await second.GetPageAsync($"{url}/Views");
        int RowOf(AngleSharp.Html.Dom.IHtmlDocument p, string list, int applicationId) =>
            Enumerable.Range(0, 3).Single(i => p.QuerySelector($"input[name='{list}[{i}].ApplicationId']")!.GetAttribute("value") == applicationId.ToString());
        var (vs, vm, vw) = (RowOf(viewsPage, "Views", strongest), RowOf(viewsPage, "Views", middling), RowOf(viewsPage, "Views", weakest));
        var viewed = await second.SubmitFormAsync(viewsPage, $"{url}/Views", new()
        {
            [$"Views[{vs}].View"] = "fund", [$"Views[{vs}].Comment"] = "Clear need in Swale.",
            [$"Views[{vm}].View"] = "fund", [$"Views[{vw}].View"] = "do-not-fund", [$"Views[{vw}].Comment"] = "Costs look high.",
        }, "#views-form");
        Assert.Equal(HttpStatusCode.Redirect, viewed.StatusCode);
        var views = await _app.WithDbAsync(db => db.Set<PanelView>().Join(db.Set<PanelItem>(), v => v.ItemId, i => i.Id, (v, i) => new { i.ApplicationId, v.UserId, v.View, v.Comment }).ToListAsync());
        Assert.Equal(3, views.Count);
        Assert.All(views, v => Assert.Equal(member, v.UserId));
        Assert.Equal(("fund", "Clear need in Swale."), views.Where(v => v.ApplicationId == strongest).Select(v => (v.View, v.Comment)).Single());
        Assert.Equal(("do-not-fund", "Costs look high."), views.Where(v => v.ApplicationId == weakest).Select(v => (v.View, v.Comment)).Single());
        Assert.Equal(["Fund", "Do not fund", "Abstain"], viewsPage.QuerySelectorAll($"input[name='Views[{vs}].View'] + label").Select(l => l.TextContent.Trim()));
        Assert.Equal(["Grace Okafor: do not fund"], (await panel.GetPageAsync($"{url}/Decisions")).QuerySelectorAll($"[data-views='{weakest}'] li").Select(l => l.TextContent.Trim()));

        // Decisions wait for the meeting's day.
        var decisionsUrl = $"{url}/Decisions";
        var form = await panel.GetPageAsync(decisionsUrl);
        var (ds, dm, dw) = (RowOf(form, "Decisions", strongest), RowOf(form, "Decisions", middling), RowOf(form, "Decisions", weakest));
        Dictionary<string, string> Decisions(string weakestMessage) => new()
        {
            [$"Decisions[{ds}].Outcome"] = "approve", [$"Decisions[{ds}].Note"] = "Unanimous.",
            [$"Decisions[{ds}].Conditions"] = "Send your safeguarding policy.", [$"Decisions[{ds}].ConditionKind"] = "before-first-payment",
            [$"Decisions[{dm}].Outcome"] = "approve", [$"Decisions[{dm}].AmountAwarded"] = "5,500", [$"Decisions[{dm}].Conditions"] = "Send quarterly attendance figures.",
            [$"Decisions[{dw}].Outcome"] = "reject", [$"Decisions[{dw}].MessageToApplicant"] = weakestMessage,
        };
        var early = await panel.SubmitFormAsync(form, decisionsUrl, Decisions("The panel found the costs high for the reach."), "#decisions-form");
        Assert.Equal(["The meeting is on 10 February 2027: its decisions are recorded from that day"], (await early.ReadPageAsync()).ErrorSummary());
        _clock.Advance(TimeSpan.FromDays(9));
        // Nine days on, yesterday's sign-ins have long ended: the chair and the officer sign in again.
        (panel, officer) = (await _app.SignedInAsync("panel@example.org"), await _app.SignedInAsync("officer@example.org"));

        // A refusal without its reasons stops every decision, naming that application's field.
        form = await panel.GetPageAsync(decisionsUrl);
        var incomplete = await panel.SubmitFormAsync(form, decisionsUrl, Decisions(""), "#decisions-form");
        var problem = await incomplete.ReadPageAsync();
        var weakestReference = await _app.WithDbAsync(db => db.Applications.Where(a => a.Id == weakest).Select(a => a.Reference).SingleAsync());
        Assert.Single(problem.ErrorSummary(), e => e.StartsWith($"{weakestReference}: "));
        Assert.NotNull(problem.QuerySelector($"#Decisions_{dw}__MessageToApplicant-error"));
        Assert.Equal(["panel-decision", "panel-decision", "panel-decision"], [await StageAsync(strongest), await StageAsync(middling), await StageAsync(weakest)]);
        Assert.Null((await _app.WithDbAsync(db => db.Set<PanelMeeting>().SingleAsync())).DecidedAt);

        // Approving with the amount cleared is refused, naming that application's amount: it does not award the full amount asked for.
        var middlingReference = await _app.WithDbAsync(db => db.Applications.Where(a => a.Id == middling).Select(a => a.Reference).SingleAsync());
        var noAmount = Decisions("The panel found the costs high for the reach.");
        noAmount[$"Decisions[{dm}].AmountAwarded"] = "";
        var cleared = await (await panel.SubmitFormAsync(form, decisionsUrl, noAmount, "#decisions-form")).ReadPageAsync();
        Assert.Equal([$"Enter the amount to award for {middlingReference}"], cleared.ErrorSummary());
        Assert.Equal($"#Decisions_{dm}__AmountAwarded", cleared.QuerySelector(".govuk-error-summary a")!.GetAttribute("href"));
        Assert.NotNull(cleared.QuerySelector($"#Decisions_{dm}__AmountAwarded-error"));
        Assert.Equal("panel-decision", await StageAsync(middling));
        Assert.Null((await _app.WithDbAsync(db => db.Set<PanelMeeting>().SingleAsync())).DecidedAt);

        var decided = await panel.SubmitFormAsync(form, decisionsUrl, Decisions("The panel found the costs high for the reach."), "#decisions-form");
        Assert.Equal(HttpStatusCode.Redirect, decided.StatusCode);
        Assert.Equal($"{url}/Minutes", decided.Headers.Location!.OriginalString);

        // Each workflow moved as the panel task would move it, and its journal names the meeting.
        Assert.Equal(["offer", "offer", "rejected"], [await StageAsync(strongest), await StageAsync(middling), await StageAsync(weakest)]);
        foreach (var id in new[] { strongest, middling, weakest })
        {
            var moved = (await JournalAsync(id)).Last(h => h.Kind == HistoryKinds.Transition);
            Assert.Equal("panel-decision", moved.FromState);
            Assert.Contains("the panel meeting \"February panel\" on 10 February 2027", moved.Comment);
            Assert.Equal(chair, moved.ActorId);
        }
        var amounts = await _app.WithDbAsync(db => db.WorkflowInstances.Where(i => i.SubjectType == ApplicationService.SubjectType && i.State == "offer").Select(i => i.Data).ToListAsync());
        Assert.Equal([5500m, 7000m], amounts.Select(d => JsonDocument.Parse(d).RootElement.GetProperty("amountAwarded").GetDecimal()).Order());
        var items = (await _app.WithDbAsync(db => db.Set<PanelItem>().ToListAsync())).ToDictionary(i => i.ApplicationId);
        Assert.Equal(("approve", 7000m, "Unanimous."), (items[strongest].Outcome, items[strongest].AmountAwarded!.Value, items[strongest].Note));
        Assert.Equal(("approve", 5500m, "Send quarterly attendance figures."), (items[middling].Outcome, items[middling].AmountAwarded!.Value, items[middling].Conditions));
        Assert.Equal(("reject", "The panel found the costs high for the reach."), (items[weakest].Outcome, items[weakest].MessageToApplicant));
        Assert.Equal("1. Send your safeguarding policy. (before the first payment)", items[strongest].Conditions);
        var rejection = await _app.WithDbAsync(db => db.OutboxEmails.Where(m => m.Template == "application-rejected").ToListAsync());
        Assert.Contains("The panel found the costs high for the reach.", Assert.Single(rejection).TextBody);

        // The case file names the meeting by its title and day, linked to it, with the meeting's note.
        var caseFile = await officer.GetPageAsync($"/Staff/Applications/{strongest}");
        var decidedAt = caseFile.QuerySelector($"#judgements-table [data-panel='{meeting.Id}']")!;
        Assert.Equal("Decided at February panel, 10 February 2027", decidedAt.TextContent.Trim());
        Assert.Equal(url, decidedAt.QuerySelector("a")!.GetAttribute("href"));
        Assert.Contains("Unanimous.", decidedAt.ParentElement!.TextContent);
        Assert.DoesNotContain("panel meeting", caseFile.QuerySelector("#judgements-table")!.TextContent);

        // The minutes record the views and decisions against the budget; the meeting cannot be decided twice.
        var minutes = await officer.GetPageAsync($"{url}/Minutes");
        Assert.Contains("Approved, £5,500; conditions: Send quarterly attendance figures.", minutes.QuerySelector($"#minutes-table tr[data-application='{middling}'] [data-figure=decision]")!.TextContent);
        Assert.Contains("Grace Okafor: Do not fund (Costs look high.)", minutes.QuerySelector($"#minutes-table tr[data-application='{weakest}']")!.TextContent);
        Assert.StartsWith("£12,500 of £75,000 available", minutes.QuerySelector("#minutes-awarded")!.TextContent.Trim());
        Assert.Equal(HttpStatusCode.Conflict, (await (await _app.ApiClientAsync("panel@example.org")).PostAsJsonAsync($"/api/panel-meetings/{meeting.Id}/decisions",
            new { decisions = new[] { new { applicationId = strongest, outcome = "approve" } } })).StatusCode);

        // The strongest's condition holds its first payment once the offer is accepted, until a grant officer marks it met.
        await _app.CompleteAsync((await _app.OpenTaskAsync(ApplicationService.SubjectType, strongest))!.Id, "applicant@example.org", new TaskCompletion("accept", null));
        var grant = await _app.WithDbAsync(db => db.Grants.Include(g => g.Instalments).Include(g => g.ConditionList).SingleAsync(g => g.ApplicationId == strongest));
        Assert.Equal(("Send your safeguarding policy.", Core.Grants.ConditionKinds.BeforeFirstPayment), (grant.ConditionList.Single().Text, grant.ConditionList.Single().Kind));
        Assert.Equal(Core.Grants.InstalmentStatus.Held, grant.Instalments.Single(i => i.Sequence == 1).Status);
    }

    [Fact]
    public async Task Over_the_api_a_panel_of_one_decides_and_those_not_on_the_meeting_are_refused()
    {
        var id = await AtPanelAsync(6500m, 4);
        var officer = await _app.ApiClientAsync("officer@example.org");
        var roundId = await _app.WithDbAsync(db => db.Applications.Where(a => a.Id == id).Select(a => a.RoundId).SingleAsync());
        var awaiting = await officer.GetFromJsonAsync<JsonElement>($"/api/panel-meetings/awaiting?roundId={roundId}");
        Assert.Contains(awaiting.EnumerateArray(), a => a.GetProperty("applicationId").GetInt32() == id);

        // Refused: a panel member cannot set a meeting up; bad input names each field.
        var panelId = await UserIdAsync("panel2@example.org");
        var member = await _app.ApiClientAsync("panel2@example.org");
        Assert.Equal(HttpStatusCode.Forbidden, (await member.PostAsJsonAsync("/api/panel-meetings", new { roundId, meetsOn = "2027-02-01", memberIds = new[] { panelId }, applicationIds = new[] { id } })).StatusCode);
        var bad = await officer.PostAsJsonAsync("/api/panel-meetings", new { roundId, meetsOn = "2027-01-01", memberIds = new[] { "nobody" }, applicationIds = new[] { 999999 } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["applicationIds", "meetsOn", "memberIds"], errors.EnumerateObject().Select(e => e.Name).Order());

        var created = await officer.PostAsJsonAsync("/api/panel-meetings", new { roundId, meetsOn = "2027-02-01", title = "Small grants panel", memberIds = new[] { panelId }, applicationIds = new[] { id } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var meeting = await created.Content.ReadFromJsonAsync<JsonElement>();
        var meetingId = meeting.GetProperty("id").GetInt32();
        Assert.Equal($"/api/panel-meetings/{meetingId}", created.Headers.Location!.OriginalString);
        Assert.True(meeting.GetProperty("members")[0].GetProperty("isChair").GetBoolean());
        Assert.Equal("planned", meeting.GetProperty("status").GetString());
        Assert.Equal(80.0m, meeting.GetProperty("items")[0].GetProperty("averageScore").GetDecimal());

        // Not on the meeting: another panel member is refused it and its decisions; an applicant is refused too.
        var outsider = await _app.ApiClientAsync("panel@example.org");
        Assert.Equal(HttpStatusCode.Forbidden, (await outsider.GetAsync($"/api/panel-meetings/{meetingId}")).StatusCode);
        Assert.DoesNotContain((await outsider.GetFromJsonAsync<JsonElement>("/api/panel-meetings")).EnumerateArray(), m => m.GetProperty("id").GetInt32() == meetingId);
        var decisions = new { decisions = new[] { new { applicationId = id, outcome = "approve", amountAwarded = 6000m,
            conditions = new[] { new { text = "Send the signed partnership agreement.", kind = "before-first-payment" } }, note = "Chair's decision alone" } } };
        Assert.Equal(HttpStatusCode.Forbidden, (await outsider.PostAsJsonAsync($"/api/panel-meetings/{meetingId}/decisions", decisions)).StatusCode);
        var applicant = await _app.ApiClientAsync("applicant@example.org");
        Assert.NotEqual(HttpStatusCode.OK, (await applicant.GetAsync($"/api/panel-meetings/{meetingId}")).StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, (await applicant.PostAsJsonAsync($"/api/panel-meetings/{meetingId}/decisions", decisions)).StatusCode);
        Assert.Equal("panel-decision", await StageAsync(id));

        // The one member chairs and decides.
        var answer = await member.PostAsJsonAsync($"/api/panel-meetings/{meetingId}/decisions", decisions);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var after = await answer.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("decided", after.GetProperty("status").GetString());
        Assert.Equal(6000m, after.GetProperty("items")[0].GetProperty("amountAwarded").GetDecimal());
        Assert.Equal("offer", await StageAsync(id));
        // The conditions keep their kinds in the decision, as a decision task's would: this one holds the first payment.
        var caseData = JsonDocument.Parse(await _app.WithDbAsync(db => db.Applications.Where(a => a.Id == id)
            .Join(db.WorkflowInstances, a => a.WorkflowInstanceId, i => i.Id, (a, i) => i.Data).SingleAsync())).RootElement;
        var kept = JsonDocument.Parse(caseData.GetProperty("conditionList").GetString()!).RootElement.EnumerateArray().Single();
        Assert.Equal(("Send the signed partnership agreement.", "before-first-payment"), (kept.GetProperty("text").GetString(), kept.GetProperty("kind").GetString()));
        Assert.StartsWith("1. Send the signed partnership agreement. (", after.GetProperty("items")[0].GetProperty("conditions").GetString());
        Assert.Contains((await JournalAsync(id)), h => h.Kind == HistoryKinds.Transition && h.Comment is not null && h.Comment.Contains("the panel meeting \"Small grants panel\"") && h.Comment.Contains("Chair's decision alone"));
        var listed = await officer.GetFromJsonAsync<JsonElement>("/api/panel-meetings");
        Assert.Equal("decided", listed.EnumerateArray().Single(m => m.GetProperty("id").GetInt32() == meetingId).GetProperty("status").GetString());
    }
}
