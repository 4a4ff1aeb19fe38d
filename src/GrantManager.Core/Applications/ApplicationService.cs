using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Applications;

public sealed record BudgetLineInput(string? Item, decimal? Amount);

public sealed record OutcomeInput(string? Measure, decimal? Target);

/// <summary>What an applicant fills in. Null means "not answered yet" in a draft; lists replace what was there.</summary>
public sealed record ApplicationInput
{
    public int? FundId { get; init; }
    public string? ProjectTitle { get; init; }
    public string? ProjectSummary { get; init; }
    public string? Innovation { get; init; }
    public string? Beneficiaries { get; init; }
    public IReadOnlyList<string>? Districts { get; init; }
    public DateOnly? StartDate { get; init; }
    public DateOnly? EndDate { get; init; }
    public decimal? AmountRequested { get; init; }
    public IReadOnlyList<BudgetLineInput>? Budget { get; init; }
    public IReadOnlyList<OutcomeInput>? Outcomes { get; init; }
}


/// <summary>Drafts, submission and withdrawal of applications, and who may see them.</summary>
public sealed class ApplicationService(GrantDbContext db, WorkflowRuntime runtime, TimeProvider time, Places.Districts districts, IAwardedApplications awarded)
{
    public const string SubjectType = "application";
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    public async Task<Application> CreateDraftAsync(Actor actor, ApplicationInput input, CancellationToken ct = default)
    {
        if (!actor.HasRole(Roles.Applicant) || actor.OrganisationId is not int organisationId)
            throw new ForbiddenException("Only an applicant registered for an organisation can start an application");
        var errors = new Errors();
        Funds.Fund? fund = null;
        Funds.Round? round = null;
        if (input.FundId is not int fundId) errors.Add("fundId", "Choose the fund you are applying to");
        else
        {
            fund = await db.Funds.Include(f => f.Measures).SingleOrDefaultAsync(f => f.Id == fundId, ct);
            round = fund is null ? null : await OpenRoundAsync(fund.Id, ct);
            if (fund is null) errors.Add("fundId", "There is no such fund");
            else if (round is null) errors.Add("fundId", $"The {fund.Name} is not open for applications");
        }
        if (fund is not null) CheckFormat(input, fund, errors, Configuration.UkTime.DayOf(Now));
        errors.ThrowIfAny();

        var prefix = $"{fund!.Code}-{Now:yyyy}-";
        // Two people starting drafts at the same moment can both read the same highest reference; the
        // unique index refuses the second, which then takes the next number (a few tries at most).
        for (var attempt = 1; ; attempt++)
        {
            // The next number after the highest given, so a deleted draft's reference is never given again.
            var highest = await db.Applications.Where(a => a.Reference.StartsWith(prefix)).OrderByDescending(a => a.Reference).Select(a => a.Reference).FirstOrDefaultAsync(ct);
            var next = highest is not null && int.TryParse(highest[prefix.Length..], out var n) ? n + 1 : 1;
            var application = new Application
            {
                Reference = $"{prefix}{next:D4}", FundId = fund.Id, RoundId = round!.Id, OrganisationId = organisationId,
                CreatedById = actor.UserId!, CreatedAt = Now, UpdatedAt = Now, Version = 1,
            };
            Apply(application, input);
            db.Applications.Add(application);
            try
            {
                await db.SaveChangesAsync(ct);
                return application;
            }
            catch (DbUpdateException) when (attempt < 10)
            {
                // Everything this save was adding (the draft, its budget lines and outcomes) goes with it.
                foreach (var entry in db.ChangeTracker.Entries().Where(e => e.State == EntityState.Added).ToList()) entry.State = EntityState.Detached;
                if (!await db.Applications.AnyAsync(a => a.Reference == application.Reference, ct)) throw;
            }
        }
    }

    /// <summary>
    /// The draft to continue rather than a new one, when this person already has an untouched draft
    /// for the fund (going back and pressing Continue again on the eligibility questions); else a new draft.
    /// </summary>
    public async Task<Application> StartOrResumeDraftAsync(Actor actor, int fundId, CancellationToken ct = default)
    {
        if (actor.OrganisationId is int organisationId && actor.UserId is string userId)
        {
            var untouched = await db.Applications
                .Where(a => a.OrganisationId == organisationId && a.FundId == fundId && a.CreatedById == userId && a.WorkflowInstanceId == null
                    && a.ProjectTitle == null && a.ProjectSummary == null && a.Innovation == null && a.Beneficiaries == null && a.AmountRequested == null
                    && a.StartDate == null && a.Districts == "" && !a.Budget.Any() && !a.Outcomes.Any())
                .OrderByDescending(a => a.Id).FirstOrDefaultAsync(ct);
            if (untouched is not null && await OpenRoundAsync(fundId, ct) is { } round && round.Id == untouched.RoundId) return untouched;
        }
        return await CreateDraftAsync(actor, new ApplicationInput { FundId = fundId }, ct);
    }

    /// <summary>Deletes a draft the organisation no longer wants, with its answers; returns its documents' ids so their files can go too.</summary>
    public async Task<IReadOnlyList<Guid>> DeleteDraftAsync(int id, Actor actor, CancellationToken ct = default)
    {
        var application = await OwnAsync(id, actor, ct);
        if (application.WorkflowInstanceId is not null)
            throw new ConflictException("This application has been submitted, so it cannot be deleted; you can withdraw it instead");
        var documents = await db.Set<Attachment>().Where(d => d.ApplicationId == id).Select(d => d.Id).ToListAsync(ct);
        db.Applications.Remove(application);
        await db.SaveChangesAsync(ct);
        return documents;
    }

    public async Task<Application> UpdateDraftAsync(int id, Actor actor, ApplicationInput input, int? expectedVersion = null, CancellationToken ct = default)
    {
        var application = await OwnAsync(id, actor, ct);
        if (application.WorkflowInstanceId is not null)
            throw new ConflictException("This application has been submitted, so it can no longer be changed");
        if (expectedVersion is int v && v != application.Version)
            throw new ConflictException("The application has changed since you opened it. Reload it to see the latest.");
        if (input.FundId is int fundId && fundId != application.FundId)
            throw new InputException(new Dictionary<string, string[]> { ["fundId"] = ["A draft stays with its fund; start a new application for another fund"] });
        var errors = new Errors();
        CheckFormat(input, application.Fund!, errors, Configuration.UkTime.DayOf(Now));
        errors.ThrowIfAny();
        Apply(application, input);
        application.UpdatedAt = Now;
        application.Version++;
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateConcurrencyException) { throw new ConflictException("Someone else saved this application at the same moment. Reload it to see the latest."); }
        return application;
    }

    /// <summary>Checks a draft's new answers as saving would, without saving: every problem at once.</summary>
    public void CheckDraft(Application application, ApplicationInput input)
    {
        var errors = new Errors();
        CheckFormat(input, application.Fund!, errors, Configuration.UkTime.DayOf(Now));
        errors.ThrowIfAny();
    }

    /// <summary>Checks the whole application, then submits it and starts its workflow, in one transaction.</summary>
    public async Task<Application> SubmitAsync(int id, Actor actor, bool declaration, CancellationToken ct = default)
    {
        var application = await OwnAsync(id, actor, ct);
        if (application.WorkflowInstanceId is not null)
            throw new ConflictException($"This application was already submitted on {application.SubmittedAt:d MMMM yyyy}");
        if (application.Round is null) throw new NotFoundException("The application's round no longer exists");
        var errors = Completeness(application, Configuration.UkTime.DayOf(Now));
        if (!declaration) errors.Add("declaration", "Confirm the declaration to submit your application");
        var round = application.Round!;
        if (!round.IsOpenAt(Now))
            errors.Add("roundId", Now < round.OpensAt
                ? $"{round.Name} opens on {Configuration.UkTime.DayOf(round.OpensAt):d MMMM yyyy}; you can submit from then"
                : $"{round.Name} closed at {round.Deadline}, so applications can no longer be submitted");
        errors.ThrowIfAny();

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        application.Declaration = true;
        application.SubmittedAt = Now;
        application.UpdatedAt = Now;
        application.Version++;
        var organisation = application.Organisation!;
        var contact = await db.Users.Where(u => u.Id == application.CreatedById).Select(u => new { u.Email, u.DisplayName }).SingleAsync(ct);
        var instance = await runtime.StartAsync(application.Fund!.WorkflowId, new WorkflowSubject(SubjectType, application.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), SubjectData(application))
        {
            Reference = application.Reference,
            Path = $"/Applicant/Applications/{application.Id}",
            OrganisationId = application.OrganisationId,
            ContactEmail = contact.Email,
            ContactName = contact.DisplayName,
            CaseId = application.Id,
        }, actor, ct: ct);
        application.WorkflowInstanceId = instance.Id;
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return application;
    }

    public async Task<TransitionResult> WithdrawAsync(int id, Actor actor, string? reason, CancellationToken ct = default)
    {
        var application = await OwnAsync(id, actor, ct);
        if (application.WorkflowInstanceId is not Guid instance)
            throw new ConflictException("A draft has not been submitted, so there is nothing to withdraw");
        return await runtime.FireAsync(instance, "withdraw", actor, reason, ct: ct);
    }

    /// <summary>
    /// The application if the actor may see it (the same rule as <c>Cases.CaseAccess</c>). Another organisation's
    /// application is "not found" (its existence is not theirs to know); staff see what their work
    /// needs: grant officers every application, assessors one they have declared no conflict of interest
    /// for, panel members those that come to the panel, finance officers those that became grants.
    /// </summary>
    public async Task<Application> ForReadingAsync(int id, Actor actor, CancellationToken ct = default)
    {
        var application = await Query().AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, ct)
            ?? throw new NotFoundException("No such application");
        if (actor.HasRole(Roles.GrantOfficer) || actor.HasRole(Roles.Administrator)) return application;
        if (actor.HasRole(Roles.Applicant) && actor.OrganisationId == application.OrganisationId) return application;
        var instance = application.WorkflowInstanceId;
        if (actor.HasRole(Roles.PanelMember) && instance is Guid decided && await db.InboxTasks.AnyAsync(t => t.InstanceId == decided && t.Role == Roles.PanelMember, ct))
            return application;
        if (actor.HasRole(Roles.FinanceOfficer) && await awarded.ApplicationIds.ContainsAsync(id, ct)) return application;
        if (actor.HasRole(Roles.Assessor))
        {
            if (instance is Guid assessed && await MayAssessorSeeAsync(db, assessed, actor, ct)) return application;
            throw new ForbiddenException("Declare whether you have a conflict of interest before you see this application");
        }
        if (actor.HasRole(Roles.PanelMember) || actor.HasRole(Roles.FinanceOfficer))
            throw new ForbiddenException(actor.HasRole(Roles.PanelMember)
                ? "Panel members see the applications that come to the panel"
                : "Finance officers see applications once they have become grants");
        throw new NotFoundException("No such application");
    }


    /// <summary>An assessor has declared no conflict on a task of this case (and holds it), or has completed one.</summary>
    public static Task<bool> MayAssessorSeeAsync(GrantDbContext db, Guid instanceId, Actor actor, CancellationToken ct = default) =>
        db.InboxTasks.AnyAsync(t => t.InstanceId == instanceId && ((t.AssigneeId == actor.UserId && t.ConflictDeclared) || t.CompletedById == actor.UserId), ct);

    /// <summary>draft, or the status of the workflow stage it is at.</summary>
    public static string StatusOf(Application application, WorkflowInstance? instance, WorkflowRegistry registry) =>
        instance is null ? ApplicationStatus.Draft
            : registry.Get(instance.DefinitionId, instance.DefinitionVersion).State(instance.State).Status ?? "submitted";

    public IQueryable<Application> Query() =>
        db.Applications.Include(a => a.Budget.OrderBy(l => l.Id)).Include(a => a.Outcomes.OrderBy(o => o.Id))
            .Include(a => a.Fund).ThenInclude(f => f!.Measures).Include(a => a.Round).Include(a => a.Organisation);

    private async Task<Application> OwnAsync(int id, Actor actor, CancellationToken ct)
    {
        var application = await Query().SingleOrDefaultAsync(a => a.Id == id, ct);
        if (application is null || !actor.HasRole(Roles.Applicant) || actor.OrganisationId != application.OrganisationId)
            throw new NotFoundException("No such application");
        return application;
    }

    private Task<Funds.Round?> OpenRoundAsync(int fundId, CancellationToken ct)
    {
        var now = Now;
        return db.Rounds.Where(r => r.FundId == fundId && r.OpensAt <= now && r.ClosesAt > now).OrderBy(r => r.ClosesAt).FirstOrDefaultAsync(ct);
    }

    public static IReadOnlyDictionary<string, object?> SubjectData(Application a) => new Dictionary<string, object?>
    {
        ["amountRequested"] = a.AmountRequested,
        ["projectTitle"] = a.ProjectTitle,
        ["organisationName"] = a.Organisation?.Name,
        ["fundName"] = a.Fund?.Name,
    };

    private void Apply(Application a, ApplicationInput input)
    {
        if (input.ProjectTitle is not null) a.ProjectTitle = Clean(input.ProjectTitle);
        if (input.ProjectSummary is not null) a.ProjectSummary = Clean(input.ProjectSummary);
        if (input.Innovation is not null) a.Innovation = Clean(input.Innovation);
        if (input.Beneficiaries is not null) a.Beneficiaries = Clean(input.Beneficiaries);
        if (input.Districts is not null) a.Districts = string.Join('|', input.Districts.Select(d => districts.Find(d)!.Name).Distinct());
        if (input.StartDate is not null) a.StartDate = input.StartDate;
        if (input.EndDate is not null) a.EndDate = input.EndDate;
        if (input.AmountRequested is not null) a.AmountRequested = input.AmountRequested;
        if (input.Budget is not null)
        {
            a.Budget.Clear();
            a.Budget.AddRange(input.Budget.Select(l => new BudgetLine { Item = l.Item!.Trim(), Amount = l.Amount!.Value }));
        }
        if (input.Outcomes is not null)
        {
            a.Outcomes.Clear();
            a.Outcomes.AddRange(input.Outcomes.Select(o => new OutcomeTarget { MeasureCode = o.Measure!.Trim(), Target = o.Target!.Value }));
        }
    }


    private static string? Clean(string text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    /// <summary>The largest outcome target taken: far more than any project reaches, and inside what storage holds.</summary>
    public const decimal LargestTarget = 10_000_000m;

    /// <summary>How far ahead a project may start: a later date is a typing mistake, not a plan.</summary>
    public const int LatestStartYears = 2;

    private void CheckFormat(ApplicationInput input, Funds.Fund fund, Errors errors, DateOnly today)
    {
        Length("projectTitle", input.ProjectTitle, 150, "Project title");
        Length("projectSummary", input.ProjectSummary, 3000, "Project summary");
        Length("innovation", input.Innovation, 3000, "What is innovative");
        Length("beneficiaries", input.Beneficiaries, 3000, "Who benefits");
        if (input.Districts is not null)
            foreach (var d in input.Districts.Where(d => districts.Find(d) is null))
                errors.Add("districts", $"'{d}' is not a district of {districts.Area.Name}; choose from {string.Join(", ", districts.Names)}");
        if (input.AmountRequested is decimal amount)
        {
            if (amount <= 0) errors.Add("amountRequested", "Amount requested must be more than £0");
            else if (decimal.Round(amount, 2) != amount) errors.Add("amountRequested", "Amount requested must be in pounds and pence, like 4,250 or 4,250.50");
            else if (amount < fund.MinimumAward || amount > fund.MaximumAward)
                errors.Add("amountRequested", $"Amount requested must be between {Core.Money.Format(fund.MinimumAward)} and {Core.Money.Format(fund.MaximumAward)}");
        }
        if (input.StartDate is DateOnly first)
        {
            if (first < today) errors.Add("startDate", $"The start date must be today or later: {first:d MMMM yyyy} has passed");
            else if (first > today.AddYears(LatestStartYears)) errors.Add("startDate", $"The start date must be within {LatestStartYears} years of today, by {today.AddYears(LatestStartYears):d MMMM yyyy}");
        }
        // With no start date to compare it with (none given, or not a real date), the end date is still judged on its own.
        if (input.EndDate is DateOnly last && input.StartDate is null)
        {
            if (last <= today) errors.Add("endDate", $"The end date must be after today: {last:d MMMM yyyy} has passed");
            else if (last > today.AddYears(LatestStartYears).AddMonths(fund.MaxProjectMonths))
                errors.Add("endDate", $"The end date must be no later than {today.AddYears(LatestStartYears).AddMonths(fund.MaxProjectMonths):d MMMM yyyy}");
        }
        if (input.StartDate is DateOnly start && input.EndDate is DateOnly end)
        {
            if (end <= start) errors.Add("endDate", "End date must be after the start date");
            // Twelve months from 1 April end on 31 March.
            else if (end > start.AddMonths(fund.MaxProjectMonths).AddDays(-1))
                errors.Add("endDate", $"Projects can last up to {fund.MaxProjectMonths} months; the end date must be no later than {start.AddMonths(fund.MaxProjectMonths).AddDays(-1):d MMMM yyyy}");
        }
        if (input.Budget is not null)
            for (var i = 0; i < input.Budget.Count; i++)
            {
                var line = input.Budget[i];
                if (line is null) { errors.Add($"budget[{i}]", $"Budget line {i + 1} is empty: give what the money is for and the amount"); continue; }
                if (string.IsNullOrWhiteSpace(line.Item)) errors.Add($"budget[{i}].item", $"Budget line {i + 1}: say what the money is for");
                else if (line.Item.Length > 200) errors.Add($"budget[{i}].item", $"Budget line {i + 1}: the description must be 200 characters or fewer");
                if (line.Amount is not decimal a || a <= 0) errors.Add($"budget[{i}].amount", $"Budget line {i + 1}: enter an amount more than £0");
                else if (a > Core.Money.Largest) errors.Add($"budget[{i}].amount", $"Budget line {i + 1}: the amount must be {Core.Money.Format(Core.Money.Largest)} or less");
                else if (decimal.Round(a, 2) != a) errors.Add($"budget[{i}].amount", $"Budget line {i + 1}: the amount must be in pounds and pence");
            }
        if (input.Outcomes is not null)
            for (var i = 0; i < input.Outcomes.Count; i++)
            {
                var o = input.Outcomes[i];
                if (o is null) { errors.Add($"outcomes[{i}]", $"Outcome {i + 1} is empty: choose a measure and set a target"); continue; }
                if (o.Measure is null || !fund.Measures.Any(m => m.Code == o.Measure.Trim()))
                    errors.Add($"outcomes[{i}].measure", $"Outcome {i + 1}: choose one of {string.Join(", ", fund.Measures.OrderBy(m => m.Order).Select(m => m.Code))}");
                var name = fund.Measures.FirstOrDefault(m => m.Code == o.Measure?.Trim())?.Name ?? $"Outcome {i + 1}";
                if (o.Target is not decimal t || t <= 0) errors.Add($"outcomes[{i}].target", $"{name}: enter a target more than 0");
                else if (t > LargestTarget) errors.Add($"outcomes[{i}].target", $"{name}: the target must be {LargestTarget:#,0} or less");
                else if (decimal.Round(t, 2) != t) errors.Add($"outcomes[{i}].target", $"{name}: the target can have at most 2 decimal places");
            }

        void Length(string field, string? value, int max, string label)
        {
            if (value is not null && value.Trim().Length > max) errors.Add(field, $"{label} must be {max} characters or fewer");
        }
    }

    /// <summary>Whether the draft has everything submission asks for, today.</summary>
    public bool IsReadyToSubmit(Application a) => !Completeness(a, Configuration.UkTime.DayOf(Now)).Any;

    /// <summary>What a submitted application must have, field by field.</summary>
    public static Errors Completeness(Application a, DateOnly today)
    {
        var errors = new Errors();
        if (a.ProjectTitle is null) errors.Add("projectTitle", "Enter a project title");
        if (a.ProjectSummary is null) errors.Add("projectSummary", "Enter a summary of the project");
        if (a.Innovation is null) errors.Add("innovation", "Say what is innovative about the project");
        if (a.Beneficiaries is null) errors.Add("beneficiaries", "Say who will benefit");
        if (a.DistrictList.Count == 0) errors.Add("districts", "Choose at least one district of Kent the project serves");
        if (a.StartDate is null) errors.Add("startDate", "Enter the project start date");
        else if (a.StartDate < today) errors.Add("startDate", $"The project's start date, {a.StartDate:d MMMM yyyy}, has passed: change it to today or later");
        if (a.EndDate is null) errors.Add("endDate", "Enter the project end date");
        if (a.AmountRequested is null) errors.Add("amountRequested", "Enter the amount you are asking for");
        if (a.Budget.Count == 0) errors.Add("budget", "Add at least one budget line");
        else if (a.AmountRequested is decimal amount && a.Budget.Sum(l => l.Amount) != amount)
            errors.Add("budget", $"The budget lines add up to {Core.Money.Format(a.Budget.Sum(l => l.Amount))} but you are asking for {Core.Money.Format(amount)}; they must be the same");
        if (a.Outcomes.Count == 0) errors.Add("outcomes", "Choose at least one outcome and set a target");
        if (a.Organisation is { } o && !Organisations.OrganisationProfile.IsComplete(o))
            errors.Add("organisation", "Complete your organisation's details: address, postcode, main contact and, for charities and companies, their registered numbers");
        return errors;
    }
}

