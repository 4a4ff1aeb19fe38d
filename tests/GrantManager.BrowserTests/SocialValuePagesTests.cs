using GrantManager.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace GrantManager.BrowserTests;

/// <summary>The social value pages, at desktop width and on a 375-pixel phone: each fits the window and passes axe, errors included.</summary>
[Collection(BrowserCollection.Name)]
public sealed class SocialValuePagesTests(BrowserFixture browser)
{
    [Theory]
    [InlineData(1280)]
    [InlineData(375)]
    public async Task The_proxy_pages_and_the_social_value_report_are_accessible(int width)
    {
        int fundId;
        await using (var scope = browser.Services.CreateAsyncScope())
            fundId = await scope.ServiceProvider.GetRequiredService<GrantDbContext>().Funds.Where(f => f.Code == "LWK").Select(f => f.Id).SingleAsync();

        var admin = await browser.NewPageAsync(width);
        await browser.SignInAsync(admin, "admin@example.org");
        await admin.GotoAsync("/Admin/SocialValue", BrowserFixture.Opened);
        await Check(admin, $"social-value-proxies-{width}");
        await admin.GetByRole(AriaRole.Link, new() { Name = "Change the proxy for People supported or see its versions" }).ClickAsync();
        await Check(admin, $"social-value-proxy-{width}");
        // A bad figure, sent from the keyboard: the error summary takes the focus and names the field.
        await admin.GetByLabel("£ per unit").FillAsync("lots");
        await admin.GetByLabel("£ per unit").PressAsync("Enter");
        await admin.Locator(".govuk-error-summary").WaitForAsync();
        Assert.Contains("The £ per unit must be in pounds", await admin.Locator(".govuk-error-summary").TextContentAsync());
        await Check(admin, $"social-value-proxy-error-{width}");
        // An import with a bad row lists the row and column.
        await admin.GotoAsync("/Admin/SocialValue", BrowserFixture.Opened);
        await admin.GetByLabel("CSV file of proxies").SetInputFilesAsync(new FilePayload
        {
            Name = "proxies.csv", MimeType = "text/csv",
            Buffer = "Measure code,£ per unit,Unit,Source,Licence,Price year,Deadweight %,Attribution %,Applies from,Reason\r\nvolunteers,abc,volunteer,Survey,OGL,2026,0,100,,\r\n"u8.ToArray(),
        });
        await admin.GetByRole(AriaRole.Button, new() { Name = "Import the proxies" }).ClickAsync();
        await admin.Locator(".govuk-error-summary").WaitForAsync();
        Assert.Contains("Row 2, column B (£ per unit)", await admin.Locator(".govuk-error-summary").TextContentAsync());
        await Check(admin, $"social-value-import-error-{width}");

        var officer = await browser.NewPageAsync(width);
        await browser.SignInAsync(officer, "officer@example.org");
        await officer.GotoAsync($"/Staff/Funds/{fundId}/Dashboard", BrowserFixture.Opened);
        await officer.GetByRole(AriaRole.Link, new() { Name = "Social value report" }).ClickAsync();
        await officer.Locator("h1").WaitForAsync();
        Assert.Contains("as at", await officer.Locator("h1").TextContentAsync());
        await Check(officer, $"social-value-report-{width}");

        // Printed, the report is the report: no header, menu, footer or filter.
        await officer.EmulateMediaAsync(new() { Media = Media.Print });
        foreach (var part in new[] { ".govuk-header", ".govuk-service-navigation", ".govuk-footer", "form[method='get']" })
            Assert.False(await officer.Locator(part).First.IsVisibleAsync(), $"{part} is printed");
        Assert.True(await officer.Locator("h1").IsVisibleAsync());
    }

    private async Task Check(IPage page, string name)
    {
        await BrowserFixture.AssertFitsAsync(page, name);
        await browser.AssertAccessibleAsync(page, name);
    }
}
