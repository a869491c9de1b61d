using Atlas.Data.Datasets;
using Atlas.Pipeline.Specs;
using Atlas.Stages.Tests.Support;

namespace Atlas.Stages.Tests;

/// <summary>The paper datasets the session's spec context knows, and the layout check that opening a session for a run makes.</summary>
public sealed class PaperDataLayoutTests
{
    private const string Spec = """
        name: paper
        seed: 1
        backbone: mini
        data:
          root: data
          sources:
            mnist: { pretrain: 100, train: 200, val: 50, test: 50 }
          datasets: [cars, dtd]
        pretrain:
          sources: [mnist]
          templates: cars
          steps: 2
          batch: 2
          lr: 0.001
        tasks:
          - name: cars
            source: cars
          - name: dtd
            source: dtd
        finetune:
          lr: 0.001
          batch: 2
          steps: 2

        """;

    [Fact]
    public void The_spec_context_knows_the_22_datasets_by_their_spec_names_with_their_class_counts()
    {
        var known = ExperimentSession.Known.PaperDatasets;

        Assert.Equal(22, known.Count);
        // Class counts from the datasets' own descriptions.
        Assert.Equal(196, known["cars"].ClassNames.Count);
        Assert.Equal(100, known["fgvc_aircraft"].ClassNames.Count);
        Assert.Equal(397, known["sun397"].ClassNames.Count);
        Assert.Equal(1000, known["imagenet"].ClassNames.Count);
        Assert.Equal(47, known["dtd"].ClassNames.Count);
        Assert.Equal(43, known["gtsrb"].ClassNames.Count);
        Assert.Equal(211, known["country211"].ClassNames.Count);
        Assert.All(known.Values, d => Assert.All(d.Templates, t => Assert.Contains("{c}", t)));
    }

    [Fact]
    public void Opening_for_a_run_lists_every_missing_dataset_in_spec_order_and_writes_nothing()
    {
        using var repository = new TempRepository(Spec);
        Directory.CreateDirectory(repository.Absolute("data"));

        var error = Assert.Throws<SpecException>(() => repository.Open().Dispose());

        // Each at its place in the spec: "  datasets: [cars, dtd]" is line 8, cars at column 14 and dtd at 20.
        int cars = error.Message.IndexOf($"{repository.SpecPath}:8:14: data.datasets[0]: Dataset 'cars': ", StringComparison.Ordinal);
        int dtd = error.Message.IndexOf($"{repository.SpecPath}:8:20: data.datasets[1]: Dataset 'dtd': missing folder: ", StringComparison.Ordinal);
        Assert.True(cars > 0 && dtd > cars, error.Message);
        Assert.Contains(PaperDatasetReaders.For(PaperDataset.Cars).ExpectedLayout, error.Message);
        Assert.Contains(PaperDatasetReaders.For(PaperDataset.Dtd).ExpectedLayout, error.Message);
        Assert.Equal([repository.Absolute("data"), repository.SpecPath], Directory.GetFileSystemEntries(repository.Root).Order());
    }

    [Fact]
    public void Opening_for_the_graph_only_does_not_look_at_the_dataset_folders()
    {
        using var repository = new TempRepository(Spec);
        Directory.CreateDirectory(repository.Absolute("data"));

        using var session = ExperimentSession.Open(repository.SpecPath, new StringWriter(), repository.Root, SpecCheckLevel.GraphOnly);

        Assert.Equal(196, session.Context.Task("cars").Classes.Count);
        Assert.Contains("finetune/dtd", session.Stages.Select(s => s.Id));
    }

    [Fact]
    public void A_plan_whose_data_root_is_not_there_shows_the_graph_even_where_a_stage_has_a_lock()
    {
        using var repository = new TempRepository(Spec.Replace("root: data", "root: ${ATLAS_STAGES_TEST_UNSET}", StringComparison.Ordinal));
        var dataLock = repository.Absolute(Path.Combine("artifacts", "paper", "data", "lock.json"));
        Directory.CreateDirectory(Path.GetDirectoryName(dataLock)!);
        File.WriteAllText(dataLock, "{"); // a damaged lock: freshness then lists the stage's inputs

        using var session = ExperimentSession.Open(repository.SpecPath, new StringWriter(), repository.Root, SpecCheckLevel.GraphOnly);
        var plan = session.Plan();

        Assert.False(plan["data"].IsUpToDate);
        Assert.Contains("inputs cannot be listed: ", plan["data"].ToString());
        Assert.Contains("${ATLAS_STAGES_TEST_UNSET}", plan["data"].ToString());
    }
}
