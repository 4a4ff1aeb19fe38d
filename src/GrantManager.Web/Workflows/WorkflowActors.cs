using System.Security.Claims;
using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using Microsoft.AspNetCore.Identity;
using GrantManager.Core;

namespace GrantManager.Web.Workflows;

/// <summary>Who is acting, as the workflow runtime needs to know it: id, name, roles and organisation.</summary>
public sealed class WorkflowActors(UserManager<User> users)
{
    public async Task<Actor> ForAsync(ClaimsPrincipal principal)
    {
        var user = await users.GetUserAsync(principal) ?? throw new ForbiddenException("Sign in to do this");
        return new Actor(user.Id, user.DisplayName, (await users.GetRolesAsync(user)).ToHashSet(), user.OrganisationId);
    }
}
