using GrantManager.Core.Applications;
using GrantManager.Core.Workflows;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using GrantManager.Core;

namespace GrantManager.Web.Pages.Applicant.Applications;

/// <summary>Withdrawing is final, so it is confirmed first, with an optional reason for the grants team.</summary>
public sealed class WithdrawModel(ApplicationService applications, WorkflowActors actors, WorkflowRuntime runtime, IOptions<Core.Configuration.CouncilOptions> council)
    : ApplicantPage(applications, actors)
{
    [BindProperty] public string? Reason { get; set; }
    public string ContactEmail => council.Value.ContactEmail;

    public async Task<IActionResult> OnGetAsync(int id) => await MayWithdrawAsync(id) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(int id)
    {
        if (!await LoadAsync(id)) return NotFound();
        if (Reason is { Length: > 2000 }) ModelState.AddModelError(nameof(Reason), "Your reason must be 2,000 characters or fewer");
        if (!ModelState.IsValid) return Page();
        try
        {
            await Applications.WithdrawAsync(id, Actor, string.IsNullOrWhiteSpace(Reason) ? null : Reason.Trim());
            TempData["Success"] = "Your application has been withdrawn";
            return Redirect($"/Applicant/Applications/{id}");
        }
        catch (RefusedException e) { ModelState.AddModelError(nameof(Reason), e.Message); }
        return Page();
    }

    private async Task<bool> MayWithdrawAsync(int id) =>
        await LoadAsync(id) && Application.WorkflowInstanceId is Guid instance
        && (await runtime.AvailableActionsAsync(instance, Actor)).Any(t => t.Trigger == "withdraw");
}
