using System.Net;
using System.Text.RegularExpressions;

namespace GrantManager.Tests.Support;

/// <summary>Where a real applicant starts: registering an organisation nobody seeded, confirming the email, signing in.</summary>
public static partial class NewApplicant
{
    public const string Password = "our-community-2026";

    /// <summary>Registers through the rendered form, follows the emailed link and signs in; the client is signed in.</summary>
    public static async Task<HttpClient> RegisterAsync(GrantManagerFactory app, string email, string organisation, string type = "CharitableIncorporatedOrganisation",
        string fullName = "Priya Newcomer")
    {
        var client = app.Browser();
        var registered = await client.SubmitFormAsync("/Account/Register", new()
        {
            ["Input.FullName"] = fullName, ["Input.Email"] = email, ["Input.OrganisationName"] = organisation,
            ["Input.OrganisationType"] = type, ["Input.Password"] = Password, ["Input.ConfirmPassword"] = Password,
        });
        Assert.True(registered.StatusCode == HttpStatusCode.Redirect, $"Registering {email} failed: {registered.StatusCode}");
        var message = await app.Smtp.WaitForAsync(email, "Confirm your email address");
        var link = Link().Match(message.TextBody!).Value;
        var confirmed = await client.GetPageAsync(new Uri(link).PathAndQuery);
        Assert.Equal("Email address confirmed", confirmed.QuerySelector("h1")!.TextContent.Trim());
        var signedIn = await client.SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = email, ["Input.Password"] = Password });
        Assert.True(signedIn.StatusCode == HttpStatusCode.Redirect, $"Signing in as {email} failed: {signedIn.StatusCode}");
        return client;
    }

    /// <summary>Registers a charity and completes its profile through the rendered form, ready to apply; the client is signed in.</summary>
    public static async Task<HttpClient> RegisterCharityAsync(GrantManagerFactory app, string email, string organisation, string charityNumber, string postcode,
        string town = "Ashford")
    {
        var client = await RegisterAsync(app, email, organisation, type: "Charity");
        var saved = await client.SubmitFormAsync("/Applicant/Organisation", new()
        {
            ["Input.Name"] = organisation, ["Input.OrganisationType"] = "Charity", ["Input.CharityNumber"] = charityNumber,
            ["Input.AddressLine1"] = "1 High Street", ["Input.Town"] = town, ["Input.Postcode"] = postcode,
            ["Input.ContactName"] = "Priya Newcomer", ["Input.ContactEmail"] = email, ["Input.ContactPhone"] = "01233 123456",
        });
        Assert.True(saved.StatusCode == HttpStatusCode.Redirect, $"Saving {organisation}'s profile failed: {saved.StatusCode}");
        return client;
    }

    [GeneratedRegex(@"https?://\S+/Account/ConfirmEmail\?\S+")]
    private static partial Regex Link();
}
