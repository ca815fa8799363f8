// ASP.NET Core's implicit usings bring an obsolete Microsoft.AspNetCore.Hosting.EnvironmentName; ours is meant.
global using EnvironmentName = Stride.Core.Events.EnvironmentName;
