Console.WriteLine(typeof(LibGit2Sharp.Repository).Assembly.GetName().Version + " " + LibGit2Sharp.GlobalSettings.Version);
