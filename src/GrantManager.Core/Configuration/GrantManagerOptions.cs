namespace GrantManager.Core.Configuration;

/// <summary>Which database engine holds GrantManager's data (<c>Database:Provider</c>).</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";
    public string Provider { get; set; } = DatabaseProviders.Sqlite;
}

public static class DatabaseProviders
{
    public const string Sqlite = "Sqlite";
    public const string PostgreSql = "PostgreSql";
    public static readonly string[] All = [Sqlite, PostgreSql];
}

/// <summary>Where workflow definitions and email templates are read from (<c>Workflows:Path</c>).</summary>
public sealed class WorkflowOptions
{
    public const string Section = "Workflows";
    public string? Path { get; set; }
    /// <summary>How often the timer processor looks for due timers.</summary>
    public TimeSpan TimerInterval { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>How long a node holds a claimed timer before another may take it.</summary>
    public TimeSpan TimerLease { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>How many times a failing timer is tried before it becomes an incident.</summary>
    public int TimerMaxAttempts { get; set; } = 5;
    /// <summary>Whether this node fires timers; with PostgreSQL several nodes may.</summary>
    public bool RunTimers { get; set; } = true;
    /// <summary>How often each node looks for workflow versions published on another node.</summary>
    public TimeSpan Refresh { get; set; } = TimeSpan.FromSeconds(5);
}

public sealed class EmailOptions
{
    public const string Section = "Email";
    public string From { get; set; } = "grants@example.org";
    public string FromName { get; set; } = "GrantManager";
    /// <summary>Folder for .eml files when SMTP is not configured. Relative paths are under the content root.</summary>
    public string PickupDirectory { get; set; } = "App_Data/mail";
    public SmtpOptions Smtp { get; set; } = new();
    public int MaxAttempts { get; set; } = 6;
    /// <summary>Whether this node sends the outbox; with several nodes, any number may.</summary>
    public bool RunDispatcher { get; set; } = true;
    public TimeSpan DispatchInterval { get; set; } = TimeSpan.FromSeconds(10);
    public int BatchSize { get; set; } = 200;
    /// <summary>SMTP connections used at once: a connection that hangs holds up only itself.</summary>
    public int Connections { get; set; } = 4;
    /// <summary>How long a claimed batch stays with its sender before another may take it; renewed while sending.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>How often each node looks for email templates published in the browser on another node.</summary>
    public TimeSpan TemplateRefresh { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>Base address used in links inside emails, e.g. https://grants.example.gov.uk.</summary>
    public string? PublicBaseUrl { get; set; }
}

public sealed class SmtpOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    public string? UserName { get; set; }
    public string? Password { get; set; }
    public bool UseStartTls { get; set; } = true;
    /// <summary>How long to wait for the server at each step (connect, greeting, each command, the message).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
    public bool Enabled => !string.IsNullOrWhiteSpace(Host);
}

public sealed class SeedOptions
{
    public const string Section = "Seed";
    public bool Demo { get; set; }
}

public sealed class CouncilOptions
{
    public const string Section = "Council";
    public string Name { get; set; } = "Kent County Council";
    /// <summary>Where applicants and grant holders write to the grants team: shown wherever the service says "contact us", and in every email.</summary>
    public string ContactEmail { get; set; } = "grants@example.org";
}

/// <summary>What the privacy notice says about the council's handling of personal data (<c>Council:Privacy</c>).</summary>
public sealed class PrivacyOptions
{
    public const string Section = "Council:Privacy";
    /// <summary>The data protection officer's address, for questions and requests about personal data.</summary>
    public string DataProtectionOfficerEmail { get; set; } = "dataprotection@example.org";
    /// <summary>The lawful basis under UK GDPR for using applicants' personal data.</summary>
    public string LawfulBasis { get; set; } = "public task (UK GDPR Article 6(1)(e)): the council's power to give grants to community organisations";
    /// <summary>How many years after a grant ends (or an application is decided) records are kept.</summary>
    public int RetentionYears { get; set; } = 7;
    /// <summary>The council's registration number with the Information Commissioner's Office, if it wants it shown.</summary>
    public string? IcoRegistrationNumber { get; set; }
}

/// <summary>How long a signed-in person may be idle before they are signed out, and the warning before (<c>Session</c>).</summary>
public sealed class SessionTimeoutOptions
{
    public const string Section = "Session";
    /// <summary>Sign-ins last this long without a request; every page or "Stay signed in" starts it again.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);
    /// <summary>How long before the end the page warns and offers to stay signed in.</summary>
    public TimeSpan Warning { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>How the service protects sign-ins and sessions (<c>Security</c>).</summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";
    /// <summary>The service is reached over HTTPS (directly or through a proxy that says so): HSTS, redirection to HTTPS and Secure cookies.</summary>
    public bool HttpsOnly { get; set; }
    /// <summary>Port that plain-HTTP requests are redirected to when <see cref="HttpsOnly"/> is set.</summary>
    public int HttpsPort { get; set; } = 443;
    /// <summary>Sign-in, registration, reset and resend requests one client address may make per <see cref="AddressWindow"/>.</summary>
    public int RequestsPerAddress { get; set; } = 30;
    public TimeSpan AddressWindow { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>Wrong passwords for one account from one address (or one device it signed in on before) per <see cref="AccountWindow"/>.</summary>
    public int FailedSignInsPerAccount { get; set; } = 5;
    /// <summary>Wrong passwords for one account from all devices it has not signed in on before, per <see cref="AccountWindow"/>.</summary>
    public int FailedSignInsFromNewDevices { get; set; } = 20;
    /// <summary>Account emails (reset links, confirmation links, "you already have an account") to one address per <see cref="AccountWindow"/>.</summary>
    public int EmailsPerAccount { get; set; } = 3;
    public TimeSpan AccountWindow { get; set; } = TimeSpan.FromMinutes(15);
    /// <summary>How often a sign-in (cookie or bearer token) is checked against the account, so that signing out or a new password ends it everywhere.</summary>
    public TimeSpan SessionCheckInterval { get; set; } = TimeSpan.FromSeconds(30);
}
