using Atlas.Data.Datasets;

namespace Atlas.Data.Tests.Datasets;

public class ValidationSplitFileTests
{
    [Fact]
    public void Atlas_split_round_trips_through_the_file()
    {
        using var folder = new DatasetFolder();
        string path = folder.PathOf("splits/dtd.validation.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var split = ValidationSplitIndices.Atlas(PaperDataset.Dtd, 49);

        ValidationSplitFile.Write(path, split);
        ValidationSplitIndices read = ValidationSplitFile.Read(path);

        // torch 1.13: random_split(range(49), [45, 4], Generator().manual_seed(0)).indices of the second part.
        Assert.Equal([32, 7, 14, 28], read.ValidationIndices);
        Assert.Equal((PaperDataset.Dtd, 49, 0L, 4), (read.Dataset, read.TrainCount, read.Seed, read.ValidationCount));
        Assert.Equal("{\"format\":\"atlas-validation-split/1\",\"dataset\":\"dtd\",\"n\":49,\"v\":4,\"seed\":0,\"validation\":[32,7,14,28]}\n", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!)); // no temp file left
    }

    [Theory]
    [InlineData("{\"format\":\"atlas-validation-split/1\",\"dataset\":\"dtd\",\"n\":49,\"v\":4,\"seed\":0,\"validation\":[32,7,14]}", "'validation'")]
    [InlineData("{\"format\":\"atlas-validation-split/1\",\"dataset\":\"dtd\",\"n\":49,\"v\":2,\"seed\":0,\"validation\":[32,49]}", "'validation[1]'")]
    [InlineData("{\"format\":\"atlas-validation-split/1\",\"dataset\":\"dtd\",\"n\":49,\"v\":2,\"seed\":0,\"validation\":[7,7]}", "'validation[1]'")]
    [InlineData("{\"format\":\"atlas-validation-split/1\",\"dataset\":\"texture\",\"n\":49,\"v\":1,\"seed\":0,\"validation\":[7]}", "'dataset'")]
    [InlineData("{\"format\":\"atlas-validation-split/1\",\"dataset\":\"dtd\",\"v\":1,\"seed\":0,\"validation\":[7]}", "'n'")]
    [InlineData("{\"format\":\"other/1\",\"dataset\":\"dtd\",\"n\":49,\"v\":1,\"seed\":0,\"validation\":[7]}", "'format'")]
    [InlineData("{\"format\":\"atlas-validation-split/1\",\"dataset\":\"dtd\",\"n\":49,\"v\":1,\"seed\":\"0\",\"validation\":[7]}", "'seed'")]
    [InlineData("{\"format\":", "not valid JSON")]
    public void Malformed_file_names_the_file_and_the_field(string json, string expected)
    {
        using var folder = new DatasetFolder();
        string path = folder.Text("split.json", json);
        var error = Assert.Throws<InvalidDataException>(() => ValidationSplitFile.Read(path));
        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
    }
}
