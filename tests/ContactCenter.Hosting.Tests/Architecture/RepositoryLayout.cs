namespace ContactCenter.Hosting.Tests.Architecture;

/// <summary>Finds the repository's files from a test's output folder.</summary>
internal static class RepositoryLayout
{
    /// <summary>The folder that holds ContactCenter.sln.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ContactCenter.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"ContactCenter.sln not found above {AppContext.BaseDirectory}.");
    }
}
