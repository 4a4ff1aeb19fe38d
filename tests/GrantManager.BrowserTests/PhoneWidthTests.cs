using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace GrantManager.BrowserTests;

/// <summary>
/// At 375 pixels wide (a small phone) no page scrolls sideways, and each passes axe. The pages the new
/// group's journey checks at this width (the start page, registration, the inbox, the eligibility task,
/// the fund dashboard and the quarterly report) are checked there, not again here.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class PhoneWidthTests(BrowserFixture browser)
{
    private const int Width = 375;

    [Fact]
    public async Task The_main_pages_fit_a_375_pixel_screen_for_the_public_an_applicant_and_staff()
    {
        var (applicationId, returnId) = await AwardedGrantAsync();
        var fundId = await browser.WithDbAsync(db => db.Funds.Where(f => f.Code == "LWK").Select(f => f.Id).SingleAsync());
        var problems = new List<string>();

        var visitor = await PhoneAsync();
        foreach (var url in new[] { "/Funds/LWK", "/Privacy", "/Accessibility", "/Account/Login" })
            await CheckAsync(visitor, url, problems);

        var applicant = await PhoneAsync();
        await browser.SignInAsync(applicant, "applicant@example.org");
        foreach (var url in new[] { "/Applicant", "/Applicant/Organisation", $"/Applicant/Applications/{applicationId}", $"/Applicant/Returns/{returnId}" })
            await CheckAsync(applicant, url, problems);

        var officer = await PhoneAsync();
        await browser.SignInAsync(officer, "officer@example.org");
        foreach (var url in new[] { "/Staff", "/Staff/Workflows", "/Staff/Workflows/Definition?id=grant-application" })
            await CheckAsync(officer, url, problems);

        var admin = await PhoneAsync();
        await browser.SignInAsync(admin, "admin@example.org");
        foreach (var url in new[] { "/Admin/Users", "/Admin/Users/Create", "/Admin/Funds", $"/Admin/Funds/Fund?id={fundId}", "/Admin/Incidents" })
            await CheckAsync(admin, url, problems);

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private Task<IPage> PhoneAsync() => browser.NewPageAsync(Width);

    private async Task CheckAsync(IPage page, string url, List<string> problems)
    {
        var response = await page.GotoAsync(url, BrowserFixture.Opened);
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

    /// <summary>
    /// An application with a long unbroken title taken to an award (so the applicant's page shows
    /// its grant, payments and reports).
    /// </summary>
    private async Task<(int ApplicationId, int ReturnId)> AwardedGrantAsync()
    {
        var id = await browser.SubmitAsync("Befriending-by-telephone-for-isolated-older-residents-of-Maidstone-and-Swale", 4500.50m);
        await browser.AssessAsync(id);
        await browser.CompleteAsync((await browser.OpenTaskAsync(id)).Id, "officer@example.org", new TaskCompletion("approve", "Approved"));
        await browser.CompleteAsync((await browser.OpenTaskAsync(id)).Id, "applicant@example.org", new TaskCompletion("accept", null));
        var returnId = await browser.WithDbAsync(db => db.Set<Core.Monitoring.MonitoringReturn>().Where(r => db.Grants.Any(g => g.Id == r.GrantId && g.ApplicationId == id))
            .OrderBy(r => r.Sequence).Select(r => r.Id).FirstAsync());
        return (id, returnId);
    }
}
