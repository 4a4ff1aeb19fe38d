using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GrantManager.Core.Applications;
using GrantManager.Core.Workflows;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GrantManager.Tests.Registers;

/// <summary>The inbox and GET /api/tasks are paged and counted in the database, and filter to one case.</summary>
public sealed class WorkListTests(GrantManagerFactory app) : IClassFixture<GrantManagerFactory>
{
    private DateOnly Start => app.Today().AddMonths(2);

    private static List<long> Ids(JsonElement tasks) => tasks.EnumerateArray().Select(t => t.GetProperty("id").GetInt64()).ToList();

    private static string? Next(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Link", out var values)
            ? string.Join(",", values).Split(',').Select(l => l.Trim()).FirstOrDefault(l => l.EndsWith("rel=\"next\""))?.Split(';')[0].Trim('<', '>', ' ')
            : null;

    [Fact]
    public async Task Everyones_tasks_tell_the_two_assessments_of_a_case_apart_and_open_its_case_file()
    {
        var fundId = (await app.CreateFundAsync("INBXA")).Id;
        var email = await app.CreateApplicantAsync("Ivychurch Indoor Bowls");
        var application = await app.CreateApplicationAsync(a => a.By(email).ToFund("INBXA").Running(Start, Start.AddMonths(11)).Asking(2300m).Submitted());
        await app.CompleteAsync((await app.OpenTaskAsync(ApplicationService.SubjectType, application.Id))!.Id, "officer@example.org", new TaskCompletion("eligible", null));

        var page = await (await app.SignedInAsync("officer@example.org")).GetPageAsync($"/Staff/Inbox?All=true&fund={fundId}&stage=assessment");
        var rows = page.QuerySelectorAll("tbody tr").Where(r => r.TextContent.Contains(application.Reference, StringComparison.Ordinal)).ToList();
        Assert.Equal([$"Assess the application for {application.Reference} (1 of 2)", $"Assess the application for {application.Reference} (2 of 2)"],
            rows.Select(r => r.QuerySelector("td a")!.TextContent.Trim()).Order(StringComparer.Ordinal).ToList());
        Assert.All(rows, r => Assert.Contains(r.QuerySelectorAll("a"), a => a.GetAttribute("href") == $"/Staff/Applications/{application.Id}"));

        // An assessor, who reaches the case only through the task after declaring any conflict, gets no link to the case file.
        var assessor = await (await app.SignedInAsync("assessor@example.org")).GetPageAsync($"/Staff/Inbox?fund={fundId}");
        var theirs = assessor.QuerySelectorAll("tbody tr").Where(r => r.TextContent.Contains(application.Reference, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(theirs);
        Assert.All(theirs, r => Assert.DoesNotContain(r.QuerySelectorAll("a"), a => a.GetAttribute("href") == $"/Staff/Applications/{application.Id}"));
    }

    [Fact]
    public async Task Tasks_come_a_page_at_a_time_with_the_total_and_a_link_to_the_next_page()
    {
        var email = $"paging-{Guid.NewGuid():N}@example.org";
        await NewApplicant.RegisterCharityAsync(app, email, "Paging Community Trust", "1190001", "TN23 1AA");
        for (var i = 0; i < 5; i++) await app.SubmitApplicationAsync(Start, Start.AddMonths(11), 2000m + i, email);

        var officer = await app.ApiClientAsync("officer@example.org");
        var everything = await officer.GetAsync("/api/tasks?pageSize=200");
        var all = Ids(await everything.Content.ReadFromJsonAsync<JsonElement>());
        var total = int.Parse(everything.Headers.GetValues("X-Total-Count").Single());
        Assert.Equal(all.Count, total);
        Assert.True(total >= 5);
        Assert.Null(Next(everything));

        var seen = new List<long>();
        var url = "/api/tasks?pageSize=2";
        var pages = 0;
        while (url is not null)
        {
            var response = await officer.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(total, int.Parse(response.Headers.GetValues("X-Total-Count").Single()));
            var page = Ids(await response.Content.ReadFromJsonAsync<JsonElement>());
            Assert.InRange(page.Count, 1, 2);
            seen.AddRange(page);
            url = Next(response);
            pages++;
        }
        Assert.Equal((total + 1) / 2, pages);
        Assert.Equal(all, seen);
    }

    [Theory]
    [InlineData("pageSize=201", "pageSize")]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("page=0", "page")]
    [InlineData("page=first", "page")]
    public async Task A_page_out_of_range_is_refused_naming_the_field(string query, string field)
    {
        var officer = await app.ApiClientAsync("officer@example.org");
        var response = await officer.GetAsync($"/api/tasks?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task One_applications_tasks_include_its_grants_payment_and_another_organisation_sees_none_of_them()
    {
        var email = $"case-{Guid.NewGuid():N}@example.org";
        await NewApplicant.RegisterCharityAsync(app, email, "Case Filter Carers", "1190002", "TN23 1AB");
        var other = await app.SubmitApplicationAsync(Start, Start.AddMonths(11), 1500m, email);
        var grant = await app.AwardAsync(Start, Start.AddMonths(11), 4000m, email);

        var finance = await app.ApiClientAsync("finance@example.org");
        var tasks = await finance.GetFromJsonAsync<JsonElement>($"/api/tasks?applicationId={grant.ApplicationId}");
        var payment = Assert.Single(tasks.EnumerateArray());
        Assert.Equal(grant.ApplicationId, payment.GetProperty("applicationId").GetInt32());
        Assert.Equal($"{grant.Reference}/P1", payment.GetProperty("reference").GetString());

        var officer = await app.ApiClientAsync("officer@example.org");
        var check = Assert.Single((await officer.GetFromJsonAsync<JsonElement>($"/api/tasks?applicationId={other}")).EnumerateArray());
        Assert.Equal(other, check.GetProperty("applicationId").GetInt32());
        Assert.Empty((await officer.GetFromJsonAsync<JsonElement>($"/api/tasks?applicationId={grant.ApplicationId}")).EnumerateArray());

        var stranger = $"stranger-{Guid.NewGuid():N}@example.org";
        await NewApplicant.RegisterAsync(app, stranger, "Unrelated Allotment Society");
        var strangerApi = await app.ApiClientAsync(stranger, NewApplicant.Password);
        Assert.Empty((await strangerApi.GetFromJsonAsync<JsonElement>($"/api/tasks?applicationId={other}")).EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await strangerApi.GetAsync($"/api/applications/{other}")).StatusCode);

        var own = await app.ApiClientAsync(email, NewApplicant.Password);
        var view = await own.GetFromJsonAsync<JsonElement>($"/api/applications/{other}");
        var instanceId = view.GetProperty("workflowInstanceId").GetGuid();
        Assert.Equal(instanceId, check.GetProperty("workflowInstanceId").GetGuid());
        var returnId = grant.Returns.OrderBy(r => r.Sequence).First().Id;
        var returnView = await own.GetFromJsonAsync<JsonElement>($"/api/returns/{returnId}");
        Assert.Equal(grant.Returns.First(r => r.Id == returnId).WorkflowInstanceId, returnView.GetProperty("workflowInstanceId").GetGuid());
    }

    [Fact]
    public async Task The_inbox_shows_fifty_tasks_a_page_with_counts_over_them_all()
    {
        var email = $"inbox-{Guid.NewGuid():N}@example.org";
        await NewApplicant.RegisterCharityAsync(app, email, "Fifty One Projects", "1190003", "TN23 1AC");
        for (var i = 0; i < 51; i++) await app.SubmitApplicationAsync(Start, Start.AddMonths(11), 2000m + i, email);

        var api = await app.ApiClientAsync("officer@example.org");
        var response = await api.GetAsync("/api/tasks?pageSize=1");
        var total = int.Parse(response.Headers.GetValues("X-Total-Count").Single());
        Assert.True(total > 50);

        var officer = await app.SignedInAsync("officer@example.org");
        var first = await officer.GetPageAsync("/Staff/Inbox");
        Assert.StartsWith($"{total} tasks", first.QuerySelector("#inbox-counts")!.TextContent.Trim());
        Assert.Equal(50, first.QuerySelectorAll("main table:first-of-type tbody tr").Length);
        var next = first.QuerySelector(".govuk-pagination__next a")!.GetAttribute("href")!;
        var last = await officer.GetPageAsync(next);
        var pages = (total + 49) / 50;
        Assert.Equal(pages == 2 ? total - 50 : 50, last.QuerySelectorAll("main table:first-of-type tbody tr").Length);
        var firstLinks = first.QuerySelectorAll("main table:first-of-type tbody a").Select(a => a.GetAttribute("href")).ToHashSet();
        Assert.DoesNotContain(last.QuerySelectorAll("main table:first-of-type tbody a").Select(a => a.GetAttribute("href")), firstLinks.Contains);
    }

    private async Task<List<JsonElement>> EveryPageAsync(HttpClient client, string url)
    {
        var all = new List<JsonElement>();
        for (string? next = url; next is not null;)
        {
            var response = await client.GetAsync(next);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            all.AddRange((await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray());
            next = Next(response);
        }
        return all;
    }

    [Fact]
    public async Task Each_stage_counts_the_tasks_listed_and_the_last_page_holds_the_rest()
    {
        var email = $"stages-{Guid.NewGuid():N}@example.org";
        await NewApplicant.RegisterCharityAsync(app, email, "Stage Count Gardens", "1190004", "TN23 1AD");
        var first = await app.SubmitApplicationAsync(Start, Start.AddMonths(11), 2500m, email);
        await app.SubmitApplicationAsync(Start, Start.AddMonths(11), 2600m, email);
        await app.CompleteAsync((await app.OpenTaskAsync(ApplicationService.SubjectType, first))!.Id, "officer@example.org", new TaskCompletion("eligible", null));

        var officer = await app.ApiClientAsync("officer@example.org");
        var all = await EveryPageAsync(officer, "/api/tasks?pageSize=7");
        var total = int.Parse((await officer.GetAsync("/api/tasks?pageSize=7")).Headers.GetValues("X-Total-Count").Single());
        Assert.Equal(total, all.Count);
        Assert.Equal(all.Count, all.Select(t => t.GetProperty("id").GetInt64()).Distinct().Count());
        foreach (var stage in all.GroupBy(t => t.GetProperty("stage").GetString()!))
        {
            var response = await officer.GetAsync($"/api/tasks?stage={Uri.EscapeDataString(stage.Key)}&pageSize=1");
            Assert.Equal(stage.Count(), int.Parse(response.Headers.GetValues("X-Total-Count").Single()));
        }
        var lastPage = (total + 6) / 7;
        var last = await officer.GetAsync($"/api/tasks?pageSize=7&page={lastPage}");
        Assert.Equal(total - (lastPage - 1) * 7, (await last.Content.ReadFromJsonAsync<JsonElement>()).GetArrayLength());
        Assert.Null(Next(last));
    }

    [Fact]
    public async Task An_assessor_sees_one_of_the_two_assessments_until_they_have_done_one()
    {
        var email = $"copies-{Guid.NewGuid():N}@example.org";
        await NewApplicant.RegisterCharityAsync(app, email, "Two Copies Trust", "1190005", "TN23 1AE");
        var id = await app.SubmitApplicationAsync(Start, Start.AddMonths(11), 2700m, email);
        await app.CompleteAsync((await app.OpenTaskAsync(ApplicationService.SubjectType, id))!.Id, "officer@example.org", new TaskCompletion("eligible", null));

        var assessor = await app.ApiClientAsync("assessor@example.org");
        var response = await assessor.GetAsync($"/api/tasks?applicationId={id}");
        var seen = Assert.Single((await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray());
        Assert.Equal("1", response.Headers.GetValues("X-Total-Count").Single());
        var officer = await app.ApiClientAsync("officer@example.org");
        Assert.Equal(2, (await officer.GetFromJsonAsync<JsonElement>($"/api/tasks?applicationId={id}&everyone=true")).GetArrayLength());

        var criteria = await app.WithDbAsync(db => db.Criteria.Where(c => c.FundId == db.Applications.Single(a => a.Id == id).FundId).Select(c => c.Id).ToListAsync());
        var taskId = seen.GetProperty("id").GetInt64();
        await app.WithAsync(async sp => { await sp.GetRequiredService<WorkflowRuntime>().DeclareConflictAsync(taskId, false, null, await app.ActorAsync("assessor@example.org")); return 0; });
        await app.CompleteAsync(taskId, "assessor@example.org", new TaskCompletion("fund", "Good", criteria.ToDictionary(c => c.ToString(), _ => 4)));

        Assert.Empty((await assessor.GetFromJsonAsync<JsonElement>($"/api/tasks?applicationId={id}")).EnumerateArray());
        var other = await app.ApiClientAsync("assessor2@example.org");
        var left = Assert.Single((await other.GetFromJsonAsync<JsonElement>($"/api/tasks?applicationId={id}")).EnumerateArray());
        Assert.NotEqual(taskId, left.GetProperty("id").GetInt64());
    }
}
