using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace GrantManager.BrowserTests;

/// <summary>At 375 pixels wide (a small phone) no page scrolls sideways, and each passes axe.</summary>
[Collection(BrowserCollection.Name)]
public sealed class PhoneWidthTests(BrowserFixture browser)
{
    private const int Width = 375;

    [Fact]
    public async Task The_main_pages_fit_a_375_pixel_screen_for_the_public_an_applicant_and_staff()
    {
        var (applicationId, taskId, returnId) = await AwardedGrantAsync();
        var fundId = await WithDbAsync(db => db.Funds.Where(f => f.Code == "LWK").Select(f => f.Id).SingleAsync());
        var problems = new List<string>();

        var visitor = await PhoneAsync();
        foreach (var url in new[] { "/", "/Funds/LWK", "/Privacy", "/Accessibility", "/Account/Login", "/Account/Register" })
            await CheckAsync(visitor, url, problems);

        var applicant = await PhoneAsync();
        await browser.SignInAsync(applicant, "applicant@example.org");
        foreach (var url in new[] { "/Applicant", "/Applicant/Organisation", $"/Applicant/Applications/{applicationId}", $"/Applicant/Returns/{returnId}" })
            await CheckAsync(applicant, url, problems);

        var officer = await PhoneAsync();
        await browser.SignInAsync(officer, "officer@example.org");
        foreach (var url in new[] { "/Staff", "/Staff/Inbox", $"/Staff/Tasks/{taskId}", "/Staff/Workflows",
                     "/Staff/Workflows/Definition?id=grant-application", $"/Staff/Funds/{fundId}/Dashboard", $"/Staff/Funds/{fundId}/Quarterly" })
            await CheckAsync(officer, url, problems);

        var admin = await PhoneAsync();
        await browser.SignInAsync(admin, "admin@example.org");
        foreach (var url in new[] { "/Admin/Users", "/Admin/Users/Create", "/Admin/Funds", $"/Admin/Funds/Fund?id={fundId}", "/Admin/Incidents" })
            await CheckAsync(admin, url, problems);

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private async Task<IPage> PhoneAsync()
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = browser.BaseUrl, Locale = "en-GB", ViewportSize = new ViewportSize { Width = Width, Height = 800 },
        });
        return await context.NewPageAsync();
    }

    private async Task CheckAsync(IPage page, string url, List<string> problems)
    {
        var response = await page.GotoAsync(url);
        if (response?.Ok != true) { problems.Add($"{url}: HTTP {response?.Status}"); return; }
        if (await page.Locator(".mermaid").CountAsync() > 0)
            await page.Locator(".mermaid svg").First.WaitForAsync();
        var width = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        if (width > Width)
        {
            // Name the elements that stick out, to say what to fix.
            var wide = await page.EvaluateAsync<string[]>(@"w => Array.from(document.querySelectorAll('body *'))
                .filter(e => e.getBoundingClientRect().right > w + 1 && !e.closest('.app-table-scroll'))
                .slice(-5).map(e => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '') + ' ' + Math.round(e.getBoundingClientRect().right))", Width);
            problems.Add($"{url} is {width}px wide: {string.Join("; ", wide)}");
        }
        try { await browser.AssertAccessibleAsync(page, "phone" + url.Replace('/', '-').Replace('?', '-').Replace('=', '-')); }
        catch (Exception e) when (e is Xunit.Sdk.XunitException) { problems.Add(e.Message); }
    }

    private Task<T> WithDbAsync<T>(Func<GrantDbContext, Task<T>> use) => WithAsync(sp => use(sp.GetRequiredService<GrantDbContext>()));

    private async Task<T> WithAsync<T>(Func<IServiceProvider, Task<T>> use)
    {
        await using var scope = browser.Services.CreateAsyncScope();
        return await use(scope.ServiceProvider);
    }

    private Task<Actor> ActorAsync(string email) => WithAsync(async sp =>
    {
        var users = sp.GetRequiredService<UserManager<User>>();
        var user = (await users.FindByEmailAsync(email))!;
        return new Actor(user.Id, user.DisplayName, (await users.GetRolesAsync(user)).ToHashSet(), user.OrganisationId);
    });

    private async Task CompleteAsync(long taskId, string email, TaskCompletion completion)
    {
        var actor = await ActorAsync(email);
        await WithAsync(async sp => await sp.GetRequiredService<Core.Tasks.TaskService>().CompleteAsync(taskId, actor, completion));
    }

    private Task<InboxTask> OpenTaskAsync(int applicationId) => WithDbAsync(db => db.InboxTasks.Include(t => t.Instance)
        .Where(t => t.Status == InboxTaskStatus.Open && t.Instance!.SubjectType == ApplicationService.SubjectType && t.Instance.SubjectId == applicationId.ToString())
        .OrderBy(t => t.Id).FirstAsync());

    /// <summary>
    /// An application with a long unbroken title taken to an award (so the applicant's page shows
    /// its grant, payments and reports), and a second one waiting for the officer's eligibility check.
    /// </summary>
    private async Task<(int ApplicationId, long TaskId, int ReturnId)> AwardedGrantAsync()
    {
        var applicant = await ActorAsync("applicant@example.org");
        async Task<int> SubmitAsync(string title) => await WithAsync(async sp =>
        {
            var service = sp.GetRequiredService<ApplicationService>();
            var fundId = await sp.GetRequiredService<GrantDbContext>().Funds.Where(f => f.Code == "LWK").Select(f => f.Id).SingleAsync();
            var year = DateTime.UtcNow.Year + 1;
            var draft = await service.CreateDraftAsync(applicant, new ApplicationInput
            {
                FundId = fundId, ProjectTitle = title, ProjectSummary = "Weekly calls.", Innovation = "Volunteers who were once isolated.",
                Beneficiaries = "Isolated older people", Districts = ["Maidstone", "Swale"], StartDate = new DateOnly(year, 4, 1), EndDate = new DateOnly(year + 1, 3, 31),
                AmountRequested = 4500.50m, Budget = [new BudgetLineInput("Volunteer training and supervision", 3500.50m), new BudgetLineInput("Phone costs", 1000m)],
                Outcomes = [new OutcomeInput("people-supported", 50m), new OutcomeInput("volunteer-hours", 400m)],
            });
            await service.SubmitAsync(draft.Id, applicant, declaration: true);
            return draft.Id;
        });

        var id = await SubmitAsync("Befriending-by-telephone-for-isolated-older-residents-of-Maidstone-and-Swale");
        await CompleteAsync((await OpenTaskAsync(id)).Id, "officer@example.org", new TaskCompletion("eligible", null));
        var criteria = await WithDbAsync(db => db.Criteria.Select(c => c.Id).ToListAsync());
        foreach (var email in new[] { "assessor@example.org", "assessor2@example.org" })
        {
            var assessor = await ActorAsync(email);
            var task = await WithDbAsync(db => db.InboxTasks.Include(t => t.Instance)
                .FirstAsync(t => t.Status == InboxTaskStatus.Open && t.AssigneeId == null && t.Instance!.SubjectId == id.ToString()));
            await WithAsync(async sp => { await sp.GetRequiredService<WorkflowRuntime>().DeclareConflictAsync(task.Id, false, null, assessor); return 0; });
            await CompleteAsync(task.Id, email, new TaskCompletion("fund", "Good", criteria.ToDictionary(c => c.ToString(), _ => 4)));
        }
        await CompleteAsync((await OpenTaskAsync(id)).Id, "officer@example.org", new TaskCompletion("approve", "Approved"));
        await CompleteAsync((await OpenTaskAsync(id)).Id, "applicant@example.org", new TaskCompletion("accept", null));
        var returnId = await WithDbAsync(db => db.Set<Core.Grants.MonitoringReturn>().Where(r => db.Grants.Any(g => g.Id == r.GrantId && g.ApplicationId == id))
            .OrderBy(r => r.Sequence).Select(r => r.Id).FirstAsync());

        var waiting = await SubmitAsync("Singing for wellbeing");
        return (id, (await OpenTaskAsync(waiting)).Id, returnId);
    }
}
