using System.Reflection;
using System.Xml.Linq;

namespace ContactCenter.Hosting.Tests.Architecture;

/// <summary>
/// The one dependency rule: Sip, Routing, Ivr and Dialer never reference each other, never reference
/// Hosting or Cli, and depend only on the BCL and Microsoft.Extensions.*.Abstractions-style packages.
/// </summary>
public sealed class DependencyRuleTests
{
    private static readonly string[] Libraries = ["ContactCenter.Sip", "ContactCenter.Routing", "ContactCenter.Ivr", "ContactCenter.Dialer"];
    private static readonly string[] Forbidden = [.. Libraries, "ContactCenter.Hosting", "ContactCenter.Cli"];

    public static TheoryData<string> LibraryNames => [.. Libraries];

    [Theory]
    [MemberData(nameof(LibraryNames))]
    public void Library_project_references_no_other_ContactCenter_project(string library)
    {
        var references = ProjectReferences(library);

        Assert.DoesNotContain(references, r => r.StartsWith("ContactCenter.", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(LibraryNames))]
    public void Library_packages_are_abstractions_only(string library)
    {
        var allowed = new[]
        {
            "Microsoft.Extensions.Logging.Abstractions",
            "Microsoft.Extensions.Options",
            "Microsoft.Extensions.DependencyInjection.Abstractions",
            "Microsoft.Extensions.Configuration.Abstractions",
            "Microsoft.Extensions.Hosting.Abstractions",
        };

        var packages = Project(library).Descendants("PackageReference").Select(p => (string?)p.Attribute("Include") ?? "");

        Assert.All(packages, p => Assert.Contains(p, allowed));
    }

    [Theory]
    [MemberData(nameof(LibraryNames))]
    public void Compiled_library_references_no_other_ContactCenter_assembly(string library)
    {
        var assembly = Assembly.Load(library);
        var referenced = assembly.GetReferencedAssemblies().Select(a => a.Name ?? "").ToList();

        Assert.DoesNotContain(referenced, n => Forbidden.Contains(n, StringComparer.Ordinal) && n != library);
    }

    [Fact]
    public void The_rule_catches_a_forbidden_reference()
    {
        // Guards the guard: a project file that references a sibling must be reported.
        var bad = XDocument.Parse("""
            <Project Sdk="Microsoft.NET.Sdk">
              <ItemGroup><ProjectReference Include="..\ContactCenter.Sip\ContactCenter.Sip.csproj" /></ItemGroup>
            </Project>
            """);

        Assert.Contains("ContactCenter.Sip", ReferencedProjectNames(bad));
    }

    private static XDocument Project(string library) =>
        XDocument.Load(Path.Combine(ContactCenter.Testing.RepositoryPaths.Root, "src", library, library + ".csproj"));

    private static List<string> ProjectReferences(string library) => ReferencedProjectNames(Project(library));

    private static List<string> ReferencedProjectNames(XDocument project) =>
        [.. project.Descendants("ProjectReference")
            .Select(p => Path.GetFileNameWithoutExtension(((string?)p.Attribute("Include") ?? "").Replace('\\', '/')))];
}
