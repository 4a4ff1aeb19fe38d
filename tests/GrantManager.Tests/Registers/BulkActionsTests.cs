using System.Net;
using GrantManager.Core.Applications;
using GrantManager.Core.Email;
using GrantManager.Core.Workflows;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Tests.Registers;

/// <summary>Ticking applications in the register and acting on them together: giving their tasks to someone, messaging their applicants.</summary>
public sealed class BulkActionsTests(GrantManagerFactory app) : IClassFixture<GrantManagerFactory>
{
    private DateOnly Start => app.Today().AddMonths(2);

    private async Task<(string Email, int Id, string Reference)> ApplyAsync(string organisation, string charityNumber, decimal amount = 2500m)
    {
        var email = $"bulk-{Guid.NewGuid():N}@example.org";
        await NewApplicant.RegisterCharityAsync(app, email, organisation, charityNumber, "TN23 1AA");
        var id = await app.SubmitApplicationAsync(Start, Start.AddMonths(11), amount, email);
        var reference = await app.WithDbAsync(db => db.Applications.Where(a => a.Id == id).Select(a => a.Reference).SingleAsync());
        return (email, id, reference);
    }

    /// <summary>Ticks the rows in the register found by the search and presses the button; returns the page it leads to.</summary>
    private static async Task<(HttpResponseMessage Response, string Url)> TickAsync(HttpClient officer, string search, string button, params int[] ids)
    {
        var url = $"/Staff/Applications?q={Uri.EscapeDataString(search)}";
        var response = await officer.SubmitFormAsync(url, new() { ["Ids"] = string.Join('|', ids) }, "#bulk", button);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (response, "/Staff/Applications/Bulk");
    }

    private Task<List<WorkflowHistoryEntry>> BulkEntriesAsync(int applicationId) => app.WithDbAsync(db =>
        (from a in db.Applications join h in db.WorkflowHistory on a.WorkflowInstanceId equals h.InstanceId
         where a.Id == applicationId && h.Kind == BulkActions.HistoryKind orderby h.Id select h).ToListAsync());

    [Fact]
    public async Task An_officer_gives_ticked_applications_tasks_to_someone_who_may_take_them_and_is_told_which_they_may_not()
    {
        var eligibility = await ApplyAsync("Wye Wheelers Cycling Club", "1301001");
        var assessment = await ApplyAsync("Wye Wetland Wardens", "1301002");
        var check = await app.OpenTaskAsync(ApplicationService.SubjectType, assessment.Id);
        await app.CompleteAsync(check!.Id, "officer@example.org", new TaskCompletion("eligible", null));
        var officer = await app.SignedInAsync("officer@example.org");

        var (chosen, _) = await TickAsync(officer, "wye", "Give the selected tasks to someone", eligibility.Id, assessment.Id);
        var page = await chosen.ReadPageAsync();
        // Only people who may take one of the open tasks are offered: the grant officer for the check, both assessors for the assessment.
        Assert.Equal(["Aled Assessor", "Asha Assessor", "Olivia Officer"],
            page.QuerySelectorAll("input[name=AssigneeId] + label").Select(l => l.TextContent.Trim()).Order());
        var asha = await app.ActorAsync("assessor@example.org");

        var done = await officer.SubmitFormAsync(page, "/Staff/Applications/Bulk", new() { ["AssigneeId"] = asha.UserId! });
        var result = await done.ReadPageAsync();
        Assert.Equal("Done for 1 of 2 applications", result.QuerySelector("h1")!.TextContent.Trim());
        var refused = result.QuerySelector($"#outcomes tr[data-application='{eligibility.Id}']")!;
        Assert.Equal("false", refused.GetAttribute("data-done"));
        Assert.Contains("Asha Assessor may not take ‘Check eligibility’: they are not a grant officer", refused.TextContent);
        Assert.Equal("true", result.QuerySelector($"#outcomes tr[data-application='{assessment.Id}']")!.GetAttribute("data-done"));

        var tasks = await app.WithDbAsync(db => db.InboxTasks.Include(t => t.Instance)
            .Where(t => t.Status == InboxTaskStatus.Open && (t.Instance!.SubjectId == eligibility.Id.ToString() || t.Instance.SubjectId == assessment.Id.ToString()))
            .ToListAsync());
        Assert.All(tasks.Where(t => t.Instance!.SubjectId == eligibility.Id.ToString()), t => Assert.Null(t.AssigneeId));
        Assert.Single(tasks, t => t.Instance!.SubjectId == assessment.Id.ToString() && t.AssigneeId == asha.UserId);
        // Recorded on the case it touched, and only there; the case file shows it.
        Assert.Empty(await BulkEntriesAsync(eligibility.Id));
        var entry = Assert.Single(await BulkEntriesAsync(assessment.Id));
        Assert.Equal("Olivia Officer", entry.ActorName);
        Assert.Equal("Assigned ‘Assess the application’ to Asha Assessor (one of 2 applications acted on together)", entry.Comment);
        var file = await officer.GetPageAsync($"/Staff/Applications/{assessment.Id}");
        Assert.Contains(file.QuerySelectorAll("#history-table tbody tr"), r => r.TextContent.Contains("Bulk action") && r.TextContent.Contains(entry.Comment!));

        // Asked again, the case she already has is refused with the reason, and nothing more is recorded.
        var (again, _) = await TickAsync(officer, "wye wetland", "Give the selected tasks to someone", assessment.Id);
        var repeat = await (await officer.SubmitFormAsync(await again.ReadPageAsync(), "/Staff/Applications/Bulk", new() { ["AssigneeId"] = asha.UserId! })).ReadPageAsync();
        Assert.Contains("Asha Assessor already has ‘Assess the application’", repeat.QuerySelector("#outcomes")!.TextContent);
        Assert.Single(await BulkEntriesAsync(assessment.Id));
    }

    [Fact]
    public async Task The_person_given_tasks_in_bulk_gets_one_email_listing_them_as_when_given_one_task()
    {
        var first = await ApplyAsync("Stelling Minnis Stargazers", "1304001");
        var second = await ApplyAsync("Stelling Minnis Scouts", "1304002");
        foreach (var a in new[] { first, second })
            await app.CompleteAsync((await app.OpenTaskAsync(ApplicationService.SubjectType, a.Id))!.Id, "officer@example.org", new TaskCompletion("eligible", null));
        var aled = await app.ActorAsync("assessor2@example.org");
        var officer = await app.SignedInAsync("officer@example.org");

        var (chosen, _) = await TickAsync(officer, "stelling minnis", "Give the selected tasks to someone", first.Id, second.Id);
        var done = await (await officer.SubmitFormAsync(await chosen.ReadPageAsync(), "/Staff/Applications/Bulk", new() { ["AssigneeId"] = aled.UserId! })).ReadPageAsync();
        Assert.Equal("Done for 2 of 2 applications", done.QuerySelector("h1")!.TextContent.Trim());

        var email = await app.Smtp.WaitForAsync("assessor2@example.org", "Olivia Officer has given you 2 tasks", TimeSpan.FromSeconds(60));
        foreach (var a in new[] { first, second })
        {
            var task = await app.WithDbAsync(db => db.InboxTasks.SingleAsync(t => t.AssigneeId == aled.UserId && t.Status == InboxTaskStatus.Open
                && t.Instance!.CaseId == a.Id));
            Assert.Contains($"- Assess the application for {a.Reference}", email.TextBody);
            Assert.Contains($"/Staff/Tasks/{task.Id}", email.TextBody);
            Assert.Single(await BulkEntriesAsync(a.Id));
        }
        Assert.Equal(1, await app.WithDbAsync(db => db.OutboxEmails.CountAsync(m => m.Template == "tasks-assigned" && m.ToAddress == "assessor2@example.org"
            && (m.TextBody.Contains(first.Reference) || m.TextBody.Contains(second.Reference)))));

        // Giving one task from its page tells the person the same way, and the email is in the case file.
        var third = await ApplyAsync("Stelling Minnis Singers", "1304003");
        var check = await app.OpenTaskAsync(ApplicationService.SubjectType, third.Id);
        var url = $"/Staff/Tasks/{check!.Id}";
        var self = await app.ActorAsync("officer@example.org");
        var page = await officer.GetPageAsync(url);
        var value = page.QuerySelectorAll("#AssignTo option").Single(o => o.GetAttribute("value") == self.UserId).GetAttribute("value")!;
        await officer.SubmitFormAsync(url, new() { ["AssignTo"] = value }, "form[action*='handler=Assign']");
        Assert.Equal(self.UserId, (await app.OpenTaskAsync(ApplicationService.SubjectType, third.Id))!.AssigneeId);
        // Nobody is emailed about a task they gave themselves.
        Assert.Equal(0, await app.WithDbAsync(db => db.OutboxEmails.CountAsync(m => m.Template == "tasks-assigned" && m.SubjectId == third.Id.ToString())));
        await app.CompleteAsync(check.Id, "officer@example.org", new TaskCompletion("eligible", null));
        var assessment = await app.OpenTaskAsync(ApplicationService.SubjectType, third.Id);
        var assessmentUrl = $"/Staff/Tasks/{assessment!.Id}";
        var assessmentPage = await officer.GetPageAsync(assessmentUrl);
        var toAled = assessmentPage.QuerySelectorAll("#AssignTo option").Single(o => o.GetAttribute("value") == aled.UserId).GetAttribute("value")!;
        await officer.SubmitFormAsync(assessmentUrl, new() { ["AssignTo"] = toAled }, "form[action*='handler=Assign']");
        var one = await app.Smtp.WaitForAsync("assessor2@example.org", $"Olivia Officer has given you a task: Assess the application for {third.Reference}", TimeSpan.FromSeconds(60));
        Assert.Contains($"/Staff/Tasks/{assessment.Id}", one.TextBody);
        var file = await officer.GetPageAsync($"/Staff/Applications/{third.Id}");
        Assert.Contains($"Olivia Officer has given you a task: Assess the application for {third.Reference}", file.Body!.TextContent);
    }

    [Fact]
    public async Task Choosing_nobody_or_ticking_nothing_is_named_and_changes_nothing()
    {
        var a = await ApplyAsync("Elham Elders Lunch Club", "1302001");
        var officer = await app.SignedInAsync("officer@example.org");
        var nothing = await (await officer.SubmitFormAsync("/Staff/Applications?q=elham", button: "Give the selected tasks to someone", formSelector: "#bulk")).ReadPageAsync();
        Assert.Equal(["Select the applications to act on"], nothing.ErrorSummary());
        var noneToMessage = await (await officer.SubmitFormAsync("/Staff/Applications?q=elham", button: "Message the selected applicants", formSelector: "#bulk")).ReadPageAsync();
        Assert.Equal(["Select the applications to act on"], noneToMessage.ErrorSummary());
        Assert.Null(noneToMessage.QuerySelector("textarea"));

        var (chosen, _) = await TickAsync(officer, "elham", "Give the selected tasks to someone", a.Id);
        var one = await chosen.ReadPageAsync();
        Assert.Equal("Who should take the open tasks of this application?", one.QuerySelector("h1")!.TextContent.Trim());
        var nobody = await (await officer.SubmitFormAsync(one, "/Staff/Applications/Bulk")).ReadPageAsync();
        Assert.Equal(["Choose the person to give the tasks to"], nobody.ErrorSummary());
        Assert.Equal("#AssigneeId", nobody.QuerySelector(".govuk-error-summary__list a")!.GetAttribute("href"));
        Assert.NotNull(nobody.QuerySelector("#AssigneeId"));
        Assert.Null((await app.OpenTaskAsync(ApplicationService.SubjectType, a.Id))!.AssigneeId);
        Assert.Empty(await BulkEntriesAsync(a.Id));
    }

    [Fact]
    public async Task A_journey_from_registration_the_officer_messages_the_ticked_applicants_after_seeing_it_filled_in_for_one()
    {
        var first = await ApplyAsync("Lympne Lantern Makers", "1303001", 1800m);
        var second = await ApplyAsync("Lympne Litter Pickers", "1303002", 2600m);
        var officer = await app.SignedInAsync("officer@example.org");

        var (write, _) = await TickAsync(officer, "lympne", "Message the selected applicants", first.Id, second.Id);
        var form = await write.ReadPageAsync();
        const string subject = "News about {{ reference }}";
        const string body = "Dear {{ recipient_name }},\n\nWe are looking at {{ projectTitle }} for {{ organisationName }}, asking for {{ amountRequested | money }}.\n\n{{ council }}";

        // A template that cannot be filled in is named on its field, and nothing is sent.
        var broken = await (await officer.SubmitFormAsync(form, "/Staff/Applications/Bulk", new() { ["Subject"] = "About {{ reference", ["Body"] = body })).ReadPageAsync();
        Assert.Single(broken.ErrorSummary(), e => e.StartsWith("The subject is not a template that can be filled in"));
        Assert.Equal("About {{ reference", broken.QuerySelector("#Subject")!.GetAttribute("value"));

        // So is a value or a filter that does not exist, rather than being filled in as nothing.
        var typos = await (await officer.SubmitFormAsync(broken, "/Staff/Applications/Bulk",
            new() { ["Subject"] = "About {{ referense }}", ["Body"] = "Dear {{ recipient_name | nofilter }}" })).ReadPageAsync();
        Assert.Equal(["The subject uses {{ referense }}, which is not a value that can be filled in: use one of those listed under ‘What you can fill in’",
            "The message uses the filter ‘nofilter’, which does not exist"], typos.ErrorSummary());
        Assert.Null(typos.QuerySelector("#preview"));

        var preview = await (await officer.SubmitFormAsync(typos, "/Staff/Applications/Bulk", new() { ["Subject"] = subject, ["Body"] = body })).ReadPageAsync();
        var shownFor = new[] { first, second }.OrderBy(x => x.Reference, StringComparer.Ordinal).First();
        Assert.Equal($"News about {shownFor.Reference}", preview.QuerySelector("#preview-subject")!.TextContent.Trim());
        Assert.Contains($"Dear Priya Newcomer,", preview.QuerySelector("#preview-body")!.TextContent);
        Assert.Contains(shownFor == first ? "for Lympne Lantern Makers, asking for £1,800" : "for Lympne Litter Pickers, asking for £2,600", preview.QuerySelector("#preview-body")!.TextContent);
        Assert.Contains(shownFor.Email, preview.QuerySelector("#preview-for")!.TextContent);
        Assert.Equal(0, await app.WithDbAsync(db => db.OutboxEmails.CountAsync(m => m.Template == "bulk-message" && (m.ToAddress == first.Email || m.ToAddress == second.Email))));

        var sent = await (await officer.SubmitFormAsync(preview, "/Staff/Applications/Bulk", button: "Send to 2 applicants")).ReadPageAsync();
        Assert.Equal("Done for 2 of 2 applications", sent.QuerySelector("h1")!.TextContent.Trim());
        foreach (var (applicant, organisation, amount) in new[] { (first, "Lympne Lantern Makers", "£1,800"), (second, "Lympne Litter Pickers", "£2,600") })
        {
            var email = await app.Smtp.WaitForAsync(applicant.Email, $"News about {applicant.Reference}");
            Assert.Contains($"We are looking at Befriending by phone for {organisation}, asking for {amount}.", email.TextBody);
            var stored = await app.WithDbAsync(db => db.OutboxEmails.SingleAsync(m => m.Template == "bulk-message" && m.ToAddress == applicant.Email));
            Assert.Equal((ApplicationService.SubjectType, applicant.Id.ToString()), (stored.SubjectType, stored.SubjectId));
            var entry = Assert.Single(await BulkEntriesAsync(applicant.Id));
            Assert.Equal($"Sent a message to the applicant: ‘News about {applicant.Reference}’ (one of 2 applications acted on together)", entry.Comment);
            var file = await officer.GetPageAsync($"/Staff/Applications/{applicant.Id}");
            Assert.Contains(file.QuerySelectorAll("#emails-table tbody tr"), r => r.TextContent.Contains($"News about {applicant.Reference}"));
            Assert.Contains(file.QuerySelectorAll("#history-table tbody tr"), r => r.TextContent.Contains(entry.Comment!));
        }
    }

    [Fact]
    public async Task Only_grant_officers_may_act_on_several_applications()
    {
        var a = await ApplyAsync("Brabourne Bell Ringers", "1304001");
        var finance = await app.SignedInAsync("finance@example.org");
        var register = await finance.GetPageAsync("/Staff/Applications");
        Assert.Empty(register.QuerySelectorAll("input[name=Ids]"));
        Assert.Null(register.QuerySelector("#bulk-actions"));

        // Each is refused the action even when posting with a valid form token of their own.
        foreach (var (email, password) in new[] { ("finance@example.org", Core.Data.DemoData.Password), ("panel@example.org", Core.Data.DemoData.Password),
                     ("assessor@example.org", Core.Data.DemoData.Password), (a.Email, NewApplicant.Password), ("applicant2@example.org", Core.Data.DemoData.Password) })
        {
            var client = await app.SignedInAsync(email, password);
            var token = await TokenAsync(client);
            var response = await client.PostAsync("/Staff/Applications/Bulk?handler=Send", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token, ["Ids"] = a.Id.ToString(), ["Subject"] = "Hello", ["Body"] = "Hello",
            }));
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/Account/AccessDenied", response.Headers.Location!.PathAndQuery);
        }
        // Without the form's token, not even a grant officer's post is taken.
        var officer = await app.SignedInAsync("officer@example.org");
        var forged = await officer.PostAsync("/Staff/Applications/Bulk?handler=Send", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Ids"] = a.Id.ToString(), ["Subject"] = "Hello", ["Body"] = "Hello",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(0, await app.WithDbAsync(db => db.OutboxEmails.CountAsync(m => m.Template == "bulk-message" && m.ToAddress == a.Email)));
        Assert.Empty(await BulkEntriesAsync(a.Id));
    }

    /// <summary>The antiforgery token from a page the user may open (their own account page or home).</summary>
    private static async Task<string> TokenAsync(HttpClient client)
    {
        foreach (var url in new[] { "/Account/Manage", "/Staff", "/Applicant/Organisation", "/" })
        {
            var response = await client.GetAsync(url);
            if (response.StatusCode != HttpStatusCode.OK) continue;
            var page = await response.ReadPageAsync();
            if (page.QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value") is { } token) return token;
        }
        throw new InvalidOperationException("No page with a form token");
    }
}
