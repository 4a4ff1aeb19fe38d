using GrantManager.Core.Grants;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace GrantManager.BrowserTests;

/// <summary>
/// The pages of a grant's conditions, at desktop width and at 375 pixels, pass axe: the decision's
/// condition rows, the grant holder's evidence page and the officer's page with its error summary.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class GrantConditionPagesTests(BrowserFixture browser)
{
    [Fact]
    public async Task Condition_pages_pass_axe_and_fit_a_phone_and_the_officer_records_a_condition_with_the_keyboard()
    {
        var (applicationId, decisionId, conditionId) = await GrantWithConditionAsync();
        foreach (var width in new[] { 1280, 375 })
        {
            var officer = await browser.NewPageAsync(width);
            await browser.SignInAsync(officer, "officer@example.org");
            foreach (var url in new[] { $"/Staff/Tasks/{decisionId}", $"/Staff/Grants/Conditions/{conditionId}", $"/Staff/Applications/{applicationId}" })
            {
                await officer.GotoAsync(url, BrowserFixture.Opened);
                await BrowserFixture.AssertFitsAsync(officer, $"{url} at {width}px");
                await browser.AssertAccessibleAsync(officer, $"conditions-{width}" + url.Replace('/', '-'));
            }
            var holder = await browser.NewPageAsync(width);
            await browser.SignInAsync(holder, "applicant@example.org");
            foreach (var url in new[] { $"/Applicant/Conditions/{conditionId}", $"/Applicant/Applications/{applicationId}" })
            {
                await holder.GotoAsync(url, BrowserFixture.Opened);
                await BrowserFixture.AssertFitsAsync(holder, $"{url} at {width}px");
                await browser.AssertAccessibleAsync(holder, $"conditions-holder-{width}" + url.Replace('/', '-'));
            }
        }

        // Not met without a reason, by keyboard: the error summary names the reason and passes axe.
        var page = await browser.NewPageAsync();
        await browser.SignInAsync(page, "officer@example.org");
        await page.GotoAsync($"/Staff/Grants/Conditions/{conditionId}", BrowserFixture.Opened);
        await page.GetByLabel("Not met").FocusAsync();
        await page.Keyboard.PressAsync("Space");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.Locator(".govuk-error-summary").WaitForAsync();
        Assert.Equal("Enter the reason the condition is not met; the grant holder is shown it", (await page.Locator(".govuk-error-summary__list a").InnerTextAsync()).Trim());
        await browser.AssertAccessibleAsync(page, "conditions-officer-error");
    }

    /// <summary>An awarded grant whose first payment is held by a condition, and a second application waiting for the officer's decision.</summary>
    private async Task<(int ApplicationId, long DecisionId, int ConditionId)> GrantWithConditionAsync()
    {
        var first = await browser.SubmitAsync("Weekly walks with a condition", 3000m);
        await browser.AssessAsync(first);
        await browser.CompleteAsync((await browser.OpenTaskAsync(first)).Id, "officer@example.org", new TaskCompletion("approve", null)
        {
            ConditionList = [new OfferCondition("Send us your safeguarding policy", ConditionKinds.BeforeFirstPayment), new OfferCondition("Credit the fund", ConditionKinds.Ongoing)],
        });
        await browser.CompleteAsync((await browser.OpenTaskAsync(first)).Id, "applicant@example.org", new TaskCompletion("accept", null));
        var conditionId = await browser.WithDbAsync(db => db.Set<GrantCondition>().Where(c => db.Grants.Any(g => g.Id == c.GrantId && g.ApplicationId == first))
            .OrderBy(c => c.Sequence).Select(c => c.Id).FirstAsync());
        var second = await browser.SubmitAsync("Singing with conditions", 3000m);
        await browser.AssessAsync(second);
        return (first, (await browser.OpenTaskAsync(second)).Id, conditionId);
    }
}
