using Microsoft.Playwright;

namespace GrantManager.BrowserTests;

/// <summary>The workflow studio in Chromium: the list, the editor with a mistake checked, and a publish made with the keyboard alone, at desktop and phone width.</summary>
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
            await page.GotoAsync("/Admin/Workflows");
            await BrowserFixture.AssertFitsAsync(page, $"workflows-{width}");
            await browser.AssertAccessibleAsync(page, $"workflows-{width}");

            await page.GotoAsync("/Admin/Workflows/monitoring-return/Edit");
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
            await page.WaitForURLAsync("**/Admin/Workflows");
            Assert.Contains($"Reminder moved to {offset}", await page.Locator("main").TextContentAsync());
            await page.CloseAsync();
        }
    }
}
