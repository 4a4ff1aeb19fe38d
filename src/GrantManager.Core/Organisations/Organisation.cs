namespace GrantManager.Core.Organisations;

/// <summary>A community group that applies for grants; its profile is reused across applications.</summary>
public sealed class Organisation
{
    public int Id { get; set; }
    public string Name { get; set; } = "";
    public OrganisationType Type { get; set; }
    /// <summary>Registered charity number in England and Wales (GB-CHC).</summary>
    public string? CharityNumber { get; set; }
    /// <summary>Companies House number (GB-COH), kept as text so leading zeros survive.</summary>
    public string? CompanyNumber { get; set; }
    public string? AddressLine1 { get; set; }
    public string? AddressLine2 { get; set; }
    public string? Town { get; set; }
    public string? Postcode { get; set; }
    public string? ContactName { get; set; }
    public string? ContactEmail { get; set; }
    public string? ContactPhone { get; set; }
    public DateTime CreatedAt { get; set; }
}

public enum OrganisationType
{
    UnregisteredGroup,
    Charity,
    CharitableIncorporatedOrganisation,
    CommunityInterestCompany,
    CompanyLimitedByGuarantee,
}
