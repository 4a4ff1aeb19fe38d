using GrantManager.Client;
using GrantManager.Client.Models;
using GrantManager.Core.Data;
using GrantManager.Tests.Support;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;

namespace GrantManager.ClientTests;

/// <summary>
/// The client generated from the OpenAPI document, unedited, takes a new organisation's application
/// from draft to grant: every API call below is a generated method.
/// </summary>
public sealed class GeneratedClientJourneyTests(GrantManagerFactory app) : IClassFixture<GrantManagerFactory>
{
    [Fact]
    public async Task An_applicant_applies_staff_decide_and_the_grant_appears_through_the_generated_client()
    {
        // Where a real applicant starts: registering on the site and confirming the email.
        const string email = "treasurer@folkestone-walkers.example.org";
        await NewApplicant.RegisterCharityAsync(app, email, "Folkestone Walkers", "1190001", "CT20 1AA", "Folkestone");

        var applicant = await SignInAsync(email, NewApplicant.Password);
        var fund = Assert.Single((await applicant.Api.Funds.GetAsync())!, f => f.Code == "LWK");

        var created = await applicant.Api.Applications.PostAsync(new ApplicationInput
        {
            FundId = fund.Id, ProjectTitle = "Walk and talk", ProjectSummary = "Weekly guided walks with peer support.",
            Innovation = "Walk leaders with lived experience of loneliness.", Beneficiaries = "Isolated adults in Folkestone",
            Districts = ["Folkestone and Hythe"], StartDate = new Date(2027, 4, 1), EndDate = new Date(2028, 3, 31), AmountRequested = 3000,
            Budget = [new BudgetLineInput { Item = "Walk leader sessions", Amount = 2000 }, new BudgetLineInput { Item = "Training", Amount = 1000 }],
            Outcomes = [new OutcomeInput { Measure = "people-supported", Target = 40 }, new OutcomeInput { Measure = "volunteer-hours", Target = 300 }],
        });
        Assert.Equal("draft", created!.Status);
        var id = created.Id!.Value;

        // A draft without the declaration is refused as problem details naming the field, which the client raises typed.
        var refused = await Assert.ThrowsAsync<ProblemDetails>(() => applicant.Api.Applications[id].Submit.PostAsync(new SubmitRequest { Declaration = false }));
        Assert.Equal(400, refused.Status);
        Assert.Contains("declaration", refused.Errors!.AdditionalData.Keys);

        var submitted = await applicant.Api.Applications[id].Submit.PostAsync(new SubmitRequest { Declaration = true });
        Assert.Equal("submitted", submitted!.Status);
        Assert.Equal("Walk and talk", submitted.ProjectTitle);
        Assert.Equal(3000, submitted.AmountRequested);
        Assert.Equal(["Folkestone and Hythe"], submitted.Districts);
        Assert.Equal(new Date(2027, 4, 1), submitted.StartDate);
        Assert.Equal(["Walk leader sessions: 2000", "Training: 1000"], submitted.Budget!.Select(b => $"{b.Item}: {b.Amount}"));

        // Eligibility, two assessments with a conflict declaration each, and the decision under delegated authority.
        var officer = await SignInAsync("officer@example.org", DemoData.Password);
        await CompleteAsync(officer, await OpenTaskAsync(officer, id, Roles.GrantOfficer), new CompleteRequest { Outcome = "eligible" });
        foreach (var email2 in new[] { "assessor@example.org", "assessor2@example.org" })
        {
            var assessor = await SignInAsync(email2, DemoData.Password);
            var task = await OpenTaskAsync(assessor, id, Roles.Assessor);
            await assessor.Api.Tasks[task.Id!.Value].Declare.PostAsync(new DeclareRequest { HasConflict = false });
            // The criteria show once the assessor has declared no conflict.
            var declared = Assert.Single((await assessor.Api.Tasks.GetAsync(c => c.QueryParameters.ApplicationId = id))!, t => t.Id == task.Id);
            var scores = new CompleteRequest_scores();
            foreach (var criterion in declared.Criteria!) scores.AdditionalData[criterion.Id!.Value.ToString()] = 4;
            await CompleteAsync(assessor, task, new CompleteRequest { Outcome = "fund", Comment = "Well planned", Scores = scores });
        }
        var decided = await CompleteAsync(officer, await OpenTaskAsync(officer, id, Roles.GrantOfficer),
            new CompleteRequest { Outcome = "approve", AmountAwarded = 3000, Conditions = [new CompleteRequest_conditions { Text = "Share the walk timetable", Kind = CompleteRequest_conditions_kind.Ongoing }], MessageToApplicant = "We are pleased to offer you a grant." });
        Assert.Equal("offer", decided.Stage);

        // The applicant accepts the offer: the grant appears, with its payments.
        var offer = await OpenTaskAsync(applicant, id, Roles.Applicant);
        Assert.Contains("accept", offer.Outcomes!);
        await CompleteAsync(applicant, offer, new CompleteRequest { Outcome = "accept" });

        Assert.Equal("awarded", (await applicant.Api.Applications[id].GetAsync())!.Status);
        var grant = Assert.Single((await applicant.Api.Grants.GetAsync())!);
        Assert.Equal(id, grant.ApplicationId);
        Assert.Equal(created.Reference, grant.Reference);
        Assert.Equal(3000, grant.Amount);
        Assert.Equal(["Share the walk timetable: ongoing"], grant.Conditions!.Select(c => $"{c.Text}: {c.Kind}"));
        Assert.Equal(3000, grant.Instalments!.Sum(i => i.Amount));
        Assert.Equal(["people-supported: 40", "volunteer-hours: 300"], grant.Targets!.Select(t => $"{t.Measure}: {t.Target}"));
        Assert.Equal(grant.Id, (await officer.Api.Grants[grant.Id!.Value].GetAsync())!.Id);
    }

    [Fact]
    public async Task Another_organisations_application_is_a_typed_404_and_no_token_a_typed_401()
    {
        var other = await SignInAsync("applicant2@example.org", DemoData.Password);
        var mine = await SignInAsync("applicant@example.org", DemoData.Password);
        var fund = (await mine.Api.Funds.GetAsync())!.First();
        var draft = await mine.Api.Applications.PostAsync(new ApplicationInput { FundId = fund.Id, ProjectTitle = "Ours" });

        var hidden = await Assert.ThrowsAsync<ProblemDetails>(() => other.Api.Applications[draft!.Id!.Value].GetAsync());
        Assert.Equal(404, hidden.Status);
        var anonymous = new GrantManagerClient(Adapter(new AnonymousAuthenticationProvider()));
        var unauthorised = await Assert.ThrowsAsync<ProblemDetails>(() => anonymous.Api.Tasks.GetAsync());
        Assert.Equal(401, unauthorised.ResponseStatusCode);
    }

    private async Task<GrantManagerClient> SignInAsync(string email, string password)
    {
        var anonymous = new GrantManagerClient(Adapter(new AnonymousAuthenticationProvider()));
        var token = await anonymous.Api.Identity.Login.PostAsync(new LoginRequest { Email = email, Password = password },
            c => c.QueryParameters.UseCookies = false);
        return new GrantManagerClient(Adapter(new BaseBearerTokenAuthenticationProvider(new FixedToken(token!.AccessToken!))));
    }

    private HttpClientRequestAdapter Adapter(IAuthenticationProvider authentication)
    {
        var http = app.CreateClient();
        return new HttpClientRequestAdapter(authentication, httpClient: http) { BaseUrl = http.BaseAddress!.ToString().TrimEnd('/') };
    }

    private static async Task<TaskView> OpenTaskAsync(GrantManagerClient client, int applicationId, string role)
    {
        var tasks = await client.Api.Tasks.GetAsync(c => c.QueryParameters.ApplicationId = applicationId);
        return tasks!.First(t => t.Role == role && t.Assignee is null);
    }

    private static async Task<TaskResult> CompleteAsync(GrantManagerClient client, TaskView task, CompleteRequest body) =>
        (await client.Api.Tasks[task.Id!.Value].Complete.PostAsync(body))!;

    private sealed class FixedToken(string token) : IAccessTokenProvider
    {
        public AllowedHostsValidator AllowedHostsValidator { get; } = new();
        public Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(token);
    }
}
