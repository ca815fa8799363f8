namespace Stride.Cli;

/// <summary>The command line cannot be carried out as given (exit code 2): nothing was sent.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>The work failed (exit code 1): the server rejected it, stayed unreachable, or git could not give what was needed.</summary>
internal sealed class CommandFailedException(string message) : Exception(message);

/// <summary>Exit codes, as pulse-event-cli users and CI scripts expect them.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Failed = 1;
    public const int Usage = 2;
}
