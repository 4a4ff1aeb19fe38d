using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace GrantManager.BrowserTests;

/// <summary>A new group applies through the task list and an officer takes it through the inbox to an offer and its first report; axe on every page.</summary>
[Collection(JourneyCollection.Name)]
public sealed class ApplicationJourneyTests(BrowserFixture browser)
{
    private static int _groups;

    /// <summary>
    /// Where a real group starts: registering an organisation nobody seeded (a CIO, a type the demo does
    /// not use), confirming the email from the pickup folder, completing the profile, applying, answering
    /// a request for more information, reading and accepting the offer, and sending the first report.
    /// Every page passes axe and fits the window, on a desktop and on a 375-pixel phone.
    /// </summary>
    [Theory]
    [InlineData(1280)]
    [InlineData(375)]
    public async Task A_new_group_registers_applies_answers_a_request_accepts_the_offer_and_reports(int width)
    {
        var n = Interlocked.Increment(ref _groups);
        var email = $"hello{n}-{width}@whitstable-harbour.example";
        var organisation = $"Whitstable Harbour Wellbeing CIO {n}";
        var applicant = await browser.NewPageAsync(width);
        async Task Check(IPage page, string name)
        {
            await BrowserFixture.AssertFitsAsync(page, $"{name} at {width}px");
            await browser.AssertAccessibleAsync(page, $"journey-{width}-{name}");
        }

        await applicant.GotoAsync("/", BrowserFixture.Opened);
        await Check(applicant, "01-start");
        await applicant.GotoAsync("/Account/Register", BrowserFixture.Opened);
        await applicant.GetByLabel("Your full name").FillAsync("Nadia Harbour");
        await applicant.GetByLabel("Email address").FillAsync(email);
        await applicant.GetByLabel("Organisation name").FillAsync(organisation);
        await applicant.GetByLabel("Charitable incorporated organisation (CIO)").CheckAsync();
        await applicant.GetByLabel("Create a password").FillAsync("Harbour-wellbeing-2026");
        await applicant.GetByLabel("Confirm your password").FillAsync("Harbour-wellbeing-2026");
        await Check(applicant, "02-register");
        await applicant.GetByRole(AriaRole.Button, new() { Name = "Register" }).ClickAsync();
        await applicant.WaitForURLAsync("**/Account/RegisterConfirmation", BrowserFixture.Arrived);
        await Check(applicant, "03-check-your-email");

        var confirmation = await browser.EmailToAsync(email, "Confirm your email address");
        var link = System.Text.RegularExpressions.Regex.Match(confirmation.TextBody ?? "", @"https?://\S+/Account/ConfirmEmail\?\S+").Value;
        await applicant.GotoAsync(new Uri(link).PathAndQuery, BrowserFixture.Opened);
        Assert.Equal("Email address confirmed", (await applicant.Locator("h1").TextContentAsync())?.Trim());
        await Check(applicant, "04-confirmed");
        await browser.SignInAsync(applicant, email, "Harbour-wellbeing-2026");
        Assert.Contains(organisation, await applicant.Locator("main").TextContentAsync());
        await Check(applicant, "05-applicant-home");

        await applicant.GetByRole(AriaRole.Button, new() { Name = "Start an application to the Live Well Kent innovation grant" }).ClickAsync();
        await Check(applicant, "06-eligibility");
        foreach (var yes in new[] { "#Input_InKent", "#Input_Community", "#Input_TwelveMonths", "#Input_Wellbeing" })
            await applicant.Locator(yes).CheckAsync();
        await applicant.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await applicant.WaitForURLAsync(new System.Text.RegularExpressions.Regex(@"/Applicant/Applications/\d+$"), BrowserFixture.Arrived);
        var home = applicant.Url;
        await Check(applicant, "07-task-list");

        // The new group's profile: the step that never saved before.
        await applicant.GetByRole(AriaRole.Link, new() { Name = "Your organisation" }).ClickAsync();
        await applicant.GetByLabel("Registered charity number").FillAsync("1190001");
        await applicant.GetByLabel("Address line 1").FillAsync("3 Harbour Street");
        await applicant.GetByLabel("Town or city").FillAsync("Whitstable");
        await applicant.GetByLabel("Postcode").FillAsync("ct5 1ab");
        await applicant.GetByLabel("Main contact's name").FillAsync("Nadia Harbour");
        await applicant.GetByLabel("Main contact's email address").FillAsync(email);
        await Check(applicant, "08-profile");
        await applicant.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await applicant.WaitForURLAsync(home, BrowserFixture.Arrived);
        Assert.Contains("Your organisation's details have been saved", await applicant.Locator(".govuk-notification-banner").TextContentAsync());

        await applicant.GetByRole(AriaRole.Link, new() { Name = "Your project" }).ClickAsync();
        await applicant.GetByLabel("Project title").FillAsync("Sea swimming for low mood, Whitstable");
        await applicant.GetByLabel("Summary of the project").FillAsync("A weekly supported sea-swimming group for adults with low mood.");
        await applicant.GetByLabel("What is innovative about it?").FillAsync("Swims led by peers who have used mental health services.");
        await applicant.GetByLabel("Who will benefit?").FillAsync("Adults in Canterbury district, about 60 a year.");
        await applicant.GetByLabel("Canterbury").CheckAsync();
        var year = (DateTime.UtcNow.Year + 1).ToString();
        await applicant.Locator("#Input_StartDay").FillAsync("1");
        await applicant.Locator("#Input_StartMonth").FillAsync("4");
        await applicant.Locator("#Input_StartYear").FillAsync(year);
        await applicant.Locator("#Input_EndDay").FillAsync("31");
        await applicant.Locator("#Input_EndMonth").FillAsync("3");
        await applicant.Locator("#Input_EndYear").FillAsync((DateTime.UtcNow.Year + 2).ToString());
        await Check(applicant, "09-project");
        await applicant.GetByRole(AriaRole.Button, new() { Name = "Save and continue" }).ClickAsync();
        await applicant.WaitForURLAsync(home, BrowserFixture.Arrived);

        await applicant.GetByRole(AriaRole.Link, new() { Name = "Outcomes and social value" }).ClickAsync();
        await applicant.GetByLabel("People supported (people)").FillAsync("60");
        await applicant.GetByLabel("Volunteer hours (hours)").FillAsync("400");
        await Check(applicant, "10-outcomes");
        await applicant.GetByRole(AriaRole.Button, new() { Name = "Save and continue" }).ClickAsync();
        await applicant.WaitForURLAsync(home, BrowserFixture.Arrived);

        await applicant.GetByRole(AriaRole.Link, new() { Name = "Budget" }).ClickAsync();
        await applicant.GetByLabel("How much are you asking for?").FillAsync("4,800");
        await applicant.Locator("#Input_Lines_0__Item").FillAsync("Qualified swim coach");
        await applicant.Locator("#Input_Lines_0__Amount").FillAsync("3600");
        await applicant.Locator("#Input_Lines_1__Item").FillAsync("Wetsuits and towels");
        await applicant.Locator("#Input_Lines_1__Amount").FillAsync("1,200");
        await Check(applicant, "11-budget");
        await applicant.GetByRole(AriaRole.Button, new() { Name = "Save and continue" }).ClickAsync();
        await applicant.WaitForURLAsync(home, BrowserFixture.Arrived);

        await applicant.GetByRole(AriaRole.Link, new() { Name = "Check your answers and submit" }).ClickAsync();
        Assert.Contains("£4,800", await applicant.Locator("main").TextContentAsync());
        await applicant.GetByRole(AriaRole.Button, new() { Name = "Submit the application" }).ClickAsync();
        await Assertions.Expect(applicant.Locator(".govuk-error-summary")).ToBeFocusedAsync();
        await Check(applicant, "12-check-answers-error");
        await applicant.GetByLabel("I agree with the declaration").CheckAsync();
        await applicant.GetByRole(AriaRole.Button, new() { Name = "Submit the application" }).ClickAsync();
        await applicant.WaitForURLAsync(home, BrowserFixture.Arrived);
        var reference = (await applicant.Locator(".govuk-caption-l").TextContentAsync())!.Split(", ").Last().Trim();
        Assert.Contains("Application submitted", await applicant.Locator(".govuk-notification-banner").TextContentAsync());
        await Check(applicant, "13-submitted");

        // The officer asks for more information before deciding eligibility.
        var officer = await browser.NewPageAsync(width);
        await browser.SignInAsync(officer, "officer@example.org");
        await officer.GotoAsync("/Staff/Inbox", BrowserFixture.Opened);
        await Check(officer, "14-inbox");
        await officer.GetByRole(AriaRole.Link, new() { Name = $"Check eligibility for {reference}" }).ClickAsync();
        await officer.Locator(".mermaid svg").WaitForAsync();
        await Check(officer, "15-task-eligibility");
        await officer.GetByLabel("More information needed", new() { Exact = true }).CheckAsync();
        await officer.GetByLabel("Message to the applicant").FillAsync("Please send your safeguarding policy for open-water sessions.");
        await officer.GetByRole(AriaRole.Button, new() { Name = "Complete the task" }).ClickAsync();
        await officer.WaitForURLAsync("**/Staff/Inbox", BrowserFixture.Arrived);

        // The applicant sees the request on their page and answers it with a document.
        await applicant.GotoAsync(home, BrowserFixture.Opened);
        Assert.Contains("Please send your safeguarding policy for open-water sessions.", await applicant.Locator("main").TextContentAsync());
        await Check(applicant, "16-request");
        await applicant.GetByLabel("Your answer", new() { Exact = true }).FillAsync("Our policy is attached; our coach holds an open-water qualification.");
        await applicant.Locator("#Upload").SetInputFilesAsync(new FilePayload { Name = "safeguarding.pdf", MimeType = "application/pdf", Buffer = "%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"u8.ToArray() });
        await applicant.GetByRole(AriaRole.Button, new() { Name = "Add the document" }).ClickAsync();
        await Assertions.Expect(applicant.Locator(".govuk-notification-banner--success")).ToContainTextAsync("safeguarding.pdf has been added to your answer", new() { Timeout = 30_000 });
        Assert.Contains("safeguarding.pdf", await applicant.Locator("main").TextContentAsync());
        Assert.Equal("Our policy is attached; our coach holds an open-water qualification.", await applicant.GetByLabel("Your answer", new() { Exact = true }).InputValueAsync());
        await applicant.GetByRole(AriaRole.Button, new() { Name = "Send your answer" }).ClickAsync();
        await Assertions.Expect(applicant.Locator(".govuk-notification-banner--success, .govuk-error-summary").First).ToContainTextAsync(
            new System.Text.RegularExpressions.Regex("We have your answer|There is a problem"), new() { Timeout = 30_000 });
        Assert.True(applicant.Url == home, $"{applicant.Url}: {await applicant.Locator("main").TextContentAsync()}");
        await Check(applicant, "17-answered");

        await officer.ReloadAsync(BrowserFixture.Reopened);
        await officer.GetByRole(AriaRole.Link, new() { Name = $"Check eligibility for {reference}" }).ClickAsync();
        Assert.Contains("safeguarding.pdf", await officer.Locator("main").TextContentAsync());
        await officer.GetByLabel("Eligible", new() { Exact = true }).CheckAsync();
        await officer.GetByRole(AriaRole.Button, new() { Name = "Complete the task" }).ClickAsync();
        await officer.WaitForURLAsync("**/Staff/Inbox", BrowserFixture.Arrived);

        // Two assessments over the API.
        var id = int.Parse(home.Split('/').Last());
        foreach (var assessor in new[] { "assessor@example.org", "assessor2@example.org" })
        {
            var api = await browser.ApiAsync(assessor);
            var task = (await api.GetFromJsonAsync<JsonElement>("/api/tasks")).EnumerateArray().First(t => t.GetProperty("applicationId").GetInt32() == id);
            var taskId = task.GetProperty("id").GetInt64();
            (await api.PostAsJsonAsync($"/api/tasks/{taskId}/declare", new { hasConflict = false })).EnsureSuccessStatusCode();
            var scores = task.GetProperty("criteria").EnumerateArray().ToDictionary(c => c.GetProperty("id").GetInt32().ToString(), _ => 4);
            (await api.PostAsJsonAsync($"/api/tasks/{taskId}/complete", new { outcome = "fund", comment = "A well-evidenced plan.", scores })).EnsureSuccessStatusCode();
        }

        // Under £5,000: the officer decides.
        await officer.ReloadAsync(BrowserFixture.Reopened);
        await officer.GetByRole(AriaRole.Link, new() { Name = $"Decide under delegated authority for {reference}" }).ClickAsync();
        await officer.GetByRole(AriaRole.Radio, new() { Name = "Approve" }).CheckAsync();
        Assert.Equal(2, await officer.Locator("table").First.Locator("tbody tr").CountAsync());
        await officer.GetByLabel("Note for the file").FillAsync("Approved: strong assessments.");
        await Check(officer, "21-task-decision");
        await officer.GetByRole(AriaRole.Button, new() { Name = "Complete the task" }).ClickAsync();
        await officer.WaitForURLAsync("**/Staff/Inbox", BrowserFixture.Arrived);
        Assert.Contains("Offer made", await officer.Locator(".govuk-notification-banner").TextContentAsync());

        // The applicant reads the offer, prints the letter, and accepts.
        await applicant.GotoAsync(home, BrowserFixture.Opened);
        var offer = await applicant.Locator("main").TextContentAsync();
        Assert.Contains("£4,800", offer);
        Assert.Contains("People supported", offer);
        await Check(applicant, "22-offer");
        await applicant.GetByRole(AriaRole.Link, new() { Name = "View and print the offer letter" }).ClickAsync();
        Assert.Equal("Grant offer letter", (await applicant.Locator("h1").TextContentAsync())?.Trim());
        Assert.Contains(organisation, await applicant.Locator("main").TextContentAsync());
        await Check(applicant, "22-offer-letter");
        await applicant.GotoAsync(home, BrowserFixture.Opened);
        await applicant.GetByLabel("Accept the offer").CheckAsync();
        await applicant.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await applicant.WaitForURLAsync(home, BrowserFixture.Arrived);
        Assert.Contains("awarded", (await applicant.Locator(".govuk-summary-list .govuk-tag").First.TextContentAsync())!, StringComparison.OrdinalIgnoreCase);
        await Check(applicant, "23-awarded");

        // The first progress report: a draft, an error, checked, then sent.
        await applicant.Locator("a[href^='/Applicant/Returns/']").First.ClickAsync();
        await applicant.WaitForURLAsync("**/Applicant/Returns/*", BrowserFixture.Arrived);
        var returnUrl = applicant.Url;
        await Check(applicant, "24-return-form");
        await applicant.GetByLabel("Progress so far").FillAsync("Twelve people have joined the weekly calls.");
        await applicant.GetByRole(AriaRole.Button, new() { Name = "Continue to check and send" }).ClickAsync();
        Assert.Contains("Enter how many people the project has reached so far", await applicant.Locator(".govuk-error-summary").TextContentAsync());
        await Check(applicant, "25-return-errors");
        foreach (var input in await applicant.Locator("input[name^='Input.Spend']").AllAsync()) await input.FillAsync("150");
        foreach (var input in await applicant.Locator("input[name^='Input.Actuals']").AllAsync()) await input.FillAsync("12");
        await applicant.GetByLabel("People reached so far").FillAsync("12");
        await applicant.GetByRole(AriaRole.Button, new() { Name = "Continue to check and send" }).ClickAsync();
        await applicant.WaitForURLAsync(returnUrl + "/Check", BrowserFixture.Arrived);
        Assert.Contains("Twelve people have joined the weekly calls.", await applicant.Locator("main").TextContentAsync());
        await Check(applicant, "25-return-check");
        await applicant.GetByRole(AriaRole.Button, new() { Name = "Send the report" }).ClickAsync();
        await applicant.WaitForURLAsync(returnUrl, BrowserFixture.Arrived);
        Assert.Contains("Your progress report has been sent", await applicant.Locator(".govuk-notification-banner").TextContentAsync());
        await Check(applicant, "26-return-sent");

        // The officer reviews it from the inbox and accepts it.
        await officer.GotoAsync(browser.BaseUrl + "/Staff/Inbox", BrowserFixture.Opened);
        await officer.GetByRole(AriaRole.Link, new() { Name = $"Review the progress report for {reference}/R1" }).ClickAsync();
        Assert.Contains("Twelve people have joined the weekly calls.", await officer.Locator("main").TextContentAsync());
        await officer.GetByRole(AriaRole.Radio, new() { Name = "Accept the report" }).CheckAsync();
        await Check(officer, "27-return-review");
        await officer.GetByRole(AriaRole.Button, new() { Name = "Complete the task" }).ClickAsync();
        await officer.WaitForURLAsync("**/Staff/Inbox", BrowserFixture.Arrived);
        await applicant.GotoAsync(returnUrl, BrowserFixture.Opened);
        Assert.Contains("Accepted", (await applicant.Locator(".govuk-summary-list .govuk-tag").First.TextContentAsync())!);

        // The fund dashboard and the quarterly report.
        await officer.GotoAsync(browser.BaseUrl + "/Staff", BrowserFixture.Opened);
        await officer.GetByRole(AriaRole.Link, new() { Name = "Dashboard for Live Well Kent" }).First.ClickAsync();
        Assert.Contains("Social value committed", await officer.Locator("main").TextContentAsync());
        await Check(officer, "28-fund-dashboard");
        await officer.GetByRole(AriaRole.Link, new() { Name = "Quarterly highlight report" }).ClickAsync();
        await Check(officer, "29-quarterly-report");
    }
}
