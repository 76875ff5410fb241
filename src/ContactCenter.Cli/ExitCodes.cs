namespace ContactCenter.Cli;

/// <summary>The exit codes every <c>contactcenter</c> command uses.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>The input was invalid or a check failed.</summary>
    public const int Invalid = 1;

    /// <summary>The command line itself was wrong, or the command is not available yet.</summary>
    public const int Usage = 2;
}
