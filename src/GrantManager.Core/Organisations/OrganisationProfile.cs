using System.Net.Mail;
using System.Text.RegularExpressions;
using GrantManager.Core.Applications;

namespace GrantManager.Core.Organisations;

public sealed record OrganisationInput(string? Name, OrganisationType? Type, string? CharityNumber, string? CompanyNumber,
    string? AddressLine1, string? AddressLine2, string? Town, string? Postcode, string? ContactName, string? ContactEmail, string? ContactPhone);

/// <summary>The organisation's profile: checked here, reused by every application.</summary>
public static partial class OrganisationProfile
{
    public static bool NeedsCharityNumber(OrganisationType type) => type is OrganisationType.Charity or OrganisationType.CharitableIncorporatedOrganisation;
    public static bool NeedsCompanyNumber(OrganisationType type) => type is OrganisationType.CommunityInterestCompany or OrganisationType.CompanyLimitedByGuarantee;

    /// <summary>Checks the input and, when it is good, writes it to the organisation. Field names are camelCase.</summary>
    public static void Apply(Organisation organisation, OrganisationInput input)
    {
        var errors = new Errors();
        string? Text(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
        var name = Text(input.Name);
        if (name is null) errors.Add("name", "Enter your organisation's name");
        else if (name.Length > 200) errors.Add("name", "The name must be 200 characters or fewer");
        if (input.Type is null) errors.Add("type", "Select the type of organisation");

        var charity = Text(input.CharityNumber)?.Replace(" ", "");
        if (charity is not null && !CharityPattern().IsMatch(charity))
            errors.Add("charityNumber", "Enter a charity number of 6 to 8 digits, like 1145678");
        else if (charity is null && input.Type is OrganisationType t1 && NeedsCharityNumber(t1))
            errors.Add("charityNumber", "Enter your registered charity number");

        var company = Text(input.CompanyNumber)?.Replace(" ", "").ToUpperInvariant();
        if (company is not null && company.All(char.IsDigit) && company.Length < 8) company = company.PadLeft(8, '0');
        if (company is not null && !CompanyPattern().IsMatch(company))
            errors.Add("companyNumber", "Enter a Companies House number of 8 characters, like 09876543 or SC123456");
        else if (company is null && input.Type is OrganisationType t2 && NeedsCompanyNumber(t2))
            errors.Add("companyNumber", "Enter your Companies House number");

        if (Text(input.AddressLine1) is null) errors.Add("addressLine1", "Enter the first line of your address");
        if (Text(input.Town) is null) errors.Add("town", "Enter the town or city");
        var postcode = Text(input.Postcode)?.ToUpperInvariant().Replace(" ", "");
        if (postcode is null) errors.Add("postcode", "Enter the postcode");
        else if (!PostcodePattern().IsMatch(postcode)) errors.Add("postcode", "Enter a real postcode, like ME14 1XQ");
        if (Text(input.ContactName) is null) errors.Add("contactName", "Enter the name of the main contact");
        if (Text(input.ContactEmail) is not string email) errors.Add("contactEmail", "Enter the contact's email address");
        else if (!MailAddress.TryCreate(email, out _) || !email.Contains('.')) errors.Add("contactEmail", "Enter an email address in the correct format, like name@example.org");
        var phone = Text(input.ContactPhone);
        if (phone is not null && !PhonePattern().IsMatch(phone)) errors.Add("contactPhone", "Enter a telephone number, like 01622 123456 or +44 1622 123456");
        errors.ThrowIfAny();

        organisation.Name = name!;
        organisation.Type = input.Type!.Value;
        organisation.CharityNumber = charity;
        organisation.CompanyNumber = company;
        organisation.AddressLine1 = Text(input.AddressLine1);
        organisation.AddressLine2 = Text(input.AddressLine2);
        organisation.Town = Text(input.Town);
        organisation.Postcode = postcode![..^3] + " " + postcode[^3..];
        organisation.ContactName = Text(input.ContactName);
        organisation.ContactEmail = Text(input.ContactEmail);
        organisation.ContactPhone = phone;
    }

    /// <summary>Whether the profile has what an application needs.</summary>
    public static bool IsComplete(Organisation o) =>
        o.AddressLine1 is not null && o.Town is not null && o.Postcode is not null && o.ContactName is not null && o.ContactEmail is not null
        && (!NeedsCharityNumber(o.Type) || o.CharityNumber is not null) && (!NeedsCompanyNumber(o.Type) || o.CompanyNumber is not null);

    [GeneratedRegex(@"^\d{6,8}$")] private static partial Regex CharityPattern();
    [GeneratedRegex(@"^(\d{8}|[A-Z]{2}\d{6})$")] private static partial Regex CompanyPattern();
    [GeneratedRegex(@"^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$")] private static partial Regex PostcodePattern();
    [GeneratedRegex(@"^\+?[\d ()-]{10,20}$")] private static partial Regex PhonePattern();
}
