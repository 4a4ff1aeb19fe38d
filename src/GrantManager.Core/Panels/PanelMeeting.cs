namespace GrantManager.Core.Panels;

/// <summary>
/// A meeting of the grants panel on one round: its members (one of them the chair; a meeting of one member is allowed, who chairs it),
/// the applications awaiting a panel decision it takes, what each member thought of each, and the chair's decisions.
/// </summary>
public sealed class PanelMeeting
{
    public int Id { get; set; }
    public int FundId { get; set; }
    public int RoundId { get; set; }
    public string Title { get; set; } = "";
    /// <summary>The UK day it meets; decisions are recorded from that day on.</summary>
    public DateOnly MeetsOn { get; set; }
    public string CreatedById { get; set; } = "";
    public string CreatedByName { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime? DecidedAt { get; set; }
    public string? DecidedByName { get; set; }
    public int Version { get; set; }
    public List<PanelMember> Members { get; set; } = [];
    public List<PanelItem> Items { get; set; } = [];

    public bool Decided => DecidedAt is not null;
    public PanelMember? Chair => Members.FirstOrDefault(m => m.IsChair);
    public bool HasMember(string? userId) => userId is not null && Members.Any(m => m.UserId == userId);

    /// <summary>How the journal and the minutes name the meeting.</summary>
    public string Describe() => $"the panel meeting \"{Title}\" on {MeetsOn.ToString("d MMMM yyyy", System.Globalization.CultureInfo.GetCultureInfo("en-GB"))}";
}

public sealed class PanelMember
{
    public int Id { get; set; }
    public int MeetingId { get; set; }
    public string UserId { get; set; } = "";
    public string Name { get; set; } = "";
    public bool IsChair { get; set; }
}

/// <summary>An application the meeting decides, through the panel's decision task on its workflow.</summary>
public sealed class PanelItem
{
    public int Id { get; set; }
    public int MeetingId { get; set; }
    public int ApplicationId { get; set; }
    public long TaskId { get; set; }
    /// <summary>approve or reject, once the chair has recorded the decision.</summary>
    public string? Outcome { get; set; }
    public decimal? AmountAwarded { get; set; }
    public string? Conditions { get; set; }
    public string? MessageToApplicant { get; set; }
    public string? Note { get; set; }
    public List<PanelView> Views { get; set; } = [];
}

/// <summary>What one member thought of one application: fund, do-not-fund or abstain, with a comment.</summary>
public sealed class PanelView
{
    public int Id { get; set; }
    public int ItemId { get; set; }
    public string UserId { get; set; } = "";
    public string Name { get; set; } = "";
    public string View { get; set; } = "";
    public string? Comment { get; set; }
    public DateTime RecordedAt { get; set; }
}

public static class PanelViews
{
    public const string Fund = "fund", DoNotFund = "do-not-fund", Abstain = "abstain";
    public static readonly string[] All = [Fund, DoNotFund, Abstain];
    public static string Describe(string view) => view switch { Fund => "Fund", DoNotFund => "Do not fund", Abstain => "Abstain", _ => view };
}
