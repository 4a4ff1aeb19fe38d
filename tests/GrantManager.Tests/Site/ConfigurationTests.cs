using GrantManager.Tests.Support;
using Microsoft.Extensions.Options;

namespace GrantManager.Tests.Site;

public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("Email:From", "not an address", "Email:From must be an email address")]
    [InlineData("Database:Provider", "Oracle", "Database:Provider must be one of Sqlite, PostgreSql")]
    [InlineData("Email:Smtp:Port", "70000", "Email:Smtp:Port must be between 1 and 65535")]
    [InlineData("Workflows:Path", "/no/such/folder", "Workflows:Path must name a folder")]
    [InlineData("Council:Name", " ", "Council:Name must not be empty")]
    [InlineData("Council:Privacy:RetentionYears", "0", "Council:Privacy:RetentionYears must be between 1 and 100")]
    [InlineData("Council:Privacy:DataProtectionOfficerEmail", "nobody", "Council:Privacy:DataProtectionOfficerEmail must be an email address")]
    [InlineData("Session:Warning", "00:45:00", "Session:Warning must be at least 00:00:10 and shorter than Session:IdleTimeout")]
    [InlineData("OpenData:Prefix", "kent council/grants", "OpenData:Prefix must be the council's 360Giving prefix")]
    [InlineData("OpenData:FunderIdentifier", "Kent", "OpenData:FunderIdentifier must be an organisation identifier")]
    [InlineData("OpenData:PublishAfter", "-1.00:00:00", "OpenData:PublishAfter must not be negative")]
    public async Task A_bad_setting_stops_start_up_with_a_message_naming_it(string key, string value, string message)
    {
        await using var app = new GrantManagerFactory();
        app.Set(key, value);
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        var validation = error as OptionsValidationException ?? error.InnerException as OptionsValidationException;
        Assert.NotNull(validation);
        Assert.Contains(validation.Failures, f => f.StartsWith(message));
    }
}
