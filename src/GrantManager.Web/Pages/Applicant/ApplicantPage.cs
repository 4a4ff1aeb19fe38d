using GrantManager.Core.Applications;
using GrantManager.Core.Workflows;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc.RazorPages;
using GrantManager.Core;

namespace GrantManager.Web.Pages.Applicant;

/// <summary>Shared by the applicant's application pages: the application if it is theirs, and errors onto the form.</summary>
public abstract class ApplicantPage(ApplicationService applications, WorkflowActors actors) : PageModel
{
    protected ApplicationService Applications => applications;
    public Application Application { get; protected set; } = null!;
    protected Actor Actor { get; private set; } = null!;

    /// <summary>Loads the caller's own application; false (show 404) for anyone else's.</summary>
    protected async Task<bool> LoadAsync(int id)
    {
        Actor = await actors.ForAsync(User);
        try { Application = await applications.ForReadingAsync(id, Actor); }
        catch (NotFoundException) { return false; }
        return Application.OrganisationId == Actor.OrganisationId;
    }

    /// <summary>Puts the service's field errors (API names) on this page's fields.</summary>
    protected void AddErrors(InputException e, Func<string, string> field)
    {
        foreach (var (key, messages) in e.Errors)
            foreach (var message in messages)
                ModelState.AddModelError(field(key), message);
    }

    public bool IsDraft => Application.WorkflowInstanceId is null;

    protected static string Pascal(string key) => string.Concat(key.Split('.').Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
}
