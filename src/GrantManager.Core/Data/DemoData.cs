using GrantManager.Core.Funds;
using GrantManager.Core.Organisations;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace GrantManager.Core.Data;

/// <summary>
/// The demo: the Live Well Kent innovation grant with an open round, two applicant
/// organisations and one account per staff role. Idempotent: a restart adds nothing twice.
/// </summary>
public sealed class DemoData(GrantDbContext db, UserManager<User> users, RoleManager<IdentityRole> roles, TimeProvider time, ILogger<DemoData> logger)
{
    /// <summary>The one password every demo account shares (documented in the README).</summary>
    public const string Password = "LiveWellKent-2026";

    public static readonly (string Email, string Name, string Role)[] Staff =
    [
        ("officer@example.org", "Olivia Officer", Roles.GrantOfficer),
        ("assessor@example.org", "Asha Assessor", Roles.Assessor),
        ("assessor2@example.org", "Aled Assessor", Roles.Assessor),
        ("panel@example.org", "Priya Panel", Roles.PanelMember),
        ("finance@example.org", "Fergus Finance", Roles.FinanceOfficer),
        ("admin@example.org", "Adam Administrator", Roles.Administrator),
    ];

    public static readonly (string Email, string Name, string Organisation, OrganisationType Type, string? Charity, string? Company, string Postcode)[] Applicants =
    [
        ("applicant@example.org", "Amira Applicant", "Shepway Sports Trust", OrganisationType.Charity, "1145678", null, "CT20 1JY"),
        ("applicant2@example.org", "Ben Applicant", "Swale Arts Collective CIC", OrganisationType.CommunityInterestCompany, null, "09876543", "ME10 4AA"),
    ];

    private string? _passwordHash;

    public async Task SeedAsync(CancellationToken ct = default)
    {
        await EnsureRolesAsync(roles);
        var now = time.GetUtcNow().UtcDateTime;

        foreach (var (email, name, role) in Staff)
            await EnsureUserAsync(email, name, role, null);

        foreach (var a in Applicants)
        {
            var org = await db.Organisations.FirstOrDefaultAsync(o => o.Name == a.Organisation, ct);
            if (org is null)
            {
                org = new Organisation
                {
                    Name = a.Organisation, Type = a.Type, CharityNumber = a.Charity, CompanyNumber = a.Company,
                    AddressLine1 = "1 High Street", Town = a.Postcode.StartsWith("CT", StringComparison.Ordinal) ? "Folkestone" : "Sittingbourne",
                    Postcode = a.Postcode, ContactName = a.Name, ContactEmail = a.Email, CreatedAt = now,
                };
                db.Organisations.Add(org);
                await db.SaveChangesAsync(ct);
            }
            await EnsureUserAsync(a.Email, a.Name, Roles.Applicant, org.Id);
        }

        if (!await db.Funds.AnyAsync(f => f.Code == "LWK", ct))
        {
            var fund = new Fund
            {
                Code = "LWK",
                Name = "Live Well Kent innovation grant",
                Summary = "Grants of up to £10,000 for innovative community projects that support mental health and wellbeing in Kent.",
                Description = "Live Well Kent is a network of mental health and wellbeing organisations supporting residents " +
                    "to manage their mental health, physical or emotional wellbeing before situations reach crisis. " +
                    "The innovation grant funds 12-month community projects that link people with what is going on in their community. " +
                    "Funded projects report quarterly, including the social value they create.",
                Eligibility = "Voluntary and community organisations, charities and community interest companies working in Kent. " +
                    "Projects must run for up to 12 months and benefit Kent residents.",
                MinimumAward = 500m,
                MaximumAward = 10_000m,
                Budget = 150_000m,
                WorkflowId = "grant-application",
                CreatedAt = now,
            };
            fund.Rounds.Add(new Round
            {
                Name = $"Round 1 {now:yyyy}",
                // Whole UK days, as an administrator's round is: open from the start of one, closing after the last.
                OpensAt = Configuration.UkTime.StartOfDay(Configuration.UkTime.DayOf(now).AddDays(-14)),
                ClosesAt = Configuration.UkTime.StartOfDay(Configuration.UkTime.DayOf(now).AddDays(91)),
                Budget = 75_000m,
            });
            db.Funds.Add(fund);
            await db.SaveChangesAsync(ct);
            logger.LogInformation("Demo data: added the Live Well Kent innovation grant with an open round");
        }
        await EnsureCriteriaAndMeasuresAsync(ct);
    }

    private async Task EnsureCriteriaAndMeasuresAsync(CancellationToken ct)
    {
        var fund = await db.Funds.Include(f => f.Criteria).Include(f => f.Measures).SingleAsync(f => f.Code == "LWK", ct);
        if (fund.Criteria.Count == 0)
        {
            fund.Criteria.AddRange(
            [
                new() { Order = 1, Name = "Need and benefit", Weight = 30, Guidance = "Is there clear evidence of need in the communities served, and will people's mental health and wellbeing improve?" },
                new() { Order = 2, Name = "Innovation", Weight = 25, Guidance = "Does the project try something new for Kent, or an existing idea in a new way or place?" },
                new() { Order = 3, Name = "Deliverability", Weight = 25, Guidance = "Is the plan realistic in 12 months, with the people, partners and budget it needs?" },
                new() { Order = 4, Name = "Social value", Weight = 20, Guidance = "Will it bring wider benefits: volunteering, local jobs and spend, carers reached, a greener Kent?" },
            ]);
        }
        if (fund.Measures.Count == 0)
        {
            fund.Measures.AddRange(
            [
                new() { Order = 1, Code = "people-supported", Name = "People supported", Unit = "people" },
                new() { Order = 2, Code = "carers-reached", Name = "Carers reached", Unit = "carers" },
                new() { Order = 3, Code = "volunteers", Name = "Volunteers involved", Unit = "volunteers" },
                new() { Order = 4, Code = "volunteer-hours", Name = "Volunteer hours", Unit = "hours" },
                new() { Order = 5, Code = "local-jobs", Name = "Local jobs and apprenticeships", Unit = "jobs" },
                new() { Order = 6, Code = "local-spend", Name = "Spend with Kent suppliers", Unit = "pounds" },
            ]);
        }
        await db.SaveChangesAsync(ct);
    }

    public static async Task EnsureRolesAsync(RoleManager<IdentityRole> roles)
    {
        foreach (var role in Roles.All)
            if (!await roles.RoleExistsAsync(role))
                await roles.CreateAsync(new IdentityRole(role));
    }

    private async Task EnsureUserAsync(string email, string name, string role, int? organisationId)
    {
        if (await users.FindByEmailAsync(email) is not null) return;
        var user = new User
        {
            UserName = email, Email = email, EmailConfirmed = true, DisplayName = name,
            OrganisationId = organisationId, CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        // Every demo account shares one password, so hash it once rather than once per account.
        _passwordHash ??= users.PasswordHasher.HashPassword(user, Password);
        user.PasswordHash = _passwordHash;
        var result = await users.CreateAsync(user);
        if (!result.Succeeded)
            throw new InvalidOperationException($"Demo user {email}: {string.Join("; ", result.Errors.Select(e => e.Description))}");
        await users.AddToRoleAsync(user, role);
        logger.LogInformation("Demo data: added {Role} {Email}", role, email);
    }
}
