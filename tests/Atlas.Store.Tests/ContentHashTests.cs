using System.Text.Json.Nodes;
using Atlas.Store;

namespace Atlas.Store.Tests;

public sealed class ContentHashTests
{
    private const string AbcSha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    [Fact]
    public void File_hash_is_sha256_hex()
    {
        using var folder = new TempDirectory();
        File.WriteAllText(folder.File("abc.txt"), "abc");

        Assert.Equal(AbcSha256, ContentHash.OfFile(folder.File("abc.txt")));
    }

    [Fact]
    public void Directory_hash_depends_on_relative_paths_and_content_only()
    {
        using var first = new TempDirectory();
        using var second = new TempDirectory();
        Directory.CreateDirectory(first.File("b"));
        Directory.CreateDirectory(second.File("b"));
        File.WriteAllText(first.File("a.txt"), "x");
        File.WriteAllText(first.File("b/c.txt"), "y");
        File.WriteAllText(second.File("b/c.txt"), "y"); // created in the other order, elsewhere
        File.WriteAllText(second.File("a.txt"), "x");

        Assert.Equal(ContentHash.OfDirectory(first.Path), ContentHash.OfDirectory(second.Path));

        File.Move(second.File("a.txt"), second.File("renamed.txt"));
        Assert.NotEqual(ContentHash.OfDirectory(first.Path), ContentHash.OfDirectory(second.Path));
    }

    [Fact]
    public void Json_hash_ignores_key_order_whitespace_and_number_spelling()
    {
        var a = JsonNode.Parse("""{ "lr": 1.0, "nested": { "y": [1, 2], "x": "s" } }""");
        var b = JsonNode.Parse("""{"nested":{"x":"s","y":[1,2]},"lr":1}""");
        var c = new JsonObject { ["nested"] = new JsonObject { ["x"] = "s", ["y"] = new JsonArray(1, 2) }, ["lr"] = 1.0 };

        Assert.Equal(ContentHash.OfJson(a), ContentHash.OfJson(b));
        Assert.Equal(ContentHash.OfJson(a), ContentHash.OfJson(c));
        Assert.NotEqual(ContentHash.OfJson(a), ContentHash.OfJson(JsonNode.Parse("""{"nested":{"x":"s","y":[2,1]},"lr":1}""")));
    }
}
