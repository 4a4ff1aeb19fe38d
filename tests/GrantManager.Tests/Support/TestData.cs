using GrantManager.Core.Applications;
using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using GrantManager.Core.Funds;
using GrantManager.Core.Grants;
using GrantManager.Core.Organisations;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GrantManager.Tests.Support;

/// <summary>How far an application made by <see cref="TestData.CreateApplicationAsync"/> has gone.</summary>
public enum ApplicationStage { Draft, Submitted, Assessed, Offered, Awarded }

/// <summary>
/// The application <see cref="TestData.CreateApplicationAsync"/> makes: who applies to which fund, for
/// what, and how far it goes. Unless told otherwise, a project of £3,000 starting on the first of the
/// month two months after the application's own clock reads, for a year.
/// </summary>
public sealed class ApplicationSpec
{
    public string Applicant { get; private set; } = "applicant@example.org";
    public string FundCode { get; private set; } = "LWK";
    public string Title { get; private set; } = "Befriending by phone";
    public decimal Amount { get; private set; } = 3000m;
    public IReadOnlyList<string> Districts { get; private set; } = ["Maidstone", "Swale"];
    public DateOnly? Start { get; private set; }
    public DateOnly? End { get; private set; }
    public ApplicationStage Stage { get; private set; } = ApplicationStage.Draft;

    public ApplicationSpec By(string applicantEmail) { Applicant = applicantEmail; return this; }
    public ApplicationSpec ToFund(string code) { FundCode = code; return this; }
    public ApplicationSpec Titled(string title) { Title = title; return this; }
    public ApplicationSpec Asking(decimal amount) { Amount = amount; return this; }
    public ApplicationSpec In(params string[] districts) { Districts = districts; return this; }
    public ApplicationSpec Running(DateOnly start, DateOnly end) { Start = start; End = end; return this; }
    /// <summary>Sent with the declaration: waiting for its eligibility check.</summary>
    public ApplicationSpec Submitted() => At(ApplicationStage.Submitted);
    /// <summary>Found eligible and scored by two assessors: waiting for the decision.</summary>
    public ApplicationSpec Assessed() => At(ApplicationStage.Assessed);
    /// <summary>Approved: the offer waits for the applicant.</summary>
    public ApplicationSpec Offered() => At(ApplicationStage.Offered);
    /// <summary>The offer accepted: a grant with its payments and reports.</summary>
    public ApplicationSpec Awarded() => At(ApplicationStage.Awarded);

    private ApplicationSpec At(ApplicationStage stage) { Stage = stage; return this; }
}

/// <summary>
/// Test data made through the application's own services, as its users would make it, on the
/// application's own clock: a test states what it needs instead of leaning on what the demo seed
/// happens to hold. The staff who check, assess and decide are the seeded staff accounts.
/// </summary>
public static class TestData
{
    /// <summary>The day it is in the UK by the application's clock (a test's fake clock, or the system's).</summary>
    public static DateOnly Today(this GrantManagerFactory app) => UkTime.DayOf(app.Now());

    /// <summary>The application's clock's reading, in UTC.</summary>
    public static DateTime Now(this GrantManagerFactory app) => app.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;

    /// <summary>Makes an application as <paramref name="describe"/> says, e.g. <c>app.CreateApplicationAsync(a => a.Asking(8000m).Submitted())</c>.</summary>
    public static async Task<Application> CreateApplicationAsync(this GrantManagerFactory app, Action<ApplicationSpec>? describe = null)
    {
        var spec = new ApplicationSpec();
        describe?.Invoke(spec);
        var start = spec.Start ?? FirstOfMonth(app.Today().AddMonths(2));
        var end = spec.End ?? start.AddYears(1).AddDays(-1);
        var actor = await app.ActorAsync(spec.Applicant);
        var id = await app.WithAsync(async sp =>
        {
            var service = sp.GetRequiredService<ApplicationService>();
            var fundId = await sp.GetRequiredService<GrantDbContext>().Funds.Where(f => f.Code == spec.FundCode).Select(f => f.Id).SingleAsync();
            var draft = await service.CreateDraftAsync(actor, new ApplicationInput
            {
                FundId = fundId, ProjectTitle = spec.Title, ProjectSummary = "Weekly calls.", Innovation = "Volunteers who were once isolated.",
                Beneficiaries = "Isolated older people", Districts = spec.Districts, StartDate = start, EndDate = end,
                AmountRequested = spec.Amount, Budget = [new BudgetLineInput("Volunteer training", spec.Amount - 1000m), new BudgetLineInput("Phone costs", 1000m)],
                Outcomes = [new OutcomeInput("people-supported", 50m), new OutcomeInput("volunteer-hours", 400m)],
            });
            if (spec.Stage >= ApplicationStage.Submitted) await service.SubmitAsync(draft.Id, actor, declaration: true);
            return draft.Id;
        });
        if (spec.Stage == ApplicationStage.Assessed) await app.AssessAsync(id);
        if (spec.Stage >= ApplicationStage.Offered) await app.OfferAsync(id);
        if (spec.Stage >= ApplicationStage.Awarded)
            await app.CompleteAsync((await app.OpenTaskAsync(ApplicationService.SubjectType, id))!.Id, spec.Applicant, new TaskCompletion("accept", null));
        return await app.WithDbAsync(db => db.Applications.AsNoTracking().SingleAsync(a => a.Id == id));
    }

    /// <summary>Makes an application as <paramref name="describe"/> says and takes it to an award: the grant, with its payments and reports.</summary>
    public static async Task<Grant> CreateGrantAsync(this GrantManagerFactory app, Action<ApplicationSpec>? describe = null)
    {
        var application = await app.CreateApplicationAsync(a => { describe?.Invoke(a); a.Awarded(); });
        return await app.WithDbAsync(db => db.Grants.Include(g => g.Instalments).Include(g => g.Returns).SingleAsync(g => g.ApplicationId == application.Id));
    }

    /// <summary>
    /// A new community group nobody seeded, its profile complete, with its one applicant account (email confirmed, the demo
    /// password), made through Identity's user manager; returns the email to sign in with.
    /// </summary>
    public static Task<string> CreateApplicantAsync(this GrantManagerFactory app, string organisation, string? email = null) => app.WithAsync(async sp =>
    {
        email ??= $"applicant-{Guid.NewGuid():N}@example.org";
        var db = sp.GetRequiredService<GrantDbContext>();
        var now = sp.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        var org = new Organisation
        {
            Name = organisation, Type = OrganisationType.UnregisteredGroup, AddressLine1 = "1 High Street", Town = "Ashford",
            Postcode = "TN23 1AA", ContactName = "Priya Newcomer", ContactEmail = email, CreatedAt = now,
        };
        db.Organisations.Add(org);
        await db.SaveChangesAsync();
        var users = sp.GetRequiredService<UserManager<User>>();
        var user = new User { UserName = email, Email = email, EmailConfirmed = true, DisplayName = "Priya Newcomer", OrganisationId = org.Id, CreatedAt = now };
        var created = await users.CreateAsync(user, DemoData.Password);
        Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => e.Description)));
        await users.AddToRoleAsync(user, Roles.Applicant);
        return email;
    });

    /// <summary>
    /// A fund of its own, made as an administrator would (the fund, a round open from yesterday for
    /// three months, the seeded fund's criteria and measures), on the standard grant workflow.
    /// </summary>
    public static Task<Fund> CreateFundAsync(this GrantManagerFactory app, string code, decimal maximumAward = 10_000m, decimal budget = 100_000m) => app.WithAsync(async sp =>
    {
        var funds = sp.GetRequiredService<FundAdministration>();
        var fund = await funds.SaveFundAsync(null, new FundInput(code, $"{code} test fund", "A fund for one test.", "What the fund is for.", "Who may apply.",
            0m, maximumAward, budget, 12, "grant-application"));
        var today = app.Today();
        await funds.AddRoundAsync(fund.Id, "Round 1", today.AddDays(-1), today.AddMonths(3), budget);
        foreach (var (name, weight) in new[] { ("Need and benefit", 30), ("Innovation", 25), ("Deliverability", 25), ("Social value", 20) })
            await funds.AddCriterionAsync(fund.Id, name, "", weight);
        foreach (var (measure, name, unit) in new[] { ("people-supported", "People supported", "people"), ("volunteer-hours", "Volunteer hours", "hours") })
            await funds.AddMeasureAsync(fund.Id, measure, name, unit);
        return fund;
    });

    private static DateOnly FirstOfMonth(DateOnly day) => new(day.Year, day.Month, 1);
}
