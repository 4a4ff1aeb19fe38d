using GrantManager.Core.Applications;
using GrantManager.Core.Email;
using Riok.Mapperly.Abstractions;

namespace GrantManager.Web.Api;

/// <summary>
/// Entity → API view mappings, generated at compile time: every member of a view must be mapped
/// (a view member with no source is a build error), and queries project to the view in SQL.
/// </summary>
[Mapper(RequiredMappingStrategy = RequiredMappingStrategy.Target, EnumMappingStrategy = EnumMappingStrategy.ByName)]
public static partial class ApiMappings
{
    [MapProperty(nameof(OutboxEmail.ToAddress), nameof(ApplicationsApi.EmailView.To))]
    public static partial ApplicationsApi.EmailView ToView(this OutboxEmail email);

    public static partial PanelMeetingsApi.MemberView ToView(this Core.Panels.PanelMember member);

    public static partial PanelMeetingsApi.OpinionView ToView(this Core.Panels.PanelView view);

    public static partial PanelMeetingsApi.AssessmentView ToView(this Core.Panels.PackAssessment assessment);

    /// <summary>The email log as a query: the mapping above, run by the database.</summary>
    public static partial IQueryable<ApplicationsApi.EmailView> ProjectToView(this IQueryable<OutboxEmail> emails);
}
