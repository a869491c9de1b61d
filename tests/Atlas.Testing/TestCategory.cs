namespace Atlas.Testing;

/// <summary>
/// Trait names and values for <c>[Trait(TestCategory.Name, TestCategory.Slow)]</c>. Slow tests run the micro pipeline,
/// spawn processes or otherwise take more than about two seconds; the fast filter leaves them out:
/// <c>dotnet test --filter "Category!=Slow"</c>.
/// </summary>
public static class TestCategory
{
    public const string Name = "Category";

    public const string Slow = "Slow";
}
