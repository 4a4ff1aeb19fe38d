using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using GrantManager.Core.Email;
using GrantManager.Core.Workflows;
using GrantManager.Web.Account;
using GrantManager.Web.Email;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GrantManager.Web.Hosting;

internal static class GrantManagerServices
{
    public const string StaffPolicy = "Staff";
    public const string ApplicantPolicy = "Applicant";
    public const string AdministratorPolicy = "Administrator";
    public const string ApiPolicy = "Api";
    public const string ApiStaffPolicy = "ApiStaff";
    public const string ApiAdministratorPolicy = "ApiAdministrator";

    public static void AddGrantManager(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var config = builder.Configuration;
        var contentRoot = builder.Environment.ContentRootPath;

        services.AddSingleton(TimeProvider.System);
        AddOptions<DatabaseOptions, DatabaseOptionsValidator>(services, config, DatabaseOptions.Section);
        AddOptions<EmailOptions, EmailOptionsValidator>(services, config, EmailOptions.Section);
        AddOptions<CouncilOptions, CouncilOptionsValidator>(services, config, CouncilOptions.Section);
        AddOptions<PrivacyOptions, PrivacyOptionsValidator>(services, config, PrivacyOptions.Section);
        AddOptions<SessionTimeoutOptions, SessionOptionsValidator>(services, config, SessionTimeoutOptions.Section);
        AddOptions<WorkflowOptions, WorkflowOptionsValidator>(services, config, WorkflowOptions.Section)
            .PostConfigure(o => o.Path = string.IsNullOrWhiteSpace(o.Path)
                ? WorkflowFolder.Find(contentRoot)
                : Path.GetFullPath(o.Path, contentRoot));
        services.AddOptions<SeedOptions>().Bind(config.GetSection(SeedOptions.Section));
        AddOptions<Core.Applications.AttachmentOptions, AttachmentOptionsValidator>(services, config, Core.Applications.AttachmentOptions.Section);
        AddOptions<Core.OpenData.OpenDataOptions, OpenDataOptionsValidator>(services, config, Core.OpenData.OpenDataOptions.Section);
        AddOptions<SecurityOptions, SecurityOptionsValidator>(services, config, SecurityOptions.Section);
        AddOptions<Core.Webhooks.WebhookOptions, WebhookOptionsValidator>(services, config, Core.Webhooks.WebhookOptions.Section);
        var security = config.GetSection(SecurityOptions.Section).Get<SecurityOptions>() ?? new SecurityOptions();
        services.AddSecurityHeaders(security);

        AddDatabase(services, config, contentRoot);
        AddIdentity(services);
        AddEmail(services, contentRoot);
        AddWorkflows(services, contentRoot);

        services.AddRazorPages(o =>
        {
            o.Conventions.AuthorizeFolder("/Applicant", ApplicantPolicy);
            o.Conventions.AuthorizeFolder("/Staff", StaffPolicy);
            o.Conventions.AuthorizeFolder("/Admin", AdministratorPolicy);
        }).AddMvcOptions(o =>
        {
            o.Filters.Add<RefusalPages>();
            if (builder.Environment.IsEnvironment("Testing")) o.Filters.Add(new Forms.UnboundFieldsFilter(refuse: true));
            else if (builder.Environment.IsDevelopment()) o.Filters.Add<Forms.DevelopmentUnboundFieldsFilter>();
        });
        services.AddWebEncoders(o => o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        var keys = services.AddDataProtection().SetApplicationName("GrantManager")
            .PersistKeysToFileSystem(new DirectoryInfo(config["DataProtection:KeysPath"] ?? Path.Combine(contentRoot, "App_Data", "keys")));
        // Windows can encrypt the keys at rest for the service's account; elsewhere the folder's permissions protect them
        // (README, DataProtection:KeysPath), and start-up says so once instead of the framework's warning for every key.
        if (OperatingSystem.IsWindows()) keys.ProtectKeysWithDpapi();
        else builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection.KeyManagement.XmlKeyManager", LogLevel.Error);
        services.AddProblemDetails();
        services.AddExceptionHandler<DatabaseUnavailableProblems>();
        services.AddExceptionHandler<Api.WorkflowProblems>();
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddOpenApi(Api.OpenApiDocumentation.Configure);
        services.AddHealthChecks().AddCheck<DatabaseWriteHealthCheck>("database");
        // Pages, JSON and CSV are compressed by the framework for clients that ask. Not over HTTPS
        // (the default): compressing pages that carry antiforgery tokens there invites BREACH.
        services.AddResponseCompression(o => o.MimeTypes = Microsoft.AspNetCore.ResponseCompression.ResponseCompressionDefaults.MimeTypes.Concat(["text/csv"]));
        // The build starts the host only to write the OpenAPI document: no database then, so no background work.
        if (WritingOpenApiDocument)
            foreach (var worker in services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Assembly == typeof(GrantManagerServices).Assembly).ToList())
                services.Remove(worker);
    }

    /// <summary>True when the build's document tool (GetDocument.Insider) is running the host to write the OpenAPI document.</summary>
    public static bool WritingOpenApiDocument => System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name == "GetDocument.Insider";

    private static OptionsBuilder<T> AddOptions<T, TValidator>(IServiceCollection services, IConfiguration config, string section)
        where T : class where TValidator : class, IValidateOptions<T>
    {
        services.AddSingleton<IValidateOptions<T>, TValidator>();
        return services.AddOptions<T>().Bind(config.GetSection(section)).ValidateOnStart();
    }

    private static void AddDatabase(IServiceCollection services, IConfiguration config, string contentRoot)
    {
        var provider = config[$"{DatabaseOptions.Section}:Provider"] ?? DatabaseProviders.Sqlite;
        var connection = config.GetConnectionString("GrantManager");
        if (string.Equals(provider, DatabaseProviders.PostgreSql, StringComparison.OrdinalIgnoreCase))
        {
            // One query per load: one consistent snapshot, and the collections loaded together are small.
            services.AddDbContextPool<PostgresGrantDbContext>((sp, o) => o.UseNpgsql(connection, n => n.UseQuerySplittingBehavior(QuerySplittingBehavior.SingleQuery))
                .AddInterceptors(sp.GetRequiredService<OutboxSignalInterceptor>(), sp.GetRequiredService<Core.Audit.AuditInterceptor>(), sp.GetRequiredService<Core.Webhooks.WebhookEvents>()));
            services.AddScoped<GrantDbContext>(sp => sp.GetRequiredService<PostgresGrantDbContext>());
        }
        else
        {
            if (string.IsNullOrWhiteSpace(connection))
            {
                var dataDir = Path.Combine(contentRoot, "App_Data");
                Directory.CreateDirectory(dataDir);
                connection = $"Data Source={Path.Combine(dataDir, "grantmanager.db")}";
            }
            services.AddDbContextPool<SqliteGrantDbContext>((sp, o) => o.UseSqlite(connection, q => q.UseQuerySplittingBehavior(QuerySplittingBehavior.SingleQuery))
                .AddInterceptors(sp.GetRequiredService<OutboxSignalInterceptor>(), sp.GetRequiredService<Core.Audit.AuditInterceptor>(), sp.GetRequiredService<Core.Webhooks.WebhookEvents>())
                // A table rebuild turns foreign keys off, which SQLite allows only outside a transaction; the database
                // is backed up before any migration (InitialiseDatabaseAsync), so the warning is kept for the log file.
                .ConfigureWarnings(w => w.Log((Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.NonTransactionalMigrationOperationWarning, LogLevel.Debug))));
            services.AddScoped<GrantDbContext>(sp => sp.GetRequiredService<SqliteGrantDbContext>());
        }
    }

    private static void AddIdentity(IServiceCollection services)
    {
        services.AddIdentity<User, IdentityRole>(o =>
            {
                o.SignIn.RequireConfirmedEmail = true;
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 10;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequireUppercase = false;
                // Wrong passwords never lock an account (GrantManagerSignInManager counts them in SignInThrottle instead);
                // these apply only to a lockout set on the account directly.
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.Lockout.AllowedForNewUsers = true;
            })
            .AddEntityFrameworkStores<GrantDbContext>()
            .AddDefaultTokenProviders()
            .AddApiEndpoints()
            // After AddApiEndpoints, which registers the plain sign-in manager again.
            .AddSignInManager<GrantManagerSignInManager>();
        services.AddSingleton<SignInThrottle>();
        services.AddAddressLimits();
        // Signing out or a new password ends the account's other sign-ins within this interval (cookies) or at once (bearer tokens).
        services.AddOptions<SecurityStampValidatorOptions>().Configure<IOptions<SecurityOptions>>((o, security) => o.ValidationInterval = security.Value.SessionCheckInterval);
        services.AddAuthentication().AddBearerToken(IdentityConstants.BearerScheme, o => o.Events.OnMessageReceived = BearerTokenChecks.OnMessageReceivedAsync);
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/Account/Login";
            o.LogoutPath = "/Account/Logout";
            o.AccessDeniedPath = "/Account/AccessDenied";
            o.Cookie.Name = "GrantManager";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.SlidingExpiration = true;
            // Every signed-in page starts the idle time again (not only after half of it has gone), so the
            // page's timeout warning knows exactly when the sign-in ends: Session:IdleTimeout from now.
            var validate = o.Events.OnValidatePrincipal;
            o.Events.OnValidatePrincipal = async context =>
            {
                await validate(context);
                if (context.Principal is not null) context.ShouldRenew = true;
            };
            // A form posted after the sign-in ended comes back to its page, not to the handler that took the post.
            var redirect = o.Events.OnRedirectToLogin;
            o.Events.OnRedirectToLogin = context =>
            {
                var request = context.Request;
                if (HttpMethods.IsGet(request.Method) || request.Headers.XRequestedWith == "XMLHttpRequest") return redirect(context);
                var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(request.QueryString.Value);
                query.Remove("handler");
                var returnUrl = Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(request.PathBase + request.Path, query);
                context.Response.Redirect(o.LoginPath + QueryString.Create(o.ReturnUrlParameter, returnUrl));
                return Task.CompletedTask;
            };
        });
        services.AddOptions<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .Configure<IOptions<SessionTimeoutOptions>>((o, session) => o.ExpireTimeSpan = session.Value.IdleTimeout);
        services.AddAuthorizationBuilder()
            .AddPolicy(StaffPolicy, p => p.RequireRole(Roles.Staff))
            .AddPolicy(ApplicantPolicy, p => p.RequireRole(Roles.Applicant))
            .AddPolicy(AdministratorPolicy, p => p.RequireRole(Roles.Administrator))
            .AddPolicy(ApiPolicy, p => p.AddAuthenticationSchemes(IdentityConstants.BearerScheme).RequireAuthenticatedUser())
            .AddPolicy(ApiStaffPolicy, p => p.AddAuthenticationSchemes(IdentityConstants.BearerScheme).RequireRole(Roles.Staff))
            .AddPolicy(ApiAdministratorPolicy, p => p.AddAuthenticationSchemes(IdentityConstants.BearerScheme).RequireRole(Roles.Administrator));
        services.AddScoped<DemoData>();
    }

    private static void AddWorkflows(IServiceCollection services, string contentRoot)
    {
        services.AddSingleton(sp => Core.Monitoring.MonitoringSchedules.Load(sp.GetRequiredService<IOptions<WorkflowOptions>>().Value.Path!));
        services.AddSingleton<IStateHandler, Core.Grants.AwardGrantHandler>();
        services.AddSingleton<IStateHandler, Core.Grants.ReturnStatusHandler>();
        services.AddSingleton<IStateHandler, Core.Grants.AcceptReturnHandler>();
        services.AddSingleton<IStateHandler, Core.Grants.RecordPaymentHandler>();
        services.AddSingleton<IStateHandler, Core.Grants.PaymentHeldHandler>();
        services.AddSingleton<IStateHandler, Core.Grants.PaymentDueHandler>();
        services.AddSingleton<IStateHandler, Core.Grants.ClosureStatusHandler>();
        services.AddSingleton<IStateHandler, Core.Grants.ApplyVariationHandler>();
        services.AddSingleton<IStateHandler, Core.Grants.RefuseVariationHandler>();
        // Task forms: what a task asks beyond its outcome, registered by the name definitions use.
        var forms = Core.Tasks.GrantTaskForms.Catalog();
        services.AddSingleton(forms);
        foreach (var form in forms.All) services.AddScoped(form.Type);
        // Each form shows on the task page through its part; a form without one would show nothing it asks.
        Pages.Staff.Tasks.FormParts.TaskFormPart[] parts = [new Pages.Staff.Tasks.FormParts.AssessmentPart(), new Pages.Staff.Tasks.FormParts.DecisionPart(),
            new Pages.Staff.Tasks.FormParts.ReturnReviewPart(), new Pages.Staff.Tasks.FormParts.PaymentPart(),
            new Pages.Staff.Tasks.FormParts.RepaymentPart(),
            new Pages.Staff.Tasks.FormParts.VariationReviewPart()];
        if (forms.All.Select(f => f.Name).Except(parts.Select(p => p.Form)).ToList() is { Count: > 0 } unshown)
            throw new InvalidOperationException($"No task page part for the form(s): {string.Join(", ", unshown)}");
        foreach (var part in parts) services.AddSingleton(part);
        services.AddScoped<Core.Tasks.TaskService>();
        services.AddScoped<Core.Tasks.StaffTasks>();
        // The shipped files and the versions kept in the database; each request, transition and timer pass takes the snapshot current when it starts.
        services.AddSingleton(sp =>
        {
            var compiler = WorkflowLoader.Compiler(sp.GetRequiredService<IOptions<WorkflowOptions>>().Value.Path!, sp.GetRequiredService<EmailTemplates>(),
                Core.Data.Roles.All, sp.GetServices<IStateHandler>().Select(h => h.Name).ToList(), forms);
            var catalog = new WorkflowCatalog(compiler, sp.GetRequiredService<ILoggerFactory>().CreateLogger<WorkflowCatalog>());
            sp.GetRequiredService<Core.Monitoring.MonitoringSchedules>().CheckWorkflows(catalog.Current);
            return catalog;
        });
        services.AddTransient(sp => sp.GetRequiredService<WorkflowCatalog>().Current);
        services.AddScoped<WorkflowVersions>();
        services.AddHostedService<WorkflowRefreshService>();
        // The runtime asks the grant service for its people and words, and works in the service's own unit of work.
        services.AddScoped<IWorkflowParticipants, Core.Tasks.GrantParticipants>();
        services.AddScoped<Microsoft.EntityFrameworkCore.DbContext>(sp => sp.GetRequiredService<Core.Data.GrantDbContext>());
        services.AddScoped<WorkflowRuntime>();
        services.AddScoped<WorkflowActors>();
        services.AddScoped<Core.Applications.ApplicationService>();
        services.AddScoped<Core.Applications.IAwardedApplications, Core.Grants.AwardedApplications>();
        services.AddScoped<Core.Cases.GrantEvidence>();
        services.AddScoped<Core.Monitoring.ReturnService>();
        services.AddScoped<Core.Grants.GrantConditionService>();
        services.AddScoped<Core.Grants.GrantClosureService>();
        services.AddScoped<Core.Grants.GrantVariations>();
        services.AddSingleton(sp => Core.Places.Districts.Load(sp.GetRequiredService<IOptions<WorkflowOptions>>().Value.Path!));
        services.AddSingleton(sp => Core.SocialValue.ShippedProxies.Load(sp.GetRequiredService<IOptions<WorkflowOptions>>().Value.Path!));
        services.AddScoped<Core.SocialValue.SocialValueProxies>();
        services.AddScoped<Core.SocialValue.SocialValueReports>();
        services.AddScoped<Core.Grants.FundReports>();
        services.AddScoped<Core.Grants.FundTimeline>();
        services.AddScoped<Core.Inbox.WorkList>();
        services.AddScoped<Core.Applications.ApplicationRegister>();
        services.AddScoped<Core.Applications.BulkActions>();
        services.AddScoped<Core.Grants.FundPipelines>();
        services.AddScoped<Core.Grants.GrantRegister>();
        services.AddScoped<Core.OpenData.ThreeSixtyGiving>();
        services.AddScoped<Core.Funds.FundAdministration>();
        services.AddScoped<Core.Funds.RoundBudgets>();
        services.AddScoped<Core.Panels.PanelMeetings>();
        services.AddScoped(sp =>
        {
            var o = sp.GetRequiredService<IOptions<Core.Applications.AttachmentOptions>>().Value;
            return new Core.Applications.AttachmentStore(sp.GetRequiredService<GrantDbContext>(), sp.GetRequiredService<Core.Applications.ApplicationService>(),
                sp.GetRequiredService<TimeProvider>(), Path.GetFullPath(o.Path, contentRoot), o.MaxMegabytes);
        });
        services.AddSingleton<TimerProcessor>();
        services.AddHostedService<TimerService>();
    }

    private static void AddEmail(IServiceCollection services, string contentRoot)
    {
        services.AddSingleton(sp => new EmailTemplates(Path.Combine(sp.GetRequiredService<IOptions<WorkflowOptions>>().Value.Path!, "templates")));
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<OutboxSignalInterceptor>();
        // Who made each change outside the workflow's history: the signed-in person, someone not signed in
        // (registering, resetting a password), or the system when there is no request (timers, start-up).
        services.AddHttpContextAccessor();
        services.AddSingleton(sp =>
        {
            var http = sp.GetRequiredService<IHttpContextAccessor>();
            return new Core.Audit.AuditPerson(() => http.HttpContext?.User switch
            {
                null => null,
                { Identity.IsAuthenticated: true } user => (System.Security.Claims.PrincipalExtensions.FindFirstValue(user, System.Security.Claims.ClaimTypes.NameIdentifier), user.Identity!.Name ?? ""),
                _ => (null, "Not signed in"),
            });
        });
        services.AddSingleton<Core.Audit.AuditInterceptor>();
        services.AddSingleton<EmailLinks>();
        services.AddScoped<Outbox>();
        services.AddSingleton<IEmailTransport>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<EmailOptions>>().Value;
            return o.Smtp.Enabled
                ? new SmtpEmailTransport(o.Smtp)
                : new PickupFolderTransport(Path.GetFullPath(o.PickupDirectory, contentRoot));
        });
        services.AddSingleton<EmailDispatcher>();
        services.AddHostedService<EmailDispatchService>();
        services.AddScoped<EmailTemplateVersions>();
        services.AddHostedService<Email.TemplateRefreshService>();
        // Webhooks share the outbox's way of working (written with the change, leased, retried, dead-lettered) with a dispatcher of their own.
        services.AddKeyedSingleton<OutboxSignal>(Core.Webhooks.WebhookEvents.SignalKey);
        services.AddSingleton(sp => new Core.Webhooks.WebhookEvents(sp.GetRequiredService<WorkflowRegistry>, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredKeyedService<OutboxSignal>(Core.Webhooks.WebhookEvents.SignalKey)));
        services.AddSingleton<Core.Webhooks.WebhookDispatcher>();
        services.AddHostedService<Webhooks.WebhookDispatchService>();
        services.AddScoped<Core.Webhooks.WebhookRegistrations>();
        services.AddScoped<AccountEmails>();
        services.AddScoped<PasswordChanges>();
        services.AddSingleton<IEmailSender<User>, ScopedAccountEmailSender>();
    }
}
