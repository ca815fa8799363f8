using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Stride.Server.Dashboard;

/// <summary>
/// The base of every signed-in page: authenticates the dashboard cookie before the handler runs
/// and sends anyone without a valid session to the sign-in page.
/// </summary>
/// <remarks>
/// A check here instead of <c>[Authorize]</c>: that needs the authorization middleware, which
/// costs every API request (the API checks scopes in <c>Auth/ScopeChecks.cs</c> instead).
/// </remarks>
public abstract class DashboardPageModel : PageModel
{
    private DashboardSession? _session;

    /// <summary>The signed-in key; set before any handler runs.</summary>
    internal DashboardSession Session => _session ?? throw new InvalidOperationException("No dashboard session.");

    public string KeyName => _session?.KeyName ?? "";

    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var result = await HttpContext.AuthenticateAsync(DashboardAuth.Scheme);
        _session = result.Succeeded ? DashboardAuth.Session(result.Principal) : null;
        if (_session is null)
        {
            var returnUrl = Request.Path + Request.QueryString;
            context.Result = new RedirectToPageResult("/SignIn", new { returnUrl = returnUrl == "/" ? null : returnUrl });
            return;
        }

        await next();
    }
}
