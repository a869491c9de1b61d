using System.Reflection;
using System.Runtime.Loader;
using Atlas.Pipeline.Provenance;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Atlas.Pipeline.Tests.Provenance;

/// <summary>
/// The code fingerprint on two versions of a small program compiled here, differing in one method body: the entry points
/// that reach that method (directly, through a lambda, an interface, an iterator, an async method, a static field's
/// initialiser) change fingerprint, the one that does not reach it keeps its fingerprint, and an unrelated addition to the
/// assembly changes nothing.
/// </summary>
public sealed class CodeFingerprintTests
{
    private const string Program = """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading.Tasks;

        public static class Changed
        {
            public static int Value(int x) => x + 1; // CHANGE
        }

        public interface IStep { int Apply(int x); }
        public sealed class ChangedStep : IStep { public int Apply(int x) => Changed.Value(x); }
        public sealed class OtherStep : IStep { public int Apply(int x) => x * 2; }

        public static class Table
        {
            public static readonly int[] Values = Enumerable.Range(0, 3).Select(Changed.Value).ToArray();
        }

        public static class Entries
        {
            public static int Direct(int x) => Changed.Value(x) * 3;
            public static int ThroughLambda(int[] xs) => xs.Select(x => Changed.Value(x)).Sum();
            public static int ThroughInterface(IStep step, int x) => step.Apply(x);
            public static int ThroughIterator(int n) => Items(n).Sum();
            private static IEnumerable<int> Items(int n) { for (int i = 0; i < n; i++) yield return Changed.Value(i); }
            public static async Task<int> ThroughAsync(int x) { await Task.Yield(); return Changed.Value(x); }
            public static int ThroughStaticField() => Table.Values.Length;
            public static int Unrelated(int x) => Math.Max(x, 0) - 4;
        }
        // EXTRA
        """;

    private static readonly string[] Reaching = ["Direct", "ThroughLambda", "ThroughInterface", "ThroughIterator", "ThroughAsync", "ThroughStaticField"];

    [Fact]
    public void A_changed_method_changes_the_fingerprint_of_every_entry_that_reaches_it_and_no_other()
    {
        var before = Fingerprints(Program);
        var after = Fingerprints(Program.Replace("x + 1; // CHANGE", "x + 2; // CHANGE", StringComparison.Ordinal));

        Assert.All(Reaching, entry => Assert.NotEqual(before[entry], after[entry]));
        Assert.Equal(before["Unrelated"], after["Unrelated"]);
    }

    [Fact]
    public void Adding_unrelated_code_to_the_assembly_changes_no_fingerprint()
    {
        var before = Fingerprints(Program);
        var after = Fingerprints(Program.Replace("// EXTRA", """
            public static class Added
            {
                public static string Name = "new";
                public static int More(int x) => x - 7;
            }
            """, StringComparison.Ordinal));

        Assert.All(before, pair => Assert.Equal(pair.Value, after[pair.Key]));
    }

    [Fact]
    public void The_same_code_gives_the_same_fingerprint_in_another_compilation_and_entries_differ()
    {
        var first = Fingerprints(Program);
        var second = Fingerprints(Program);

        Assert.Equal(first, second);
        Assert.Equal(first.Count, first.Values.Distinct().Count());
        Assert.All(first.Values, hash => Assert.Matches("^[0-9a-f]{64}$", hash));
    }

    [Fact]
    public void The_same_code_built_in_another_folder_keeps_its_fingerprints()
    {
        // A file-local type (the regex source generator makes one per file) is named after a hash of its file's path:
        // <Program>F3A…__Helper. The same code checked out elsewhere must not look changed.
        string withFileLocal = Program.Replace("// EXTRA", """
            public static class ViaFileLocal { public static int Run(int x) => Helper.Twice(x); }
            file static class Helper { public static int Twice(int x) => 2 * x; }
            """, StringComparison.Ordinal).Replace("public static int Unrelated(int x) => Math.Max(x, 0) - 4;",
            "public static int Unrelated(int x) => Math.Max(x, 0) - 4;\n    public static int FileLocal(int x) => ViaFileLocal.Run(x);", StringComparison.Ordinal);

        var here = Fingerprints(withFileLocal, "/home/one/checkout/src/Program.cs");
        var there = Fingerprints(withFileLocal, "/srv/other/clone/src/Program.cs");

        Assert.Equal(here, there);
        // ... while the file-local code is still part of the fingerprint.
        Assert.NotEqual(here["FileLocal"], Fingerprints(withFileLocal.Replace("=> 2 * x;", "=> 3 * x;", StringComparison.Ordinal), "/srv/other/clone/src/Program.cs")["FileLocal"]);
    }

    /// <summary>Compiles <paramref name="source"/>, loads it into its own collectible context and fingerprints every
    /// public method of <c>Entries</c> with the compiled assembly as the project.</summary>
    private static Dictionary<string, string> Fingerprints(string source, string sourcePath = "Program.cs")
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create("Fingerprinted", [CSharpSyntaxTree.ParseText(source, path: sourcePath)], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release, deterministic: true));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        image.Position = 0;

        var context = new AssemblyLoadContext($"fingerprint-{Guid.NewGuid():N}", isCollectible: true);
        try
        {
            var assembly = context.LoadFromStream(image);
            var fingerprint = new CodeFingerprint(a => a == assembly);
            return assembly.GetType("Entries")!.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .ToDictionary(m => m.Name, m => fingerprint.Of(m));
        }
        finally
        {
            context.Unload();
        }
    }
}
