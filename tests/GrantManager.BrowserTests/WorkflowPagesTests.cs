using GrantManager.Core.Workflows;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace GrantManager.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class WorkflowPagesTests(BrowserFixture browser)
{
    [Fact]
    public async Task An_officer_opens_the_grant_workflow_and_sees_its_diagram_drawn()
    {
        var page = await browser.NewPageAsync();
        await browser.SignInAsync(page, "officer@example.org");
        await page.GetByRole(AriaRole.Link, new() { Name = "Workflows" }).ClickAsync();
        await browser.AssertAccessibleAsync(page, "workflows");
        await page.GetByRole(AriaRole.Link, new() { Name = "Grant application" }).ClickAsync();

        await page.Locator(".mermaid svg").WaitForAsync();
        Assert.Contains("Eligibility check", await page.Locator(".mermaid svg").TextContentAsync());
        await browser.AssertAccessibleAsync(page, "workflow-definition");
    }

    [Fact]
    public async Task An_instance_page_highlights_where_the_application_is()
    {
        Guid id;
        await using (var scope = browser.Services.CreateAsyncScope())
        {
            var runtime = scope.ServiceProvider.GetRequiredService<WorkflowRuntime>();
            var instance = await runtime.StartAsync("grant-application",
                new WorkflowSubject("demonstration", "browser-1", new Dictionary<string, object?>
                {
                    ["amountRequested"] = 4200m, ["projectTitle"] = "Walk and talk", ["organisationName"] = "Shepway Sports Trust", ["fundName"] = "Live Well Kent innovation grant",
                }) { Reference = "LWK-TEST-0001", ContactEmail = "applicant@example.org", ContactName = "Amira Applicant" },
                Actor.System);
            id = instance.Id;
        }
        var page = await browser.NewPageAsync();
        await browser.SignInAsync(page, "officer@example.org");
        await page.GotoAsync($"/Staff/Workflows/Instance/{id}", BrowserFixture.Opened);

        await page.Locator(".mermaid svg").WaitForAsync();
        Assert.Contains("Eligibility check", await page.Locator("li.app-stage--current").TextContentAsync());
        Assert.Equal(1, await page.Locator(".mermaid svg .current").CountAsync());
        await browser.AssertAccessibleAsync(page, "workflow-instance");
    }
}
