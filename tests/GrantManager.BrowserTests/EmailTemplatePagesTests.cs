using Microsoft.Playwright;

namespace GrantManager.BrowserTests;

/// <summary>The email template pages at desktop width and on a 375-pixel phone: they fit, pass axe, and work from the keyboard.</summary>
[Collection(BrowserCollection.Name)]
public sealed class EmailTemplatePagesTests(BrowserFixture browser)
{
    [Theory]
    [InlineData(1280)]
    [InlineData(375)]
    public async Task An_administrator_previews_and_is_told_where_the_email_is_broken(int width)
    {
        var admin = await browser.NewPageAsync(width);
        await browser.SignInAsync(admin, "admin@example.org");
        await admin.GotoAsync("/Admin/Templates", BrowserFixture.Opened);
        await Check(admin, $"email-templates-{width}");
        await admin.GetByRole(AriaRole.Link, new() { Name = "Change the email return-overdue or see its versions" }).ClickAsync();
        await Check(admin, $"email-template-{width}");

        await admin.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        await admin.Locator("#preview").WaitForAsync();
        await Check(admin, $"email-template-preview-{width}");

        // A tag left open, then Publish from the keyboard: the error summary takes the focus and names the line.
        var email = admin.GetByLabel("Email", new() { Exact = true });
        await email.FillAsync("Subject: Overdue\n\n{% if dueOn %}Your report was due on {{ dueOn }}.");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Publish a new version" }).FocusAsync();
        await admin.Keyboard.PressAsync("Enter");
        await admin.Locator(".govuk-error-summary").WaitForAsync();
        Assert.Contains("Line 3, column", await admin.Locator(".govuk-error-summary").TextContentAsync());
        Assert.Contains("{% if dueOn %}", await email.InputValueAsync());
        await Check(admin, $"email-template-error-{width}");
    }

    private async Task Check(IPage page, string name)
    {
        await BrowserFixture.AssertFitsAsync(page, name);
        await browser.AssertAccessibleAsync(page, name);
    }
}
