using GrantManager.Core.Grants;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace GrantManager.BrowserTests;

/// <summary>
/// The pages after an award — asking for a change to a grant, its review task and ending a grant early — pass axe
/// and fit a phone, with their error summaries, and a change is sent with the keyboard.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AfterTheAwardPagesTests(BrowserFixture browser)
{
    [Fact]
    public async Task Variation_and_ending_pages_pass_axe_at_desktop_and_phone_width_and_a_change_is_sent_with_the_keyboard()
    {
        var applicationId = await browser.SubmitAsync("Walking football after the award", 3000m);
        await browser.AssessAsync(applicationId);
        await browser.CompleteAsync((await browser.OpenTaskAsync(applicationId)).Id, "officer@example.org", new TaskCompletion("approve", null));
        await browser.CompleteAsync((await browser.OpenTaskAsync(applicationId)).Id, "applicant@example.org", new TaskCompletion("accept", null));
        var grantId = await browser.WithDbAsync(db => db.Grants.Where(g => g.ApplicationId == applicationId).Select(g => g.Id).SingleAsync());

        foreach (var width in new[] { 1280, 375 })
        {
            var holder = await browser.NewPageAsync(width);
            await browser.SignInAsync(holder, "applicant@example.org");
            await holder.GotoAsync($"/Applicant/Grants/{grantId}/Variation", BrowserFixture.Opened);
            await BrowserFixture.AssertFitsAsync(holder, $"variation-{width}");
            await browser.AssertAccessibleAsync(holder, $"variation-{width}");
            // Sent without a reason: the error summary says what is missing.
            await holder.GetByRole(AriaRole.Button, new() { Name = "Send the request" }).ClickAsync();
            await holder.Locator(".govuk-error-summary").WaitForAsync();
            await browser.AssertAccessibleAsync(holder, $"variation-errors-{width}");

            var officer = await browser.NewPageAsync(width);
            await browser.SignInAsync(officer, "officer@example.org");
            foreach (var url in new[] { $"/Staff/Grants/{grantId}/Variation", $"/Staff/Grants/{grantId}/End" })
            {
                await officer.GotoAsync(url, BrowserFixture.Opened);
                await BrowserFixture.AssertFitsAsync(officer, $"{url} at {width}px");
                await browser.AssertAccessibleAsync(officer, $"after-award-{width}" + url.Replace('/', '-'));
            }
            await officer.GetByRole(AriaRole.Button, new() { Name = "End the grant" }).ClickAsync();
            await officer.Locator(".govuk-error-summary").WaitForAsync();
            await browser.AssertAccessibleAsync(officer, $"end-grant-errors-{width}");
            await holder.CloseAsync();
            await officer.CloseAsync();
        }

        // The grant holder asks for a change with the keyboard alone; the officer's review task shows it and passes axe.
        var page = await browser.NewPageAsync();
        await browser.SignInAsync(page, "applicant@example.org");
        await page.GotoAsync($"/Applicant/Grants/{grantId}/Variation", BrowserFixture.Opened);
        await page.GetByLabel("Why the change is needed").FocusAsync();
        await page.Keyboard.TypeAsync("The pitch is closed for resurfacing until June.");
        // Three months more: the end moves from 31 March to 30 June.
        foreach (var (field, value) in new[] { ("#Input_EndDay", "30"), ("#Input_EndMonth", "6") })
        {
            await page.Locator(field).FocusAsync();
            await page.Keyboard.PressAsync("Control+A");
            await page.Keyboard.TypeAsync(value);
        }
        await page.GetByRole(AriaRole.Button, new() { Name = "Send the request" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(url => !url.EndsWith("/Variation"), BrowserFixture.Arrived);
        var review = await browser.WithDbAsync(db => db.InboxTasks.Include(t => t.Instance)
            .Where(t => t.Status == InboxTaskStatus.Open && t.Instance!.SubjectType == GrantVariations.SubjectType).Select(t => t.Id).SingleAsync());
        var staff = await browser.NewPageAsync(375);
        await browser.SignInAsync(staff, "officer@example.org");
        await staff.GotoAsync($"/Staff/Tasks/{review}", BrowserFixture.Opened);
        Assert.Contains("The pitch is closed for resurfacing until June.", await staff.Locator("main").TextContentAsync());
        await BrowserFixture.AssertFitsAsync(staff, "variation-review-375");
        await browser.AssertAccessibleAsync(staff, "variation-review-375");
    }
}
