using System.Net;
using System.Text.RegularExpressions;
using GrantManager.Core.Data;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Tests.Account;

public sealed partial class RegisterAndSignInTests(GrantManagerFactory app) : IClassFixture<GrantManagerFactory>
{
    private static Dictionary<string, string> Registration(string email, string password = "community-2026") => new()
    {
        ["Input.FullName"] = "Rosa Registrant",
        ["Input.Email"] = email,
        ["Input.OrganisationName"] = "Dover Carers Circle",
        ["Input.OrganisationType"] = "UnregisteredGroup",
        ["Input.Password"] = password,
        ["Input.ConfirmPassword"] = password,
    };

    [Fact]
    public async Task An_applicant_registers_confirms_their_email_and_signs_in()
    {
        var client = app.Browser();
        var response = await client.PostFormAsync("/Account/Register", Registration("rosa@example.net"));
        Assert.Equal("/Account/RegisterConfirmation", response.Headers.Location!.OriginalString);

        // Not yet confirmed: signing in is refused with the reason, and a way to resend.
        var early = await client.PostFormAsync("/Account/Login", new() { ["Input.Email"] = "rosa@example.net", ["Input.Password"] = "community-2026" });
        var earlyPage = await early.ReadPageAsync();
        Assert.Contains("Confirm your email address before you sign in", earlyPage.ErrorSummary());

        var email = await app.Smtp.WaitForAsync("rosa@example.net", "Confirm your email address");
        Assert.Equal("grants@kent.example.gov.uk", email.From.Mailboxes.Single().Address);
        Assert.NotNull(email.HtmlBody);
        var link = LinkPattern().Match(email.TextBody!).Value;
        Assert.Contains("/Account/ConfirmEmail?userId=", link);
        Assert.Contains(WebUtility.HtmlEncode(link), email.HtmlBody);

        var confirmed = await client.GetPageAsync(new Uri(link).PathAndQuery);
        Assert.Equal("Email address confirmed", confirmed.QuerySelector("h1")!.TextContent.Trim());
        var onward = confirmed.QuerySelector("main a.govuk-button#sign-in")!;
        Assert.Equal(("Sign in", "/Account/Login"), (onward.TextContent.Trim(), onward.GetAttribute("href")));

        var signIn = await client.PostFormAsync("/Account/Login", new() { ["Input.Email"] = "rosa@example.net", ["Input.Password"] = "community-2026" });
        Assert.Equal("/Applicant", signIn.Headers.Location!.OriginalString);
        var home = await client.GetPageAsync("/Applicant");
        Assert.Contains("Dover Carers Circle", home.QuerySelector("main")!.TextContent);
    }

    [Fact]
    public async Task Registration_with_bad_input_names_each_field_and_saves_nothing()
    {
        var usersBefore = await app.WithDbAsync(db => db.Users.CountAsync());
        var orgsBefore = await app.WithDbAsync(db => db.Organisations.CountAsync());
        var fields = Registration("not-an-email");
        fields["Input.FullName"] = "";
        fields["Input.OrganisationType"] = "";
        fields["Input.Password"] = "short";
        fields["Input.ConfirmPassword"] = "something-else-1";

        var response = await app.Browser().PostFormAsync("/Account/Register", fields);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.ReadPageAsync();
        Assert.StartsWith("Error:", page.Title);
        var errors = page.ErrorSummary();
        Assert.Contains("Enter your full name", errors);
        Assert.Contains("Enter an email address in the correct format, like name@example.org", errors);
        Assert.Contains("Select the type of organisation", errors);
        Assert.Contains("The passwords do not match", errors);
        Assert.Contains("Your password must be at least 10 characters", errors);
        Assert.Equal("#Input_FullName", page.QuerySelector(".govuk-error-summary__list a")!.GetAttribute("href"));
        Assert.Equal("not-an-email", page.QuerySelector("#Input_Email")!.GetAttribute("value"));
        Assert.Equal(usersBefore, await app.WithDbAsync(db => db.Users.CountAsync()));
        Assert.Equal(orgsBefore, await app.WithDbAsync(db => db.Organisations.CountAsync()));
    }

    [Fact]
    public async Task A_weak_password_is_refused_and_nothing_is_saved()
    {
        var response = await app.Browser().PostFormAsync("/Account/Register", Registration("weak@example.net", "short1"));
        var page = await response.ReadPageAsync();
        Assert.Contains("Your password must be at least 10 characters", page.ErrorSummary());
        Assert.False(await app.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == "weak@example.net")));
        Assert.False(await app.WithDbAsync(db => db.Organisations.AnyAsync(o => o.ContactEmail == "weak@example.net")));
    }

    [Fact]
    public async Task Registering_an_address_already_in_use_reveals_nothing_and_tells_the_owner()
    {
        var response = await app.Browser().PostFormAsync("/Account/Register", Registration("applicant2@example.org"));
        Assert.Equal("/Account/RegisterConfirmation", response.Headers.Location!.OriginalString);
        var email = await app.Smtp.WaitForAsync("applicant2@example.org", "You already have an account");
        Assert.Contains("/Account/ForgotPassword", email.TextBody);
        Assert.Equal(1, await app.WithDbAsync(db => db.Users.CountAsync(u => u.Email == "applicant2@example.org")));
    }

    [Fact]
    public async Task A_forgotten_password_is_reset_through_the_emailed_link()
    {
        var client = app.Browser();
        var sent = await client.PostFormAsync("/Account/ForgotPassword", new() { ["Input.Email"] = "panel@example.org" });
        Assert.Equal("Check your email", (await sent.ReadPageAsync()).QuerySelector("h1")!.TextContent.Trim());

        var email = await app.Smtp.WaitForAsync("panel@example.org", "Reset your password");
        var link = new Uri(LinkPattern().Match(email.TextBody!).Value);
        var reset = await client.PostFormAsync("/Account/ResetPassword", new()
        {
            ["Input.Email"] = "panel@example.org",
            ["Input.Password"] = "a-new-panel-password-9",
            ["Input.ConfirmPassword"] = "a-new-panel-password-9",
            ["Input.Code"] = System.Web.HttpUtility.ParseQueryString(link.Query)["code"]!,
        }, link.PathAndQuery);
        Assert.Equal("/Account/Login", reset.Headers.Location!.OriginalString);

        Assert.Equal(HttpStatusCode.Redirect,
            (await app.Browser().PostFormAsync("/Account/Login", new() { ["Input.Email"] = "panel@example.org", ["Input.Password"] = "a-new-panel-password-9" })).StatusCode);
        var old = await app.Browser().PostFormAsync("/Account/Login", new() { ["Input.Email"] = "panel@example.org", ["Input.Password"] = DemoData.Password });
        Assert.Equal(HttpStatusCode.OK, old.StatusCode);
    }

    [Fact]
    public async Task A_tampered_reset_code_is_refused_with_a_clear_message()
    {
        var response = await app.Browser().PostFormAsync("/Account/ResetPassword", new()
        {
            ["Input.Email"] = "assessor2@example.org",
            ["Input.Password"] = "another-password-1",
            ["Input.ConfirmPassword"] = "another-password-1",
            ["Input.Code"] = "bm90LWEtdG9rZW4",
        });
        var page = await response.ReadPageAsync();
        Assert.Contains("The reset link has expired or is not for this email address. Ask for a new link", page.ErrorSummary());
    }

    [Fact]
    public async Task An_administrator_adds_a_staff_account_and_the_invitation_arrives()
    {
        var admin = await app.SignedInAsync("admin@example.org");
        var created = await admin.PostFormAsync("/Admin/Users/Create", new()
        {
            ["Input.FullName"] = "Sam Second-Officer", ["Input.Email"] = "sam@kent.example.gov.uk", ["Input.Role"] = "GrantOfficer",
        });
        Assert.Equal("/Admin/Users", created.Headers.Location!.OriginalString);
        var list = await admin.GetPageAsync("/Admin/Users");
        Assert.Contains("Sam Second-Officer", list.QuerySelector("table")!.TextContent);

        var email = await app.Smtp.WaitForAsync("sam@kent.example.gov.uk", "Your Kent County Council grants account");
        Assert.Contains("Grant officer account", email.TextBody);
        Assert.Contains("/Account/ResetPassword?email=", email.TextBody);

        var bad = await admin.PostFormAsync("/Admin/Users/Create", new() { ["Input.FullName"] = "X", ["Input.Email"] = "x@example.org", ["Input.Role"] = "Superuser" });
        Assert.Contains("Select a role from the list", (await bad.ReadPageAsync()).ErrorSummary());
    }

    [GeneratedRegex(@"https?://\S+")]
    private static partial Regex LinkPattern();
}
