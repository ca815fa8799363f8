using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Stride.Server.Auth;
using Stride.Storage;

namespace Stride.Server.Dashboard;

/// <summary>Signs in with an API key holding the read scope; the cookie keeps the key's id, never the key.</summary>
public sealed class SignInModel(IKeyStore keys) : PageModel
{
    [BindProperty]
    public string? Key { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var key = Key?.Trim() ?? "";
        var record = key.Length == 0 ? null : await HttpContext.RequestServices.GetRequiredService<KeyCache>().FindAsync(key, keys, ct);
        Error = key.Length == 0 ? "Enter an API key." : DashboardAuth.Refuse(record);
        if (Error is not null)
        {
            Key = null;   // never echoed back into the page
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }

        await HttpContext.SignInAsync(DashboardAuth.Scheme, DashboardAuth.Principal(record!));
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
    }
}
