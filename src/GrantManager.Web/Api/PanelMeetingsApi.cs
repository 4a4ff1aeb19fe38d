using GrantManager.Core;
using GrantManager.Core.Panels;
using GrantManager.Core.Workflows;
using GrantManager.Web.Workflows;

namespace GrantManager.Web.Api;

/// <summary>Panel meetings: set up by grant officers, seen by them and the meeting's members, views from members and decisions from the chair.</summary>
public static class PanelMeetingsApi
{
    public sealed record MeetingRequest(int? RoundId, DateOnly? MeetsOn, string? Title, List<string>? MemberIds, string? ChairId, List<int>? ApplicationIds);
    public sealed record ViewsRequest(List<PanelViewInput>? Views);
    public sealed record DecisionsRequest(List<DecisionRequest>? Decisions);
    /// <param name="Conditions">Plain words (one condition for the life of the grant) or a list of {text, kind, payment}, as on a decision task.</param>
    public sealed record DecisionRequest(int ApplicationId, string? Outcome, decimal? AmountAwarded, System.Text.Json.JsonElement? Conditions, string? MessageToApplicant, string? Note);
    public sealed record MemberView(string UserId, string Name, bool IsChair);
    public sealed record OpinionView(string UserId, string Name, string View, string? Comment, DateTime RecordedAt);
    public sealed record AssessmentView(string Assessor, string Recommendation, decimal? WeightedScore, string? Reasons);
    public sealed record AgendaItemView(int Rank, int ApplicationId, string Reference, string Organisation, string? ProjectTitle, decimal Requested,
        decimal? AverageScore, List<AssessmentView> Assessments, decimal RunningTotal, decimal LeftAfter, List<OpinionView> Views,
        string? Outcome, decimal? AmountAwarded, string? Conditions);
    public sealed record MeetingView(int Id, int FundId, int RoundId, string Title, DateOnly MeetsOn, string Status, DateTime? DecidedAt,
        List<MemberView> Members, decimal RoundBudget, decimal Available, List<AgendaItemView> Items);
    public sealed record MeetingSummary(int Id, int RoundId, string Title, DateOnly MeetsOn, string Status, int Applications, List<MemberView> Members);
    public sealed record AwaitingView(int ApplicationId, string Reference, string Organisation, string? ProjectTitle, decimal Requested);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/panel-meetings", async (PanelMeetings meetings, WorkflowActors actors, HttpContext http) =>
        {
            var list = await meetings.ListAsync(await actors.ForAsync(http.User));
            return TypedResults.Ok(list.Select(m => new MeetingSummary(m.Id, m.RoundId, m.Title, m.MeetsOn, Status(m), m.Items.Count,
                m.Members.OrderByDescending(p => p.IsChair).ThenBy(p => p.Name).Select(p => p.ToView()).ToList())).ToList());
        }).WithName("ListPanelMeetings").WithSummary("Panel meetings: every one for grant officers, those they sit on for panel members; still to decide first");

        api.MapGet("/panel-meetings/awaiting", async (int? roundId, PanelMeetings meetings, WorkflowActors actors, HttpContext http) =>
        {
            var actor = await actors.ForAsync(http.User);
            if (!actor.HasRole(Core.Data.Roles.GrantOfficer)) throw new ForbiddenException("Only grant officers set up panel meetings");
            if (roundId is not int round) throw new WorkflowInvalidException("Give the round, as ?roundId=", "roundId");
            var awaiting = await meetings.AwaitingAsync(round);
            return TypedResults.Ok(awaiting.Select(a => new AwaitingView(a.ApplicationId, a.Reference, a.Organisation, a.ProjectTitle, a.Requested)).ToList());
        }).WithName("ListAwaitingPanel").WithSummary("The round's applications waiting for a panel decision that no meeting still to decide holds (grant officers)");

        api.MapPost("/panel-meetings", async (MeetingRequest body, PanelMeetings meetings, WorkflowActors actors, HttpContext http) =>
        {
            var actor = await actors.ForAsync(http.User);
            var meeting = await meetings.CreateAsync(actor, new PanelMeetingInput(body.RoundId, body.MeetsOn, body.Title, body.MemberIds, body.ChairId, body.ApplicationIds));
            return TypedResults.Created($"/api/panel-meetings/{meeting.Id}", View(await meetings.PackAsync(meeting.Id, actor)));
        }).WithName("CreatePanelMeeting").WithSummary("Set up a meeting {roundId, meetsOn, title, memberIds, chairId (optional for a panel of one), applicationIds} (grant officers)");

        api.MapGet("/panel-meetings/{id:int}", async (int id, PanelMeetings meetings, WorkflowActors actors, HttpContext http) =>
            TypedResults.Ok(View(await meetings.PackAsync(id, await actors.ForAsync(http.User)))))
            .WithName("GetPanelMeeting").WithSummary("The meeting's pack: its applications ranked by weighted score with assessments, members' views, the running total against the round's budget and, once decided, the decisions");

        api.MapPost("/panel-meetings/{id:int}/views", async (int id, ViewsRequest body, PanelMeetings meetings, WorkflowActors actors, HttpContext http) =>
        {
            var actor = await actors.ForAsync(http.User);
            await meetings.RecordViewsAsync(id, actor, body.Views ?? []);
            return TypedResults.Ok(View(await meetings.PackAsync(id, actor)));
        }).WithName("RecordPanelViews").WithSummary("A member records {views: [{applicationId, view: fund | do-not-fund | abstain, comment}]}; a later view replaces the member's earlier one");

        api.MapPost("/panel-meetings/{id:int}/decisions", async (int id, DecisionsRequest body, PanelMeetings meetings, WorkflowActors actors, HttpContext http) =>
        {
            var actor = await actors.ForAsync(http.User);
            var decisions = (body.Decisions ?? []).Select((d, i) =>
            {
                try { return new PanelDecisionInput(d.ApplicationId, d.Outcome, d.AmountAwarded, null, d.MessageToApplicant, d.Note, Core.Grants.OfferCondition.FromJson(d.Conditions)); }
                catch (InputException e) { throw new InputException(e.Errors.ToDictionary(f => $"decisions[{i}].{f.Key}", f => f.Value)); }
            }).ToList();
            await meetings.RecordDecisionsAsync(id, actor, decisions);
            return TypedResults.Ok(View(await meetings.PackAsync(id, actor)));
        }).WithName("RecordPanelDecisions").WithSummary("The chair records {decisions: [{applicationId, outcome: approve | reject, amountAwarded, conditions (text, or a list of {text, kind, payment}), messageToApplicant, note}]} for every application, from the meeting's day; each moves its application's workflow, all or none");
    }

    private static string Status(PanelMeeting m) => m.Decided ? "decided" : "planned";

    private static MeetingView View(PanelPack pack) => new(pack.Meeting.Id, pack.Meeting.FundId, pack.Meeting.RoundId, pack.Meeting.Title, pack.Meeting.MeetsOn,
        Status(pack.Meeting), pack.Meeting.DecidedAt, pack.Meeting.Members.OrderByDescending(p => p.IsChair).ThenBy(p => p.Name).Select(p => p.ToView()).ToList(),
        pack.RoundBudget, pack.Available,
        pack.Items.Select(i => new AgendaItemView(i.Rank, i.Item.ApplicationId, i.Reference, i.Organisation, i.ProjectTitle, i.Requested, i.AverageScore,
            i.Assessments.Select(a => a.ToView()).ToList(), i.RunningTotal, i.LeftAfter, i.Item.Views.OrderBy(v => v.Name).Select(v => v.ToView()).ToList(),
            i.Item.Outcome, i.Item.AmountAwarded, i.Item.Conditions)).ToList());
}
