using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Stride.Storage;

namespace Stride.Server.Dashboard;

/// <summary>Registers and maps the web dashboard (SPEC §5): Razor Pages rooted in this folder, and its sign-in cookie.</summary>
internal static class DashboardSetup
{
    public static WebApplicationBuilder AddStrideDashboard(this WebApplicationBuilder builder)
    {
        // The stylesheet is found through the build's static web assets manifest in every
        // environment, not only Development, so that `dotnet run` and the tests serve it too; a
        // published app has no such manifest and serves its own wwwroot.
        builder.WebHost.UseStaticWebAssets();
        var services = builder.Services;
        services.AddRazorPages(o =>
        {
            o.RootDirectory = "/Dashboard";
        });

        // Its own scheme, never the default: API requests keep authenticating by key only, and the
        // pages authenticate this scheme explicitly (DashboardPageModel), so that no authorization
        // middleware runs on API requests.
        services.AddAuthentication().AddCookie(DashboardAuth.Scheme, o =>
        {
            o.Cookie.Name = "stride_dashboard";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.LoginPath = DashboardAuth.SignInPath;
            o.ExpireTimeSpan = TimeSpan.FromHours(12);
            o.SlidingExpiration = true;
            o.Events = new CookieAuthenticationEvents { OnValidatePrincipal = DashboardAuth.ValidateAsync };
        });
        // The cookies' encryption keys live in the database (StoreKeyRepository), so every node of one
        // database reads every other's cookies. The application name, not the content root, tells
        // apps apart, so nodes installed in different folders still share the keys.
        services.AddDataProtection().SetApplicationName("Stride");
        services.AddOptions<KeyManagementOptions>()
            .Configure<IDataProtectionKeyStore>((o, store) => o.XmlRepository = new StoreKeyRepository(store));
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "stride_antiforgery";
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapStrideDashboard(this WebApplication app)
    {
        app.MapStaticAssets();   // wwwroot: the stylesheet, fingerprinted and cached
        app.MapRazorPages();
        return app;
    }
}
