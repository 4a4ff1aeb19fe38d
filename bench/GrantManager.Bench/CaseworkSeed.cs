using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using GrantManager.Core.Applications;
using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using GrantManager.Core.Email;
using GrantManager.Core.Funds;
using GrantManager.Core.Grants;
using GrantManager.Core.Monitoring;
using GrantManager.Core.Organisations;
using GrantManager.Core.Places;
using GrantManager.Core.Workflows;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Bench;

/// <summary>
/// Fills a SQLite file with N applications as a council's casework would have them after a few years: the web
/// app itself creates the schema, the demo accounts and the Live Well Kent fund (started once over the new file);
/// then two more funds and their rounds, organisations with their applicant accounts, and applications at every
/// stage of the shipped grant-application workflow, each with the instance, tasks (done and open), timers,
/// history and emails that stage leaves, a fifth awarded with grants, payments (and their payment workflows)
/// and progress reports (and theirs). Rows are written through the model (its mappings and converters) as sets:
/// one prepared statement per kind of row, 2,000 applications to a transaction, keys given so rows refer to
/// each other (<see cref="SaveInSets"/>). The search index is filled by the database's own triggers.
/// </summary>
internal static class CaseworkSeed
{
    private const int Batch = 2000;

    /// <summary>The kinds written, in an order where each row comes after those it refers to.</summary>
    private static readonly Type[] Kinds =
    [
        typeof(Organisation), typeof(User), typeof(IdentityUserRole<string>), typeof(WorkflowInstance), typeof(Application), typeof(ApplicationDistrict), typeof(BudgetLine),
        typeof(OutcomeTarget), typeof(InboxTask), typeof(InboxTaskExclusion), typeof(WorkflowTimer), typeof(WorkflowHistoryEntry), typeof(OutboxEmail), typeof(Grant),
        typeof(Instalment), typeof(MonitoringReturn),
    ];

    public static async Task<int> RunAsync(int applications, string database)
    {
        var watch = Stopwatch.StartNew();
        foreach (var f in new[] { database, database + "-wal", database + "-shm" }) File.Delete(f);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(database))!);
        Console.WriteLine($"Seeding {applications:N0} applications into {database} ({Environment.ProcessorCount} cores, load average {WebApp.LoadAverage()})");
        // The app's own start-up makes the schema (every migration, the search index and its triggers), the roles and the demo accounts.
        await using (var app = await WebApp.StartAsync(database)) { }
        Console.WriteLine($"  schema and demo accounts made by the app in {watch.Elapsed.TotalSeconds:N1} s");

        var options = new DbContextOptionsBuilder<SqliteGrantDbContext>().UseSqlite($"Data Source={database}").Options;
        var world = await World.LoadAsync(options);
        var counts = new Dictionary<Type, int>();
        for (var start = 0; start < applications; start += Batch)
        {
            await using var db = new SqliteGrantDbContext(options);
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            var cases = new CaseWriter(db, world);
            for (var i = start; i < Math.Min(applications, start + Batch); i++) cases.Add(i);
            foreach (var kind in db.ChangeTracker.Entries().GroupBy(e => e.Metadata.ClrType))
                counts[kind.Key] = counts.GetValueOrDefault(kind.Key) + kind.Count();
            await using var tx = await db.Database.BeginTransactionAsync();
            if (!await SaveInSets.TryWriteAsync(db, Kinds, default, withKeys: true))
                throw new InvalidOperationException("The seed's rows could not be written as sets");
            await tx.CommitAsync();
            if ((start / Batch) % 10 == 9) Console.WriteLine($"    {start + Batch:N0} applications written, {watch.Elapsed.TotalSeconds:N0} s");
        }
        Console.WriteLine($"  rows written: {string.Join(", ", counts.OrderBy(c => Array.IndexOf(Kinds, c.Key)).Select(c => $"{c.Value:N0} {Name(c.Key)}"))}");

        // The register's search reads the index the triggers keep: a seeded organisation's name and postcode must find it.
        await using (var db = new SqliteGrantDbContext(options))
        {
            var sample = await db.Applications.Where(a => a.Id == world.FirstApplicationId + applications / 2).Select(a => new { a.Reference, a.Organisation!.Name, a.Organisation.Postcode }).SingleAsync();
            var words = ApplicationRegister.Words($"{sample.Name} {sample.Postcode}");
            var match = string.Join(" ", words.Select(w => $"\"{w}\"*"));
            var found = await db.Database.SqlQuery<int>($"""SELECT count(*) AS "Value" FROM "ApplicationSearch" WHERE "ApplicationSearch" MATCH {match}""").SingleAsync();
            var indexed = await db.Database.SqlQueryRaw<int>("SELECT count(*) AS Value FROM ApplicationSearch").SingleAsync();
            Console.WriteLine($"  search index: {indexed:N0} rows; \"{sample.Name} {sample.Postcode}\" finds {found} application(s)");
            if (found == 0 || indexed < applications) { Console.WriteLine("  SEARCH INDEX NOT FILLED"); return 1; }
        }
        await using (var connection = new SqliteConnection($"Data Source={database}"))
        {
            await connection.OpenAsync();
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            await cmd.ExecuteNonQueryAsync();
        }
        SqliteConnection.ClearAllPools();
        Console.WriteLine($"  seeded in {watch.Elapsed.TotalSeconds:N1} s, {new FileInfo(database).Length / 1024.0 / 1024.0:N0} MB; sign in as {DemoData.Staff[0].Email} (password {DemoData.Password})");
        return 0;
    }

    private static string Name(Type t) => t == typeof(IdentityUserRole<string>) ? "UserRoles" : t.Name + "s";

    /// <summary>What every case refers to: funds, rounds, staff, districts, the workflow definitions, the next free keys.</summary>
    internal sealed class World
    {
        public required List<Fund> Funds { get; init; }
        public required List<Round> OpenRounds { get; init; }
        public required List<Round> PastRounds { get; init; }
        public required Dictionary<string, (string Id, string Name)> Staff { get; init; }
        public required string[] Districts { get; init; }
        public required string ApplicantRoleId { get; init; }
        public required string PasswordHash { get; init; }
        public required JsonObject Application { get; init; }
        public required JsonObject Return { get; init; }
        public required JsonObject Payment { get; init; }
        public required string[] Measures { get; init; }
        public required DateTime Now { get; init; }
        public int FirstApplicationId { get; init; }
        public int NextOrganisation, NextApplication, NextBudget, NextOutcome, NextGrant, NextInstalment, NextReturn;
        public long NextTask, NextTimer, NextHistory;

        public static async Task<World> LoadAsync(DbContextOptions<SqliteGrantDbContext> options)
        {
            await using var db = new SqliteGrantDbContext(options);
            var now = DateTime.UtcNow;
            var lwk = await db.Funds.Include(f => f.Rounds).Include(f => f.Measures).SingleAsync(f => f.Code == "LWK");
            // Two earlier rounds of the demo fund, and two more funds with a round open and two closed.
            lwk.Rounds.Add(new Round { Name = $"Round 1 {now.Year - 2}", OpensAt = now.AddDays(-760), ClosesAt = now.AddDays(-700), Budget = 300_000m });
            lwk.Rounds.Add(new Round { Name = $"Round 1 {now.Year - 1}", OpensAt = now.AddDays(-395), ClosesAt = now.AddDays(-335), Budget = 300_000m });
            var more = new[]
            {
                new Fund { Code = "KCR", Name = "Kent community resilience fund", Summary = "Grants of up to £25,000 for community buildings and services that help places recover from floods, storms and hard winters.",
                    MinimumAward = 1_000m, MaximumAward = 25_000m, Budget = 2_000_000m, WorkflowId = "grant-application", CreatedAt = now.AddDays(-800) },
                new Fund { Code = "WSK", Name = "Warm spaces small grants", Summary = "Grants of up to £3,000 for warm, welcoming spaces open to anyone through the winter.",
                    MinimumAward = 250m, MaximumAward = 3_000m, Budget = 400_000m, WorkflowId = "grant-application", CreatedAt = now.AddDays(-800) },
            };
            foreach (var fund in more)
            {
                fund.Rounds.Add(new Round { Name = $"Round 1 {now.Year - 2}", OpensAt = now.AddDays(-740), ClosesAt = now.AddDays(-680), Budget = fund.Budget / 4 });
                fund.Rounds.Add(new Round { Name = $"Round 1 {now.Year - 1}", OpensAt = now.AddDays(-380), ClosesAt = now.AddDays(-320), Budget = fund.Budget / 4 });
                fund.Rounds.Add(new Round { Name = $"Round 1 {now.Year}", OpensAt = now.AddDays(-30), ClosesAt = now.AddDays(60), Budget = fund.Budget / 4 });
            }
            db.Funds.AddRange(more);
            await db.SaveChangesAsync();
            var funds = await db.Funds.Include(f => f.Rounds).OrderBy(f => f.Id).ToListAsync();
            var rounds = funds.SelectMany(f => f.Rounds).ToList();
            var staff = new Dictionary<string, (string, string)>();
            foreach (var (email, name, _) in DemoData.Staff)
                staff[email] = (await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync(), name);
            var workflows = BenchHost.FindRepositoryWorkflows();
            JsonObject Definition(string id) => JsonNode.Parse(File.ReadAllText(Path.Combine(workflows, id + ".json")))!.AsObject();
            static async Task<int> Next(IQueryable<int> ids) => (await ids.MaxAsync(id => (int?)id) ?? 0) + 1;
            static async Task<long> NextLong(IQueryable<long> ids) => (await ids.MaxAsync(id => (long?)id) ?? 0) + 1;
            var firstApplication = await Next(db.Applications.Select(a => a.Id));
            return new World
            {
                Funds = funds, Now = now,
                OpenRounds = rounds.Where(r => r.IsOpenAt(now)).ToList(),
                PastRounds = rounds.Where(r => r.ClosesAt <= now).ToList(),
                Staff = staff,
                Districts = GrantManager.Core.Places.Districts.Load(workflows).All.Select(d => d.Name).ToArray(),
                ApplicantRoleId = await db.Roles.Where(r => r.Name == Roles.Applicant).Select(r => r.Id).SingleAsync(),
                PasswordHash = await db.Users.Where(u => u.Email == DemoData.Staff[0].Email).Select(u => u.PasswordHash!).SingleAsync(),
                Application = Definition("grant-application"), Return = Definition("monitoring-return"), Payment = Definition("instalment-payment"),
                Measures = lwk.Measures.Select(m => m.Code).ToArray(),
                FirstApplicationId = firstApplication,
                NextOrganisation = await Next(db.Organisations.Select(x => x.Id)), NextApplication = firstApplication, NextBudget = await Next(db.Set<BudgetLine>().Select(x => x.Id)),
                NextOutcome = await Next(db.Set<OutcomeTarget>().Select(x => x.Id)), NextGrant = await Next(db.Grants.Select(x => x.Id)),
                NextInstalment = await Next(db.Set<Instalment>().Select(x => x.Id)), NextReturn = await Next(db.Set<MonitoringReturn>().Select(x => x.Id)),
                NextTask = await NextLong(db.InboxTasks.Select(x => x.Id)), NextTimer = await NextLong(db.WorkflowTimers.Select(x => x.Id)),
                NextHistory = await NextLong(db.WorkflowHistory.Select(x => x.Id)),
            };
        }
    }

    /// <summary>Makes one case's rows, as the workflow would have left them at its stage, and adds them to the context.</summary>
    private sealed class CaseWriter(SqliteGrantDbContext db, World w)
    {
        private static readonly string[] Places = ["Ashford", "Canterbury", "Dartford", "Deal", "Dover", "Faversham", "Folkestone", "Gravesend", "Herne Bay", "Hythe",
            "Maidstone", "Margate", "Ramsgate", "Sevenoaks", "Sheerness", "Sittingbourne", "Tonbridge", "Tunbridge Wells", "Whitstable", "Westerham", "Edenbridge",
            "Cranbrook", "Tenterden", "Sandwich", "Broadstairs", "Swanley", "Snodland", "Aylesford", "Rochester", "Chatham", "Minster", "Birchington", "Paddock Wood",
            "Headcorn", "Hawkinge", "Lydd", "New Romney", "Wye", "Staplehurst", "Marden"];
        private static readonly string[] Qualifiers = ["Riverside", "Old Town", "North", "South", "East", "West", "Harbour", "Valley", "Hillside", "Marsh", "Parkside",
            "Station", "Village", "Castle", "Downs", "Green", "Bridge", "Church", "Seafront", "Orchard", "Meadow", "Forest", "Priory", "Abbey", "Millbrook"];
        private static readonly string[] Themes = ["Youth", "Men's Shed", "Carers", "Food Bank", "Dementia Friends", "Gardening", "Walking Football", "Arts", "Music",
            "Wellbeing", "Befriending", "Repair Cafe", "Family Hub", "Community Kitchen", "Sea Cadets", "Drama", "Boxing", "Dance", "Allotment", "Chess", "Knit and Natter",
            "Veterans", "Parents", "Bereavement", "Mental Health"];
        private static readonly string[] Kinds = ["Trust", "Association", "Club", "CIC", "Project", "Network", "Collective", "Group", "Society", "Partnership"];
        private static readonly (string Area, int From, int To)[] Postcodes = [("CT", 1, 21), ("ME", 1, 20), ("TN", 1, 30), ("DA", 1, 18), ("BR", 5, 8)];
        private const string Letters = "ABDEFGHJLNPQRSTUWXYZ";
        private static readonly (string Stage, int Weight)[] Stages =
        [
            ("draft", 10), ("eligibility", 12), ("more-information", 3), ("assessment", 12), ("delegated-decision", 4), ("panel-decision", 3), ("offer", 4),
            ("awarded", 21), ("rejected", 21), ("declined", 3), ("withdrawn", 7),
        ];
        private static readonly int TotalWeight = Stages.Sum(s => s.Weight);

        private int _organisation = -1;
        private Organisation _org = null!;
        private User _contact = null!;

        /// <summary>Organisations apply again: application i belongs to organisation i × 3 / 5, so three in five are their first.</summary>
        public void Add(int i)
        {
            var random = new Random(i);
            var orgIndex = i * 3 / 5;
            if (orgIndex != _organisation) AddOrganisation(orgIndex);
            _organisation = orgIndex;

            var roll = random.Next(TotalWeight);
            var stage = Stages.First(s => (roll -= s.Weight) < 0).Stage;
            var early = stage is "draft" or "eligibility" or "more-information" || (stage == "assessment" && random.Next(2) == 0);
            var round = early ? w.OpenRounds[i % w.OpenRounds.Count] : w.PastRounds[i % w.PastRounds.Count];
            var fund = w.Funds.Single(f => f.Id == round.FundId);
            var span = (long)(Min(round.ClosesAt, w.Now) - round.OpensAt).TotalSeconds;
            var submitted = round.OpensAt.AddSeconds(random.NextInt64(Math.Max(1, span - 3600)));
            var amount = Math.Round(fund.MinimumAward + (decimal)random.NextDouble() * (fund.MaximumAward - fund.MinimumAward), 0);
            var id = w.NextApplication++;
            var districts = Enumerable.Range(0, 1 + random.Next(3)).Select(_ => w.Districts[random.Next(w.Districts.Length)]).Distinct().ToList();
            var theme = Themes[(orgIndex / (Places.Length * Qualifiers.Length)) % Themes.Length];
            var application = new Application
            {
                Id = id, Reference = $"{fund.Code}-{submitted.Year}-{i + 1:D6}", FundId = fund.Id, RoundId = round.Id, OrganisationId = _org.Id, CreatedById = _contact.Id,
                ProjectTitle = $"{theme} {ProjectWords[random.Next(ProjectWords.Length)]} in {districts[0]}",
                ProjectSummary = $"Weekly {theme.ToLowerInvariant()} sessions for people in {string.Join(" and ", districts)} who are lonely or struggling, run by volunteers with a paid coordinator.",
                Innovation = "We will try drop-in sessions at times and places people already go to, and learn from what works.",
                Beneficiaries = $"About {50 + random.Next(400)} residents, many of them carers or living alone.",
                StartDate = DateOnly.FromDateTime(submitted.AddDays(90)), EndDate = DateOnly.FromDateTime(submitted.AddDays(455)),
                AmountRequested = amount, Declaration = stage != "draft", CreatedAt = submitted.AddDays(-random.Next(1, 20)), UpdatedAt = submitted,
                SubmittedAt = stage == "draft" ? null : submitted, Version = 1,
            };
            db.Add(application);
            for (var d = 0; d < districts.Count; d++) db.Add(new ApplicationDistrict { ApplicationId = id, District = districts[d], Position = d });
            var budget = new[] { ("Coordinator's hours", 0.5m), ("Venue hire", 0.3m), ("Materials and refreshments", 0.2m) };
            foreach (var (item, share) in budget) db.Add(new BudgetLine { Id = w.NextBudget++, ApplicationId = id, Item = item, Amount = Math.Round(amount * share, 0) });
            db.Add(new OutcomeTarget { Id = w.NextOutcome++, ApplicationId = id, MeasureCode = w.Measures[0], Target = 40 + random.Next(200) });
            db.Add(new OutcomeTarget { Id = w.NextOutcome++, ApplicationId = id, MeasureCode = w.Measures[2], Target = 3 + random.Next(20) });
            if (stage == "draft") return;

            var path = Path(stage, amount, random);
            var instance = Instance("grant-application", w.Application, ApplicationService.SubjectType, id.ToString(System.Globalization.CultureInfo.InvariantCulture), application.Reference, $"/Applicant/Applications/{id}", id,
                new JsonObject { ["amountRequested"] = amount, ["projectTitle"] = application.ProjectTitle, ["organisationName"] = _org.Name, ["fundName"] = fund.Name },
                submitted, path, random, w.Now);
            application.WorkflowInstanceId = instance.Id;
            if (stage == "awarded") AddGrant(application, fund, instance, random);
        }

        private static readonly string[] ProjectWords = ["together", "for all", "at home", "out and about", "connect", "in the community", "open doors", "club", "hub", "sessions"];

        private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

        /// <summary>The stages a case went through to reach its present one, with the trigger that left each.</summary>
        private static List<(string State, string? Trigger)> Path(string stage, decimal amount, Random random)
        {
            var decision = amount <= 5000 ? "delegated-decision" : "panel-decision";
            List<(string, string?)> to(params (string, string?)[] steps) => steps.ToList();
            return stage switch
            {
                "eligibility" => to(("eligibility", null)),
                "more-information" => to(("eligibility", "more-information-needed"), ("more-information", null)),
                "assessment" => to(("eligibility", "eligible"), ("assessment", null)),
                "delegated-decision" or "panel-decision" => to(("eligibility", "eligible"), ("assessment", "fund"), (decision, null)),
                "offer" => to(("eligibility", "eligible"), ("assessment", "fund"), (decision, "approve"), ("offer", null)),
                "awarded" => to(("eligibility", "eligible"), ("assessment", "fund"), (decision, "approve"), ("offer", "accept"), ("awarded", null)),
                "declined" => to(("eligibility", "eligible"), ("assessment", "fund"), (decision, "approve"), ("offer", "decline"), ("declined", null)),
                "rejected" when random.Next(3) == 0 => to(("eligibility", "ineligible"), ("rejected", null)),
                "rejected" => to(("eligibility", "eligible"), ("assessment", "do-not-fund"), (decision, "reject"), ("rejected", null)),
                _ => to(("eligibility", "withdraw"), ("withdrawn", null)),
            };
        }

        private void AddOrganisation(int n)
        {
            var place = Places[n % Places.Length];
            var qualifier = Qualifiers[(n / Places.Length) % Qualifiers.Length];
            var theme = Themes[(n / (Places.Length * Qualifiers.Length)) % Themes.Length];
            var kind = Kinds[(n / (Places.Length * Qualifiers.Length * Themes.Length)) % Kinds.Length];
            var round = n / (Places.Length * Qualifiers.Length * Themes.Length * Kinds.Length);
            var name = $"{place} {qualifier} {theme} {kind}" + (round > 0 ? $" {round + 1}" : "");
            var type = (OrganisationType)(n % 5);
            var (area, from, to) = Postcodes[n % Postcodes.Length];
            var postcode = $"{area}{from + n / 7 % (to - from + 1)} {n % 10}{Letters[n / 3 % Letters.Length]}{Letters[n / 11 % Letters.Length]}";
            var slug = new string(name.ToLowerInvariant().Where(char.IsLetterOrDigit).ToArray());
            _org = new Organisation
            {
                Id = w.NextOrganisation++, Name = name, Type = type, AddressLine1 = $"{1 + n % 120} {qualifier} Road", Town = place, Postcode = postcode,
                CharityNumber = type is OrganisationType.Charity or OrganisationType.CharitableIncorporatedOrganisation ? (1_000_000 + n * 7 % 199_999 * 5 + n % 5).ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
                CompanyNumber = type is OrganisationType.CommunityInterestCompany or OrganisationType.CompanyLimitedByGuarantee ? (10_000_000 + n).ToString("D8", System.Globalization.CultureInfo.InvariantCulture)[1..] .PadLeft(8, '0') : null,
                ContactName = $"{FirstNames[n % FirstNames.Length]} {Surnames[n / FirstNames.Length % Surnames.Length]}", ContactEmail = $"contact{n}@{slug}.org.uk",
                ContactPhone = $"01{n % 900 + 100} {n % 1_000_000:D6}", CreatedAt = w.Now.AddDays(-900 + n % 800),
            };
            var email = _org.ContactEmail!;
            _contact = new User
            {
                Id = Guid.NewGuid().ToString(), UserName = email, NormalizedUserName = email.ToUpperInvariant(), Email = email, NormalizedEmail = email.ToUpperInvariant(),
                EmailConfirmed = true, PasswordHash = w.PasswordHash, SecurityStamp = Guid.NewGuid().ToString("N").ToUpperInvariant(), ConcurrencyStamp = Guid.NewGuid().ToString(),
                DisplayName = _org.ContactName!, OrganisationId = _org.Id, CreatedAt = _org.CreatedAt,
            };
            db.AddRange(_org, _contact, new IdentityUserRole<string> { UserId = _contact.Id, RoleId = w.ApplicantRoleId });
        }

        private static readonly string[] FirstNames = ["Amira", "Ben", "Chloe", "Dev", "Ellie", "Femi", "Grace", "Harry", "Isla", "Jack", "Kiran", "Leah", "Mo", "Nia", "Owen", "Priya", "Rosa", "Sam", "Tom", "Zara"];
        private static readonly string[] Surnames = ["Smith", "Jones", "Patel", "Okafor", "Williams", "Brown", "Taylor", "Khan", "Evans", "Murphy", "Hughes", "Clarke", "Ali", "Walker", "Wright", "Green", "Baker", "Hall", "Wood", "Kaur"];

        /// <summary>
        /// An instance that went through the given stages: the tasks of every stage done (by the right people, with outcomes),
        /// the present stage's open with its timers pending, a history entry for each step and the emails each stage sends.
        /// </summary>
        private WorkflowInstance Instance(string definitionId, JsonObject definition, string subjectType, string subjectId, string reference, string path, int caseId,
            JsonObject data, DateTime started, List<(string State, string? Trigger)> steps, Random random, DateTime notAfter)
        {
            var states = definition["states"]!.AsObject();
            var last = steps[^1].State;
            var final = states[last]!["final"]?.GetValue<bool>() == true;
            var at = started;
            var instance = new WorkflowInstance
            {
                Id = Guid.CreateVersion7(new DateTimeOffset(started)), DefinitionId = definitionId, DefinitionVersion = definition["version"]!.GetValue<int>(),
                SubjectType = subjectType, SubjectId = subjectId, SubjectReference = reference, SubjectPath = path, OrganisationId = _org.Id,
                ContactEmail = _contact.Email, ContactName = _contact.DisplayName, CaseId = caseId, CreatedAt = started, Data = "{}",
            };
            db.Add(instance);
            History(instance, at, _contact.Id, _contact.DisplayName, HistoryKinds.Started, null, steps[0].State, null, null);
            for (var s = 0; s < steps.Count; s++)
            {
                var (state, trigger) = steps[s];
                var entry = s + 1;
                var stateJson = states[state]!.AsObject();
                foreach (var email in stateJson["emails"]?.AsArray() ?? [])
                    Email(subjectType, subjectId, email!["template"]!.GetValue<string>(), email["to"]!.GetValue<string>(), reference, at);
                var open = trigger is null && !final;
                // Steps after the first happen days apart; the present stage was entered no later than now.
                var leftAt = open ? at : Min(at.AddHours(6 + random.Next(24 * 12)), notAfter.AddHours(-1));
                foreach (var taskJson in stateJson["tasks"]?.AsArray() ?? [])
                {
                    var task = taskJson!.AsObject();
                    var count = task["count"]?.GetValue<int>() ?? 1;
                    var role = task["role"]!.GetValue<string>();
                    var copies = new List<InboxTask>();
                    for (var c = 0; c < count; c++)
                    {
                        var (personId, personName) = Person(role, c);
                        var done = !open || (count > 1 && c == 0 && random.Next(2) == 0);
                        var due = task["due"] is { } d ? at.Add(XmlConvert.ToTimeSpan(d.GetValue<string>())) : (DateTime?)null;
                        var outcomes = task["outcomes"]!.AsArray().Select(o => o!.GetValue<string>()).ToList();
                        var outcome = trigger is not null && outcomes.Contains(trigger) ? trigger : outcomes[0];
                        var assigned = done || random.Next(3) == 0;
                        var inbox = new InboxTask
                        {
                            Id = w.NextTask++, InstanceId = instance.Id, State = state, StageEntry = entry, TaskKey = task["id"]!.GetValue<string>(),
                            Title = task["title"]!.GetValue<string>(), Role = role, Outcomes = string.Join('|', outcomes), Form = task["form"]?.GetValue<string>(),
                            RequiresConflictDeclaration = task["requiresConflictDeclaration"]?.GetValue<bool>() == true, CreatedAt = at, DueAt = due,
                            AssigneeId = assigned ? personId : null, AssigneeName = assigned ? personName : null,
                            ConflictDeclared = assigned && task["requiresConflictDeclaration"]?.GetValue<bool>() == true,
                            Status = trigger == "withdraw" && s == steps.Count - 2 ? InboxTaskStatus.Cancelled : done ? InboxTaskStatus.Completed : InboxTaskStatus.Open,
                            Version = done ? 3 : 1,
                        };
                        if (inbox.Status == InboxTaskStatus.Completed)
                        {
                            var doneAt = open ? at.AddHours(2 + random.Next(48)) : leftAt.AddMinutes(-c - 1);
                            (inbox.Outcome, inbox.CompletedById, inbox.CompletedByName, inbox.CompletedAt) = (outcome, personId, personName, Min(doneAt, notAfter));
                            inbox.Comment = role == Roles.Applicant ? null : $"{Capital(outcome.Replace('-', ' '))}: the evidence supports it.";
                            if (inbox.Form == "assessment")
                                inbox.Data = new JsonObject { ["scores"] = new JsonObject { ["1"] = 1 + random.Next(5), ["2"] = 1 + random.Next(5), ["3"] = 1 + random.Next(5), ["4"] = 1 + random.Next(5) },
                                    ["weightedScore"] = Math.Round(1 + (decimal)random.NextDouble() * 4, 2) }.ToJsonString();
                            History(instance, inbox.CompletedAt!.Value, personId, personName, HistoryKinds.TaskCompleted, state, null, outcome, inbox.Comment);
                        }
                        else if (inbox.AssigneeId is not null)
                            History(instance, at.AddMinutes(30), personId, personName, HistoryKinds.TaskClaimed, state, null, null, null);
                        db.Add(inbox);
                        copies.Add(inbox);
                        if (open && inbox.Status == InboxTaskStatus.Open)
                            foreach (var timer in stateJson["timers"]?.AsArray() ?? [])
                                if (timer!["from"]?.GetValue<string>() == "taskDue") Timer(instance, state, entry, timer["id"]!.GetValue<string>(), inbox.Id, random);
                    }
                    // Whoever holds or did one copy may not take an open other, as the runtime records when they take it.
                    foreach (var other in copies.Where(t => t.Status == InboxTaskStatus.Open))
                        foreach (var holder in copies.Where(t => t != other).SelectMany(t => new[] { t.AssigneeId, t.CompletedById }).OfType<string>().Distinct())
                            db.Add(new InboxTaskExclusion { TaskId = other.Id, UserId = holder });
                }
                if (open)
                    foreach (var timer in stateJson["timers"]?.AsArray() ?? [])
                        if (timer!["from"]?.GetValue<string>() != "taskDue") Timer(instance, state, entry, timer["id"]!.GetValue<string>(), null, random);
                if (trigger is not null)
                {
                    var (actorId, actorName) = trigger == "withdraw" ? (_contact.Id, _contact.DisplayName) : (null, "System");
                    History(instance, leftAt, actorId, actorName, HistoryKinds.Transition, state, steps[s + 1].State, trigger, null);
                    at = leftAt;
                }
            }
            instance.State = last;
            instance.StageEntry = steps.Count;
            instance.StageEnteredAt = at;
            instance.UpdatedAt = at;
            instance.CompletedAt = final ? at : null;
            instance.Version = steps.Count * 2;
            if (last is "offer" or "awarded" or "declined") data["amountAwarded"] = data["amountRequested"]!.DeepClone();
            instance.Data = data.ToJsonString();
            return instance;
        }

        private static string Capital(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

        private (string? Id, string Name) Person(string role, int copy) => role switch
        {
            Roles.GrantOfficer => w.Staff["officer@example.org"],
            Roles.Assessor => copy == 0 ? w.Staff["assessor@example.org"] : w.Staff["assessor2@example.org"],
            Roles.PanelMember => w.Staff["panel@example.org"],
            Roles.FinanceOfficer => w.Staff["finance@example.org"],
            _ => (_contact.Id, _contact.DisplayName),
        };

        private void History(WorkflowInstance instance, DateTime at, string? actorId, string actorName, string kind, string? from, string? to, string? trigger, string? comment) =>
            db.Add(new WorkflowHistoryEntry { Id = w.NextHistory++, InstanceId = instance.Id, At = at, ActorId = actorId, ActorName = actorName, Kind = kind, FromState = from, ToState = to, Trigger = trigger, Comment = comment });

        /// <summary>Pending, and not due during a benchmark run (the app's timer processor runs beside it).</summary>
        private void Timer(WorkflowInstance instance, string state, int entry, string key, long? task, Random random)
        {
            var due = w.Now.AddDays(1 + random.Next(20)).AddMinutes(random.Next(1440));
            db.Add(new WorkflowTimer { Id = w.NextTimer++, InstanceId = instance.Id, State = state, StageEntry = entry, TimerKey = key, TaskId = task, DueAt = due, RunAt = due, Status = WorkflowTimerStatus.Pending });
        }

        private void Email(string subjectType, string subjectId, string template, string to, string reference, DateTime at)
        {
            var staff = to.StartsWith("role:", StringComparison.Ordinal);
            var (address, name) = staff ? ("officer@example.org", "Olivia Officer") : (_contact.Email!, _contact.DisplayName);
            var subject = $"{Capital(template.Replace('-', ' '))}: {reference}";
            var text = $"Dear {name},\n\nThis is about {reference} ({_org.Name}).\n\n{subject}.\n\nKent County Council grants team";
            db.Add(new OutboxEmail
            {
                Id = Guid.CreateVersion7(new DateTimeOffset(at)), ToAddress = address, ToName = name, Subject = subject, Template = template, TextBody = text,
                HtmlBody = "<p class=\"govuk-body\">" + System.Net.WebUtility.HtmlEncode(text).Replace("\n\n", "</p><p class=\"govuk-body\">") + "</p>",
                SubjectType = subjectType, SubjectId = subjectId, Status = OutboxStatus.Sent, Attempts = 1, CreatedAt = at, NextAttemptAt = at, SentAt = at.AddSeconds(5),
            });
        }

        /// <summary>The grant an accepted offer makes: its payments (the first paid, a later one waiting for finance in some) and its quarterly progress reports.</summary>
        private void AddGrant(Application application, Fund fund, WorkflowInstance about, Random random)
        {
            var awardedAt = about.StageEnteredAt;
            var amount = application.AmountRequested!.Value;
            var grant = new Grant
            {
                Id = w.NextGrant++, Reference = application.Reference, ApplicationId = application.Id, FundId = fund.Id, OrganisationId = _org.Id, Amount = amount,
                StartDate = DateOnly.FromDateTime(awardedAt.AddDays(14)), EndDate = DateOnly.FromDateTime(awardedAt.AddDays(14)).AddMonths(12).AddDays(-1),
                AwardedAt = awardedAt,
            };
            db.Add(grant);
            var today = DateOnly.FromDateTime(w.Now);
            var returns = Enumerable.Range(1, 4).Select(q =>
            {
                var end = grant.StartDate.AddMonths(3 * q).AddDays(-1);
                return new MonitoringReturn
                {
                    Id = w.NextReturn++, GrantId = grant.Id, Sequence = q, Period = $"Quarter to {end:d MMMM yyyy}", PeriodStart = grant.StartDate.AddMonths(3 * (q - 1)), PeriodEnd = end,
                    DueOn = end.AddDays(28), DueAt = UkTime.EndOfDay(end.AddDays(28)), IsFinal = q == 4, ReleasesInstalment = q switch { 2 => 2, 4 => 3, _ => null }, Version = 1,
                };
            }).ToList();
            var paid = new HashSet<int> { 1 };
            foreach (var r in returns)
            {
                var opensOn = r.PeriodEnd.AddDays(1);
                List<(string, string?)> steps;
                ReturnStatus reached;
                if (today < opensOn) (reached, steps) = (ReturnStatus.Upcoming, [("upcoming", null)]);
                else if (today <= r.DueOn || random.Next(6) == 0) (reached, steps) = (ReturnStatus.Due, [("upcoming", "open"), ("due", null)]);
                else if (random.Next(8) == 0) (reached, steps) = (ReturnStatus.Submitted, [("upcoming", "open"), ("due", "submit"), ("review", null)]);
                else (reached, steps) = (ReturnStatus.Accepted, [("upcoming", "open"), ("due", "submit"), ("review", "accept-report"), ("accepted", null)]);
                if (reached != ReturnStatus.Upcoming) r.MoveTo(ReturnStatus.Due);
                if (reached is ReturnStatus.Submitted or ReturnStatus.Accepted)
                {
                    r.MoveTo(ReturnStatus.Submitted);
                    r.SubmittedAt = UkTime.StartOfDay(r.DueOn.AddDays(-random.Next(10))).AddHours(10);
                    r.Progress = "Sessions ran every week; numbers grew after the first month.";
                    r.BeneficiariesReached = 20 + random.Next(150);
                    if (reached == ReturnStatus.Accepted) { r.Accept(r.SubmittedAt.Value.AddDays(3)); if (r.ReleasesInstalment is int seq) paid.Add(seq); }
                }
                var data = new JsonObject { ["grantReference"] = grant.Reference, ["period"] = r.Period, ["dueOn"] = GrantWorkflows.DayText(r.DueOn), ["dueAt"] = r.DueAt,
                    ["isFinal"] = r.IsFinal, ["releasesInstalment"] = r.ReleasesInstalment is not null, ["projectTitle"] = application.ProjectTitle, ["organisationName"] = _org.Name, ["fundName"] = fund.Name };
                var instance = Instance("monitoring-return", w.Return, GrantWorkflows.ReturnSubject, r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{grant.Reference}/R{r.Sequence}", $"/Applicant/Returns/{r.Id}",
                    application.Id, data, awardedAt, steps, random, w.Now);
                r.WorkflowInstanceId = instance.Id;
                db.Add(r);
            }
            foreach (var instalment in PaymentPlan.Split(amount, fund.PaymentPlan, awardedAt))
            {
                instalment.Id = w.NextInstalment++;
                instalment.GrantId = grant.Id;
                instalment.Version = 1;
                var released = instalment.Sequence == 1 || paid.Contains(instalment.Sequence);
                if (released)
                {
                    var settled = instalment.Sequence == 1 ? random.Next(10) != 0 : random.Next(3) != 0;
                    instalment.DueAt ??= awardedAt.AddDays(90 * (instalment.Sequence - 1) + 30);
                    var releasedAt = Min(instalment.DueAt.Value, w.Now.AddHours(-2));
                    instalment.ToPay(null);
                    if (settled) instalment.Paid(Min(releasedAt.AddDays(3), w.Now.AddHours(-1)), $"BACS-{grant.Id}-{instalment.Sequence}", "Fergus Finance");
                    var data = new JsonObject { ["grantReference"] = grant.Reference, ["amount"] = instalment.Amount, ["paymentNumber"] = instalment.Sequence, ["releasedBy"] = instalment.ReleasedBy,
                        ["projectTitle"] = application.ProjectTitle, ["organisationName"] = _org.Name, ["fundName"] = fund.Name };
                    var instance = Instance(GrantWorkflows.PaymentWorkflow, w.Payment, GrantWorkflows.InstalmentSubject, instalment.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{grant.Reference}/P{instalment.Sequence}",
                        $"/Applicant/Applications/{application.Id}", application.Id, data, releasedAt, settled ? [("to-pay", "paid"), ("paid", null)] : [("to-pay", null)], random, w.Now);
                    instalment.WorkflowInstanceId = instance.Id;
                }
                db.Add(instalment);
            }
        }
    }
}
