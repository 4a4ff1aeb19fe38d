using System.Net;
using GrantManager.Core.Applications;
using GrantManager.Core.Workflows;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GrantManager.Tests.Registers;

/// <summary>The case file: everything about an application and its grant on one page, as far as the reader's role allows.</summary>
public sealed class CaseFileTests(GrantManagerFactory app) : IClassFixture<GrantManagerFactory>
{
    private DateOnly Start => app.Today().AddMonths(2);

    [Fact]
    public async Task Weighted_scores_are_shown_out_of_the_most_the_funds_criteria_can_give()
    {
        var fund = await app.CreateFundAsync("SCORE");
        // Without its fourth criterion (weight 20) the fund's weights add up to 80.
        await app.WithDbAsync(db => db.Criteria.Where(c => c.FundId == fund.Id && c.Name == "Social value").ExecuteDeleteAsync());
        var email = await app.CreateApplicantAsync("Lydden Lace Makers");
        var application = await app.CreateApplicationAsync(a => a.By(email).ToFund("SCORE").Running(Start, Start.AddMonths(11)).Asking(2400m).Assessed());
        var max = await app.WithDbAsync(db => db.Criteria.Where(c => c.FundId == fund.Id).Select(c => new { c.Weight, c.Max }).ToListAsync());
        var expected = $"{decimal.Round(max.Sum(c => 4m / c.Max * c.Weight), 1).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)} out of 80";
        var officer = await app.SignedInAsync("officer@example.org");

        var file = await officer.GetPageAsync($"/Staff/Applications/{application.Id}");
        Assert.Equal([expected, expected], file.QuerySelectorAll("#judgements-table [data-figure=score]").Select(c => c.TextContent.Trim()).Where(t => t != ""));

        var decision = await app.OpenTaskAsync(ApplicationService.SubjectType, application.Id);
        var task = await officer.GetPageAsync($"/Staff/Tasks/{decision!.Id}");
        Assert.Equal([expected, expected], task.QuerySelectorAll("[data-figure=score]").Select(c => c.TextContent.Trim()));
    }

    [Fact]
    public async Task An_officer_sees_the_answers_judgements_grant_payments_reports_emails_history_tasks_and_timers()
    {
        var email = $"case-{Guid.NewGuid():N}@example.org";
        await NewApplicant.RegisterCharityAsync(app, email, "Sheppey Sea Swimmers", "1211001", "ME12 2AA");
        var grant = await app.AwardAsync(Start, Start.AddMonths(11), 4200m, email);

        var officer = await app.SignedInAsync("officer@example.org");
        var register = await officer.GetPageAsync($"/Staff/Applications?q={grant.Reference}");
        var link = register.QuerySelector("#applications tbody a")!.GetAttribute("href")!;
        var page = await officer.GetPageAsync(link);
        Assert.Equal($"{grant.Reference}: Befriending by phone", page.QuerySelector("h1")!.TextContent.Trim());
        var main = page.QuerySelector("main")!.TextContent;
        Assert.Contains("Sheppey Sea Swimmers", main);
        Assert.Contains("£4,200 awarded", page.QuerySelector("#case-summary")!.TextContent);
        var judgements = page.QuerySelectorAll("#judgements-table tbody tr").Select(r => r.TextContent).ToList();
        Assert.Contains(judgements, r => r.Contains("Asha Assessor") && r.Contains("Good"));
        Assert.Contains(judgements, r => r.Contains("Aled Assessor"));
        var payments = page.QuerySelectorAll("#payments-table tbody tr").ToList();
        Assert.Equal(grant.Instalments.Count, payments.Count);
        Assert.Contains("£2,100", payments[0].TextContent);
        Assert.Equal("When the offer is accepted", payments[0].QuerySelectorAll("td")[2].TextContent.Trim());
        Assert.Equal("When the final report is accepted", payments[^1].QuerySelectorAll("td")[2].TextContent.Trim());
        Assert.Equal(grant.Returns.Count, page.QuerySelectorAll("#returns-table tbody tr").Length);
        var emails = page.QuerySelectorAll("#emails-table tbody tr").Select(r => r.TextContent).ToList();
        Assert.Contains(emails, r => r.Contains(email) && r.Contains(grant.Reference));
        var tasks = page.QuerySelectorAll("#open-tasks-table tbody tr").Select(r => r.TextContent).ToList();
        Assert.Contains(tasks, r => r.Contains($"{grant.Reference}/P1") && r.Contains("Finance officer"));
        Assert.NotEmpty(page.QuerySelectorAll("#timers-table tbody tr"));
        var history = page.QuerySelectorAll("#history-table tbody tr").Select(r => r.TextContent).ToList();
        Assert.Contains(history, r => r.Contains("Olivia Officer"));
        Assert.Contains(history, r => r.Contains($"{grant.Reference}/R1"));
    }

    [Fact]
    public async Task The_two_copies_of_an_assessment_are_told_apart_in_the_open_tasks_as_in_the_inbox()
    {
        var email = $"copies-{Guid.NewGuid():N}@example.org";
        await NewApplicant.RegisterCharityAsync(app, email, "Hoo Peninsula Walkers", "1211003", "ME3 9AA");
        var id = await app.SubmitApplicationAsync(Start, Start.AddMonths(11), 2400m, email);
        await app.CompleteAsync((await app.OpenTaskAsync(ApplicationService.SubjectType, id))!.Id, "officer@example.org", new TaskCompletion("eligible", null));

        var officer = await app.SignedInAsync("officer@example.org");
        var page = await officer.GetPageAsync($"/Staff/Applications/{id}");
        var titles = page.QuerySelectorAll("#open-tasks-table tbody tr td:first-child").Select(c => c.TextContent).ToList();
        Assert.Equal(2, titles.Count);
        Assert.Contains("(1 of 2)", titles[0]);
        Assert.Contains("(2 of 2)", titles[1]);
    }

    [Fact]
    public async Task An_assessor_sees_nothing_before_declaring_and_no_other_assessors_view_before_giving_their_own()
    {
        var email = $"assess-{Guid.NewGuid():N}@example.org";
        await NewApplicant.RegisterCharityAsync(app, email, "Minster Memory Cafe", "1211002", "ME12 3AA");
        var id = await app.SubmitApplicationAsync(Start, Start.AddMonths(11), 2600m, email);
        await app.CompleteAsync((await app.OpenTaskAsync(ApplicationService.SubjectType, id))!.Id, "officer@example.org", new TaskCompletion("eligible", null));
        var criteria = await app.WithDbAsync(db => db.Criteria.Select(c => c.Id).ToListAsync());
        var tasks = await app.WithDbAsync(db => db.InboxTasks.Include(t => t.Instance)
            .Where(t => t.Status == InboxTaskStatus.Open && t.Instance!.SubjectId == id.ToString()).OrderBy(t => t.Id).ToListAsync());

        var second = await app.SignedInAsync("assessor2@example.org");
        var before = await second.GetPageAsync($"/Staff/Applications/{id}");
        Assert.Equal("Declare any conflict of interest first", before.QuerySelector("h1")!.TextContent.Trim());
        Assert.DoesNotContain("Minster Memory Cafe", before.QuerySelector("main")!.TextContent);

        async Task DeclareAsync(long task, string assessor) =>
            await app.WithAsync(async sp => { await sp.GetRequiredService<WorkflowRuntime>().DeclareConflictAsync(task, false, null, await app.ActorAsync(assessor)); return 0; });
        await DeclareAsync(tasks[0].Id, "assessor@example.org");
        await app.CompleteAsync(tasks[0].Id, "assessor@example.org", new TaskCompletion("fund", "Strong local backing", criteria.ToDictionary(c => c.ToString(), _ => 4)));
        await DeclareAsync(tasks[1].Id, "assessor2@example.org");

        var declared = await second.GetPageAsync($"/Staff/Applications/{id}");
        Assert.Contains("Minster Memory Cafe", declared.QuerySelector("main")!.TextContent);
        Assert.DoesNotContain("Strong local backing", declared.QuerySelector("main")!.TextContent);
        Assert.DoesNotContain("Asha Assessor", declared.QuerySelector("#judgements-table")?.TextContent ?? "");
        // The history says the other assessment was done, never what it recommended.
        var done = OutcomesIn(declared, "Asha Assessor");
        Assert.Contains("Task completed", done);
        Assert.All(done, what => Assert.DoesNotContain("(", what, StringComparison.Ordinal));

        await app.CompleteAsync(tasks[1].Id, "assessor2@example.org", new TaskCompletion("fund", "Good value", criteria.ToDictionary(c => c.ToString(), _ => 3)));
        var after = await second.GetPageAsync($"/Staff/Applications/{id}");
        Assert.Contains("Strong local backing", after.QuerySelector("main")!.TextContent);
        Assert.Contains(OutcomesIn(after, "Asha Assessor"), w => w.Contains("Task completed (", StringComparison.Ordinal));

    }

    [Fact]
    public async Task Applicants_even_the_applications_own_are_refused_and_an_unknown_case_is_not_found()
    {
        var email = $"own-{Guid.NewGuid():N}@example.org";
        await NewApplicant.RegisterCharityAsync(app, email, "Queenborough Quilters", "1211003", "ME11 5AA");
        var id = await app.SubmitApplicationAsync(Start, Start.AddMonths(11), 1900m, email);
        var own = await app.SignedInAsync(email, NewApplicant.Password);
        Assert.StartsWith("/Account/AccessDenied", (await own.GetAsync($"/Staff/Applications/{id}")).Headers.Location!.PathAndQuery);
        var other = await app.SignedInAsync("applicant2@example.org");
        Assert.StartsWith("/Account/AccessDenied", (await other.GetAsync($"/Staff/Applications/{id}")).Headers.Location!.PathAndQuery);
        var officer = await app.SignedInAsync("officer@example.org");
        Assert.Equal(HttpStatusCode.NotFound, (await officer.GetAsync("/Staff/Applications/999999")).StatusCode);
        // Finance's work is grants and payments: an application that is not a grant is not theirs to read.
        var finance = await app.SignedInAsync("finance@example.org");
        Assert.StartsWith("/Account/AccessDenied", (await finance.GetAsync($"/Staff/Applications/{id}")).Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task The_quarterly_report_links_each_award_to_its_case_file()
    {
        var email = $"quarter-{Guid.NewGuid():N}@example.org";
        await NewApplicant.RegisterCharityAsync(app, email, "Eastchurch Growers", "1211004", "ME12 4AA");
        var grant = await app.AwardAsync(Start, Start.AddMonths(11), 2800m, email);
        var officer = await app.SignedInAsync("officer@example.org");
        var fundId = grant.FundId;
        var quarterly = await officer.GetPageAsync($"/Staff/Funds/{fundId}/Quarterly");
        var link = quarterly.QuerySelectorAll("main a").First(a => a.TextContent.Trim() == grant.Reference).GetAttribute("href")!;
        var redirect = await officer.GetAsync(link);
        Assert.Equal($"/Staff/Applications/{grant.ApplicationId}", redirect.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.NotFound, (await officer.GetAsync("/Staff/Cases/NOPE-0000")).StatusCode);
    }

    /// <summary>The "What" of each history row the named person did.</summary>
    private static List<string> OutcomesIn(AngleSharp.Html.Dom.IHtmlDocument page, string who) =>
        page.QuerySelectorAll("#history-table tbody tr")
            .Where(r => r.Children[1].TextContent.Trim() == who)
            .Select(r => r.Children[2].TextContent.Trim()).ToList();
}
