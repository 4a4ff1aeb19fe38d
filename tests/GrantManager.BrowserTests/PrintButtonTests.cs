using GrantManager.Core.Workflows;
using Microsoft.Playwright;

namespace GrantManager.BrowserTests;

/// <summary>
/// The offer letter and the copy of an application have a print button. Under the
/// Content-Security-Policy (no inline script) it must still work: its handler is in site.js.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PrintButtonTests(BrowserFixture browser)
{
    [Fact]
    public async Task The_print_buttons_call_print_and_the_pages_raise_no_content_security_policy_violation()
    {
        var id = await browser.SubmitAsync("Repair cafe for Tonbridge", 2400m);
        await browser.AssessAsync(id);
        await browser.CompleteAsync((await browser.OpenTaskAsync(id)).Id, "officer@example.org", new TaskCompletion("approve", "Approved"));

        var page = await browser.NewPageAsync();
        // Print opens no dialog in a headless browser: record each call instead.
        await page.Context.AddInitScriptAsync("window.__printed = 0; window.print = function () { window.__printed++; };");
        var violations = new List<string>();
        await page.ExposeFunctionAsync("__reportViolation", (string text) => { lock (violations) violations.Add(text); });
        await page.Context.AddInitScriptAsync(
            "document.addEventListener('securitypolicyviolation', e => window.__reportViolation(location.pathname + ': ' + e.violatedDirective + ' ' + e.blockedURI));");
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") lock (errors) errors.Add($"{page.Url}: {message.Text}"); };
        await browser.SignInAsync(page, "applicant@example.org");

        foreach (var (url, button) in new[] { ($"/Applicant/Applications/{id}/Offer", "Print this letter"), ($"/Applicant/Applications/{id}/Print", "Print this page") })
        {
            var response = await page.GotoAsync(url, BrowserFixture.Opened);
            Assert.True(response?.Ok, $"{url}: HTTP {response?.Status}");
            // The page's fonts and images are in before the button is pressed, so a refused one would be reported by then.
            await page.GetByRole(AriaRole.Button, new() { Name = button, Exact = true }).WaitForAsync();
            await BrowserFixture.ArrivedAsync(page);
            await page.EvaluateAsync("Promise.all([document.fonts.ready, ...Array.from(document.images).map(i => i.decode().catch(() => null))])");
            Assert.Equal(0, await page.EvaluateAsync<int>("window.__printed"));
            await page.GetByRole(AriaRole.Button, new() { Name = button, Exact = true }).ClickAsync();
            Assert.Equal(1, await page.EvaluateAsync<int>("window.__printed"));
        }
        Assert.True(violations.Count == 0, "Content-Security-Policy violations:\n" + string.Join("\n", violations));
        Assert.True(errors.Count == 0, "Console errors:\n" + string.Join("\n", errors));
    }
}
