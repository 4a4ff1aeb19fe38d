using System.Reflection;
using System.Text.Json;
using GrantManager.Core.Configuration;

namespace GrantManager.Tests.Site;

/// <summary>Every setting an operator can use is in appsettings.sample.json and explained in the README.</summary>
public sealed class SettingsDocumentationTests
{
    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "appsettings.sample.json"))) return dir.FullName;
        throw new DirectoryNotFoundException("appsettings.sample.json");
    }

    public static TheoryData<string> Keys()
    {
        var keys = new TheoryData<string>();
        void Add(string prefix, Type type)
        {
            foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            {
                if (p.PropertyType == typeof(SmtpOptions)) Add($"{prefix}:{p.Name}", p.PropertyType);
                else keys.Add($"{prefix}:{p.Name}");
            }
        }
        Add(DatabaseOptions.Section, typeof(DatabaseOptions));
        Add(WorkflowOptions.Section, typeof(WorkflowOptions));
        Add(EmailOptions.Section, typeof(EmailOptions));
        Add(SeedOptions.Section, typeof(SeedOptions));
        Add(CouncilOptions.Section, typeof(CouncilOptions));
        Add(PrivacyOptions.Section, typeof(PrivacyOptions));
        Add(SessionTimeoutOptions.Section, typeof(SessionTimeoutOptions));
        Add(GrantManager.Core.Applications.AttachmentOptions.Section, typeof(GrantManager.Core.Applications.AttachmentOptions));
        Add(GrantManager.Core.OpenData.OpenDataOptions.Section, typeof(GrantManager.Core.OpenData.OpenDataOptions));
        Add(SecurityOptions.Section, typeof(SecurityOptions));
        Add(GrantManager.Core.Webhooks.WebhookOptions.Section, typeof(GrantManager.Core.Webhooks.WebhookOptions));
        keys.Add("ConnectionStrings:GrantManager");
        keys.Add("DataProtection:KeysPath");
        return keys;
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void The_setting_is_in_the_sample_and_the_README(string key)
    {
        var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root(), "appsettings.sample.json"))).RootElement;
        var node = sample;
        foreach (var part in key.Split(':'))
            Assert.True(node.TryGetProperty(part, out node), $"{key} is missing from appsettings.sample.json");
        var readme = File.ReadAllText(Path.Combine(Root(), "README.md"));
        Assert.Contains($"`{key}`", readme);
    }
}
