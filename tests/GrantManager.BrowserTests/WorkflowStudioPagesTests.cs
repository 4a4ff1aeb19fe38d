using Microsoft.Playwright;

namespace GrantManager.BrowserTests;

/// <summary>
/// The workflow studio in Chromium: the list, the editor with a mistake checked, and a publish made with the keyboard alone, at desktop and
/// phone width; a condition checked as it is typed and the draft's diagram drawn again, at phone width.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class WorkflowStudioPagesTests(BrowserFixture browser)
{
    [Fact]
    public async Task An_administrator_checks_a_mistake_and_publishes_a_reminder_change_with_the_keyboard_at_desktop_and_phone_width()
    {
        foreach (var (width, offset) in new[] { (1280, "-P4D"), (375, "-P5D") })
        {
            var page = await browser.NewPageAsync(width);
            await browser.SignInAsync(page, "admin@example.org");
            await page.GotoAsync("/Admin/Workflows", BrowserFixture.Opened);
            await BrowserFixture.AssertFitsAsync(page, $"workflows-{width}");
            await browser.AssertAccessibleAsync(page, $"workflows-{width}");

            await page.GotoAsync("/Admin/Workflows/monitoring-return/Edit", BrowserFixture.Opened);
            var reminder = page.Locator("[name='f:t:$.states.due.timers[0].offset']");
            // A mistake first: the check names the field's JSON path in the error summary, and what was typed stays.
            await reminder.FillAsync("three days");
            await page.GetByRole(AriaRole.Button, new() { Name = "Check", Exact = true }).ClickAsync();
            await page.Locator(".govuk-error-summary").WaitForAsync();
            Assert.Contains("$.states.due.timers[0].offset", await page.Locator(".govuk-error-summary").TextContentAsync());
            Assert.Equal("three days", await page.Locator("[name='f:t:$.states.due.timers[0].offset']").InputValueAsync());
            await BrowserFixture.AssertFitsAsync(page, $"workflow-editor-errors-{width}");
            await browser.AssertAccessibleAsync(page, $"workflow-editor-errors-{width}");

            // Put right and published with the keyboard alone.
            await page.Locator("[name='f:t:$.states.due.timers[0].offset']").FillAsync(offset);
            await page.GetByLabel("Reason for the change").FocusAsync();
            await page.Keyboard.TypeAsync($"Reminder moved to {offset}");
            var publish = page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Publish version \\d+$") });
            await publish.FocusAsync();
            await page.Keyboard.PressAsync("Enter");
            await page.WaitForURLAsync("**/Admin/Workflows", BrowserFixture.Arrived);
            Assert.Contains($"Reminder moved to {offset}", await page.Locator("main").TextContentAsync());
            await page.CloseAsync();
        }
    }

    [Fact]
    public async Task A_bad_condition_typed_with_the_keyboard_shows_the_loaders_message_beside_it_and_the_diagram_follows_the_draft_at_phone_width()
    {
        var page = await browser.NewPageAsync(375);
        await browser.SignInAsync(page, "admin@example.org");
        await page.GotoAsync("/Admin/Workflows/grant-application/Edit", BrowserFixture.Opened);
        await page.Locator("#draft-diagram svg").WaitForAsync();

        // Typed with the keyboard alone: the message comes while typing, with no button pressed, in the field's live region.
        var condition = page.Locator("#f-states-assessment-transitions-0-when");
        await condition.FocusAsync();
        await page.Keyboard.PressAsync("End");
        await page.Keyboard.TypeAsync(" and amountRequestd > 0");
        var message = page.Locator("#f-states-assessment-transitions-0-when-live .govuk-error-message");
        await message.WaitForAsync();
        Assert.Contains("$.states.assessment.transitions[0].when", await message.TextContentAsync());
        Assert.Contains("amountRequestd", await message.TextContentAsync());
        Assert.Equal("polite", await page.Locator("#f-states-assessment-transitions-0-when-live").GetAttributeAsync("aria-live"));
        Assert.Equal("allTasksComplete and amountRequested <= 5000 and amountRequestd > 0", await condition.InputValueAsync());
        await BrowserFixture.AssertFitsAsync(page, "workflow-editor-condition-375");
        await browser.AssertAccessibleAsync(page, "workflow-editor-condition-375");

        // Put right, the message goes.
        for (var i = 0; i < "amountRequestd > 0".Length; i++) await page.Keyboard.PressAsync("Backspace");
        await page.Keyboard.TypeAsync("amountRequested > 0");
        await message.WaitForAsync(new() { State = WaitForSelectorState.Detached });

        // The diagram follows the draft as it is typed.
        await page.Locator("[name='f:t:$.states.eligibility.title']").FocusAsync();
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.TypeAsync("First look");
        await page.Locator("#draft-diagram ol.app-stages li", new() { HasText = "First look" }).First.WaitForAsync();
        await page.Locator("#draft-diagram svg").WaitForAsync();
        await browser.AssertAccessibleAsync(page, "workflow-editor-preview-375");

        // Enter in a field checks the draft, keeping what was typed (it does not switch to the JSON view);
        // in the new stage's name it adds the stage.
        await page.Locator("[name='f:t:$.states.eligibility.title']").FocusAsync();
        var checkedPage = page.WaitForURLAsync(url => url.Contains("handler=Check"), BrowserFixture.Arrived);
        await page.Keyboard.PressAsync("Enter");
        await checkedPage;
        Assert.Equal("First look", await page.Locator("[name='f:t:$.states.eligibility.title']").InputValueAsync());
        Assert.Equal(0, await page.Locator("textarea[name='Input.Json']:visible").CountAsync());
        await page.Locator("#NewStage").FocusAsync();
        await page.Keyboard.TypeAsync("site-visit");
        var added = page.WaitForURLAsync(url => url.Contains("handler=AddStage"), BrowserFixture.Arrived);
        await page.Keyboard.PressAsync("Enter");
        await added;
        Assert.Equal(1, await page.Locator("[name='f:t:$.states.site-visit.title']").CountAsync());
        Assert.Equal("First look", await page.Locator("[name='f:t:$.states.eligibility.title']").InputValueAsync());
        await page.CloseAsync();
    }
}
