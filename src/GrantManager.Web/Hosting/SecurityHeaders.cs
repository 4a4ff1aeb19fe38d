using GrantManager.Core.Configuration;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace GrantManager.Web.Hosting;

/// <summary>
/// The headers every response carries: a Content-Security-Policy that runs only the service's own
/// script files (no inline script, no eval), Permissions-Policy, no caching of anything signed in,
/// the API or documents, and — when <c>Security:HttpsOnly</c> says the service is served over HTTPS —
/// HSTS, redirection to HTTPS and Secure cookies.
/// </summary>
internal static class SecurityHeaders
{
    /// <summary>
    /// Scripts come only from the service's own files. Styles may be inline: Mermaid draws its diagrams as SVG
    /// with a style element, and a few paragraphs keep the applicant's line breaks with a style attribute.
    /// </summary>
    public const string PagePolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
        + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    /// <summary>An uploaded document is never run or shown as part of the service: even opened in the browser, it is sandboxed with no script.</summary>
    public const string DocumentPolicy = "sandbox; default-src 'none'; frame-ancestors 'none'";
    public const string Permissions = "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()";

    public static void AddSecurityHeaders(this IServiceCollection services, SecurityOptions security)
    {
        var cookies = security.HttpsOnly ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        services.AddAntiforgery(o => o.Cookie.SecurePolicy = cookies);
        services.Configure<Microsoft.AspNetCore.Mvc.CookieTempDataProviderOptions>(o => o.Cookie.SecurePolicy = cookies);
        services.PostConfigureAll<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>(o => o.Cookie.SecurePolicy = cookies);
        if (!security.HttpsOnly) return;
        services.AddHsts(o =>
        {
            o.MaxAge = TimeSpan.FromDays(365);
            // The setting says this service is reached over HTTPS, whatever its host name.
            o.ExcludedHosts.Clear();
        });
        services.AddHttpsRedirection(o => o.HttpsPort = security.HttpsPort);
        // A TLS-terminating proxy on the same machine says the request came over HTTPS.
        services.Configure<ForwardedHeadersOptions>(o => o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto);
    }

    public static void UseSecurityHeaders(this WebApplication app)
    {
        var security = app.Services.GetRequiredService<IOptions<SecurityOptions>>().Value;
        if (security.HttpsOnly)
        {
            app.UseForwardedHeaders();
            app.UseHsts();
            app.UseHttpsRedirection();
        }
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "same-origin";
            headers["Permissions-Policy"] = Permissions;
            var path = context.Request.Path;
            headers.ContentSecurityPolicy = path.StartsWithSegments("/Documents") ? DocumentPolicy : PagePolicy;
            context.Response.OnStarting(() =>
            {
                // Whoever is signed in is known only after authentication, so this is decided as the response starts.
                if (path.StartsWithSegments("/api") || path.StartsWithSegments("/Documents") || context.User.Identity?.IsAuthenticated == true)
                {
                    context.Response.Headers.CacheControl = "no-store";
                    context.Response.Headers.Pragma = "no-cache";
                }
                return Task.CompletedTask;
            });
            await next();
        });
    }
}
