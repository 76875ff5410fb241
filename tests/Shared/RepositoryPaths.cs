namespace ContactCenter.Testing;

/// <summary>Where the repository and the shared conformance material are, found from a test's output folder.</summary>
public static class RepositoryPaths
{
    /// <summary>The folder that holds ContactCenter.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The <c>shared</c> folder beside the repository (conformance corpus and scripts).</summary>
    public static string Shared => Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    /// <summary>The RFC 4475 conformance script, <c>shared/conformance/sip-torture.py</c>.</summary>
    public static string TortureScript => Path.Combine(Shared, "conformance", "sip-torture.py");

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
