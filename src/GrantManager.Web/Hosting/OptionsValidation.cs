using System.Net.Mail;
using GrantManager.Core.Configuration;
using Microsoft.Extensions.Options;

namespace GrantManager.Web.Hosting;

/// <summary>Start-up checks of configuration; each failure names the setting and what is wrong.</summary>
internal sealed class DatabaseOptionsValidator(IConfiguration configuration) : IValidateOptions<DatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseOptions o)
    {
        var errors = new List<string>();
        if (!DatabaseProviders.All.Contains(o.Provider, StringComparer.OrdinalIgnoreCase))
            errors.Add($"Database:Provider must be one of {string.Join(", ", DatabaseProviders.All)} (was '{o.Provider}').");
        if (string.Equals(o.Provider, DatabaseProviders.PostgreSql, StringComparison.OrdinalIgnoreCase)
            && string.IsNullOrWhiteSpace(configuration.GetConnectionString("GrantManager")))
            errors.Add("ConnectionStrings:GrantManager is required when Database:Provider is PostgreSql.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

internal sealed class EmailOptionsValidator : IValidateOptions<EmailOptions>
{
    public ValidateOptionsResult Validate(string? name, EmailOptions o)
    {
        var errors = new List<string>();
        if (!MailAddress.TryCreate(o.From, out _))
            errors.Add($"Email:From must be an email address (was '{o.From}').");
        if (!o.Smtp.Enabled && string.IsNullOrWhiteSpace(o.PickupDirectory))
            errors.Add("Email:PickupDirectory is required when Email:Smtp:Host is not set.");
        if (o.Smtp.Enabled && o.Smtp.Port is < 1 or > 65535)
            errors.Add($"Email:Smtp:Port must be between 1 and 65535 (was {o.Smtp.Port}).");
        if (o.MaxAttempts < 1)
            errors.Add($"Email:MaxAttempts must be at least 1 (was {o.MaxAttempts}).");
        if (o.BatchSize < 1)
            errors.Add($"Email:BatchSize must be at least 1 (was {o.BatchSize}).");
        if (o.Connections is < 1 or > 64)
            errors.Add($"Email:Connections must be between 1 and 64 (was {o.Connections}).");
        if (o.Lease < TimeSpan.FromSeconds(3))
            errors.Add("Email:Lease must be at least 00:00:03: it is renewed every third of itself while a batch is sent.");
        if (o.Smtp.Timeout <= TimeSpan.Zero)
            errors.Add("Email:Smtp:Timeout must be a positive time span such as 00:00:30.");
        if (o.DispatchInterval <= TimeSpan.Zero)
            errors.Add("Email:DispatchInterval must be a positive time span such as 00:00:10.");
        if (o.PublicBaseUrl is { Length: > 0 } url && !Uri.TryCreate(url, UriKind.Absolute, out _))
            errors.Add($"Email:PublicBaseUrl must be an absolute address such as https://grants.example.gov.uk (was '{url}').");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

internal sealed class WorkflowOptionsValidator : IValidateOptions<WorkflowOptions>
{
    public ValidateOptionsResult Validate(string? name, WorkflowOptions o)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(o.Path) || !Directory.Exists(o.Path))
            errors.Add($"Workflows:Path must name a folder of workflow definitions (was '{o.Path}').");
        if (o.TimerInterval <= TimeSpan.Zero)
            errors.Add("Workflows:TimerInterval must be a positive time span such as 00:00:05.");
        if (o.TimerLease <= TimeSpan.Zero)
            errors.Add("Workflows:TimerLease must be a positive time span such as 00:02:00.");
        if (o.Refresh <= TimeSpan.Zero)
            errors.Add("Workflows:Refresh must be a positive time span such as 00:00:05.");
        if (o.TimerMaxAttempts < 1)
            errors.Add($"Workflows:TimerMaxAttempts must be at least 1 (was {o.TimerMaxAttempts}).");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

internal sealed class CouncilOptionsValidator : IValidateOptions<CouncilOptions>
{
    public ValidateOptionsResult Validate(string? name, CouncilOptions o)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(o.Name)) errors.Add("Council:Name must not be empty.");
        if (string.IsNullOrWhiteSpace(o.ContactEmail) || !System.Net.Mail.MailAddress.TryCreate(o.ContactEmail, out _))
            errors.Add($"Council:ContactEmail must be an email address, such as grants@council.example.gov.uk (was '{o.ContactEmail}').");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

internal sealed class AttachmentOptionsValidator : IValidateOptions<Core.Applications.AttachmentOptions>
{
    public ValidateOptionsResult Validate(string? name, Core.Applications.AttachmentOptions o)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(o.Path)) errors.Add("Attachments:Path must name a folder for uploaded documents.");
        else if (o.Path.Replace('\\', '/').Split('/').Contains("wwwroot")) errors.Add("Attachments:Path must not be inside wwwroot, where anyone could download the files.");
        if (o.MaxMegabytes is < 1 or > 100) errors.Add($"Attachments:MaxMegabytes must be between 1 and 100 (was {o.MaxMegabytes}).");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

internal sealed partial class OpenDataOptionsValidator : IValidateOptions<Core.OpenData.OpenDataOptions>
{
    public ValidateOptionsResult Validate(string? name, Core.OpenData.OpenDataOptions o)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(o.Prefix) || !Prefix().IsMatch(o.Prefix))
            errors.Add($"OpenData:Prefix must be the council's 360Giving prefix after \"360G-\": letters, digits and hyphens, no spaces or slashes (was '{o.Prefix}').");
        if (string.IsNullOrWhiteSpace(o.FunderIdentifier) || !OrgId().IsMatch(o.FunderIdentifier))
            errors.Add($"OpenData:FunderIdentifier must be an organisation identifier such as GB-LAE-KEN (was '{o.FunderIdentifier}').");
        if (o.PublishAfter < TimeSpan.Zero) errors.Add("OpenData:PublishAfter must not be negative, e.g. 30.00:00:00 for 30 days.");
        if (!Uri.TryCreate(o.Licence, UriKind.Absolute, out _)) errors.Add($"OpenData:Licence must be the licence's address (was '{o.Licence}').");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9-]+$")]
    private static partial System.Text.RegularExpressions.Regex Prefix();

    [System.Text.RegularExpressions.GeneratedRegex("^(XI|XM|[A-Z]{2})-[A-Z]{2,8}-[A-Za-z0-9-]+$")]
    private static partial System.Text.RegularExpressions.Regex OrgId();
}

internal sealed class PrivacyOptionsValidator : IValidateOptions<PrivacyOptions>
{
    public ValidateOptionsResult Validate(string? name, PrivacyOptions o)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(o.DataProtectionOfficerEmail) || !MailAddress.TryCreate(o.DataProtectionOfficerEmail, out _))
            errors.Add($"Council:Privacy:DataProtectionOfficerEmail must be an email address, such as dpo@council.example.gov.uk (was '{o.DataProtectionOfficerEmail}').");
        if (string.IsNullOrWhiteSpace(o.LawfulBasis)) errors.Add("Council:Privacy:LawfulBasis must not be empty.");
        if (o.RetentionYears is < 1 or > 100) errors.Add($"Council:Privacy:RetentionYears must be between 1 and 100 (was {o.RetentionYears}).");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

internal sealed class SessionOptionsValidator : IValidateOptions<SessionTimeoutOptions>
{
    public ValidateOptionsResult Validate(string? name, SessionTimeoutOptions o)
    {
        var errors = new List<string>();
        if (o.IdleTimeout < TimeSpan.FromMinutes(1) || o.IdleTimeout > TimeSpan.FromHours(24))
            errors.Add($"Session:IdleTimeout must be between 00:01:00 and 1.00:00:00, such as 00:30:00 (was {o.IdleTimeout}).");
        if (o.Warning < TimeSpan.FromSeconds(10) || o.Warning >= o.IdleTimeout)
            errors.Add($"Session:Warning must be at least 00:00:10 and shorter than Session:IdleTimeout, such as 00:02:00 (was {o.Warning}).");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

internal sealed class SecurityOptionsValidator : IValidateOptions<SecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, SecurityOptions o)
    {
        var errors = new List<string>();
        void AtLeastOne(string key, int value) { if (value < 1) errors.Add($"Security:{key} must be 1 or more (was {value})."); }
        AtLeastOne(nameof(o.RequestsPerAddress), o.RequestsPerAddress);
        AtLeastOne(nameof(o.FailedSignInsPerAccount), o.FailedSignInsPerAccount);
        AtLeastOne(nameof(o.FailedSignInsFromNewDevices), o.FailedSignInsFromNewDevices);
        AtLeastOne(nameof(o.EmailsPerAccount), o.EmailsPerAccount);
        if (o.HttpsPort is < 1 or > 65535) errors.Add($"Security:HttpsPort must be a port number, such as 443 (was {o.HttpsPort}).");
        if (o.AddressWindow < TimeSpan.FromSeconds(1) || o.AccountWindow < TimeSpan.FromSeconds(1))
            errors.Add($"Security:AddressWindow and Security:AccountWindow must be at least 00:00:01, such as 00:01:00 and 00:15:00 (were {o.AddressWindow} and {o.AccountWindow}).");
        if (o.SessionCheckInterval < TimeSpan.Zero || o.SessionCheckInterval > TimeSpan.FromMinutes(5))
            errors.Add($"Security:SessionCheckInterval must be between 00:00:00 (every request) and 00:05:00, such as 00:00:30 (was {o.SessionCheckInterval}).");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

internal sealed class WebhookOptionsValidator : IValidateOptions<Core.Webhooks.WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, Core.Webhooks.WebhookOptions o)
    {
        var errors = new List<string>();
        if (o.Timeout < TimeSpan.FromSeconds(1) || o.Timeout > TimeSpan.FromMinutes(5))
            errors.Add($"Webhooks:Timeout must be between 00:00:01 and 00:05:00, such as 00:00:10 (was {o.Timeout}).");
        if (o.MaxAttempts < 1) errors.Add($"Webhooks:MaxAttempts must be at least 1 (was {o.MaxAttempts}).");
        if (o.Concurrency is < 1 or > 256) errors.Add($"Webhooks:Concurrency must be between 1 and 256 (was {o.Concurrency}).");
        if (o.DispatchInterval <= TimeSpan.Zero) errors.Add("Webhooks:DispatchInterval must be a positive time span such as 00:00:05.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
