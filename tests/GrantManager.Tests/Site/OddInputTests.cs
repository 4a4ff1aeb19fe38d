using System.Net;
using System.Text;
using GrantManager.Tests.Support;

namespace GrantManager.Tests.Site;

/// <summary>Nothing a person can type into an address or a form gives a 500.</summary>
public sealed class OddInputTests(GrantManagerFactory app) : IClassFixture<GrantManagerFactory>
{
    [Theory]
    [InlineData("/Applicant/Apply?fund=abc")]
    [InlineData("/Applicant/Apply?fund=-1")]
    [InlineData("/Applicant/Applications/99999")]
    [InlineData("/Applicant/Applications/abc")]
    [InlineData("/Applicant/Applications/1/Project")]
    [InlineData("/Documents/not-a-guid")]
    [InlineData("/Documents/00000000-0000-0000-0000-000000000000")]
    [InlineData("/Account/ConfirmEmail?userId=nobody&code=%25%25%25")]
    [InlineData("/Account/ResetPassword?email=%3Cscript%3E&code=!!!")]
    [InlineData("/Error/999")]
    [InlineData("/Error/500")]
    [InlineData("/Error")]
    public async Task Odd_addresses_for_an_applicant_never_give_a_500(string url)
    {
        var applicant = await app.SignedInAsync("applicant2@example.org");
        var response = await applicant.GetAsync(url);
        Assert.True((int)response.StatusCode < 500, $"{url} gave {(int)response.StatusCode}");
    }

    [Theory]
    [InlineData("/Staff/Tasks/0")]
    [InlineData("/Staff/Tasks/abc")]
    [InlineData("/Staff/Inbox?fund=abc&stage=%3Cb%3E")]
    [InlineData("/Staff/Workflows/Definition?id=%00&version=x")]
    [InlineData("/Staff/Workflows/Instance/not-a-guid")]
    [InlineData("/Admin/Funds/Fund?id=abc")]
    public async Task Odd_addresses_for_staff_never_give_a_500(string url)
    {
        var admin = await app.SignedInAsync("officer@example.org");
        var response = await admin.GetAsync(url);
        Assert.True((int)response.StatusCode < 500, $"{url} gave {(int)response.StatusCode}");
    }

    [Theory]
    [InlineData("POST", "/api/applications", "[]")]
    [InlineData("POST", "/api/applications", "{\"fundId\": \"one\"}")]
    [InlineData("POST", "/api/applications", "{\"startDate\": \"31/02/2027\"}")]
    [InlineData("POST", "/api/applications", "{\"budget\": [{\"amount\": 1e400}]}")]
    [InlineData("PUT", "/api/applications/99999", "{}")]
    [InlineData("POST", "/api/applications/abc/submit", "{}")]
    [InlineData("POST", "/api/tasks/99999/complete", "{\"outcome\": \"fund\"}")]
    [InlineData("POST", "/api/tasks/1/declare", "not json")]
    [InlineData("POST", "/api/workflow-instances/00000000-0000-0000-0000-000000000000/actions/withdraw", "{}")]
    public async Task Odd_API_requests_get_a_4xx_with_problem_details(string method, string url, string body)
    {
        var applicant = await app.ApiClientAsync("applicant@example.org");
        var response = await applicant.SendAsync(new HttpRequestMessage(new HttpMethod(method), url) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        Assert.InRange((int)response.StatusCode, 400, 499);
        if (response.StatusCode != HttpStatusCode.NotFound || response.Content.Headers.ContentLength > 0)
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
