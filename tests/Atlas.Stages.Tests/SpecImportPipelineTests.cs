using System.Security.Cryptography;
using Atlas.Pipeline.Provenance;
using Atlas.Stages.Storage;
using Atlas.Stages.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Stages.Tests;

/// <summary>The micro experiment's foundation (no composition sections) run once: the source of the files the import
/// tests name and the outputs they must reproduce.</summary>
public sealed class MicroFoundationRun : IDisposable
{
    internal TempRepository Repository { get; } = new(MicroSpec.WithoutComposition);

    public MicroFoundationRun()
    {
        try
        {
            Repository.RunAll(new StringWriter());
        }
        catch
        {
            Repository.Dispose();
            throw;
        }
    }

    public void Dispose() => Repository.Dispose();
}

/// <summary>
/// Checkpoints named in a spec enter the graph through import stages: the micro foundation with its own pretrained
/// weights (and fine-tuned tower, task vector) given back as files reruns nothing but the imports and what reads them,
/// and reproduces the computed run bit for bit; a changed file makes its import stale.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Slow)] // runs the micro foundation
public sealed class SpecImportPipelineTests(MicroFoundationRun baseline) : IClassFixture<MicroFoundationRun>
{
    private const string Experiment = "artifacts/micro";

    private TempRepository Baseline => baseline.Repository;

    private static string Stage(string id, string file) => Path.Combine(Experiment, id, file);

    /// <summary>The foundation spec with the pretrain section replaced by <c>pretrained_checkpoint: FILE</c>.</summary>
    private static string WithPretrained(string file)
    {
        var text = MicroSpec.WithoutComposition;
        int start = text.IndexOf("pretrain:\n", StringComparison.Ordinal), end = text.IndexOf("templates:\n", StringComparison.Ordinal);
        return string.Concat(text.AsSpan(0, start), $"pretrained_checkpoint: {file}\n\n", text.AsSpan(end));
    }

    private void AssertSameFile(TempRepository repository, string relativePath) =>
        Assert.True(File.ReadAllBytes(Baseline.Absolute(relativePath)).AsSpan().SequenceEqual(File.ReadAllBytes(repository.Absolute(relativePath))),
            $"{relativePath} differs from the computed run's");

    [Fact]
    public void A_pretrained_checkpoint_file_replaces_pretrain_reproduces_the_downstream_outputs_and_its_change_reruns_them()
    {
        using var repository = new TempRepository(WithPretrained("weights/clip.safetensors"));
        Directory.CreateDirectory(repository.Absolute("weights"));
        File.Copy(Baseline.Absolute(Stage(StageIds.Pretrain, "clip.safetensors")), repository.Absolute("weights/clip.safetensors"));

        List<string> order;
        using (var session = repository.Open())
        {
            order = session.Graph.TopologicalOrder().Select(n => n.Id).ToList();
            Assert.Equal(StageIds.ImportPretrained, order[1]);
            Assert.DoesNotContain(StageIds.Pretrain, order);
            Assert.All(session.Plan(), p => Assert.False(p.Value.IsUpToDate));
        }
        string[] foundation =
        [
            StageIds.Data, StageIds.ImportPretrained,
            .. MicroSpec.Tasks.Select(StageIds.Head), .. MicroSpec.Tasks.Select(StageIds.FineTune),
            .. MicroSpec.Tasks.Select(StageIds.TaskVector), .. MicroSpec.Tasks.Select(StageIds.Evaluate), StageIds.Report,
        ];
        Assert.Equal(foundation.Order(), order.Order());

        var ran = repository.RunAll(new StringWriter());

        Assert.Equal(order, ran);
        // The lock records the source file's SHA-256, computed here with .NET's SHA256 over the bytes.
        var importLock = LockStore.Read(repository.Absolute(Path.Combine(Experiment, StageIds.ImportPretrained))).Record!;
        var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(repository.Absolute("weights/clip.safetensors"))));
        Assert.Equal(sha, importLock.Inputs["weights/clip.safetensors"]);
        // Downstream stages read the imported θ0 exactly as they read pretrain's: the same heads, fine-tunes, task
        // vectors and accuracies, byte for byte.
        foreach (var task in MicroSpec.Tasks)
        {
            AssertSameFile(repository, Stage(StageIds.Head(task), "head.safetensors"));
            AssertSameFile(repository, Stage(StageIds.FineTune(task), "visual.safetensors"));
            AssertSameFile(repository, Stage(StageIds.TaskVector(task), "task_vector.safetensors"));
            AssertSameFile(repository, Stage(StageIds.Evaluate(task), "accuracy.json"));
        }
        using (var session = repository.Open()) Assert.All(session.Plan(), p => Assert.True(p.Value.IsUpToDate, $"{p.Key}: {p.Value}"));

        // New bytes in the file (logit_scale + 0.5): the import and everything downstream of it are stale, data is not.
        var file = repository.Absolute("weights/clip.safetensors");
        using (NewDisposeScope())
        {
            var weights = SafeTensorsFile.Load(file);
            using Scalar half = 0.5.ToScalar();
            weights["logit_scale"] = weights["logit_scale"].add(half);
            SafeTensorsFile.Save(file, weights);
        }
        using (var session = repository.Open())
        {
            var plan = session.Plan();
            Assert.Equal(order.Where(id => id != StageIds.Data).Order(), plan.Where(p => !p.Value.IsUpToDate).Select(p => p.Key).Order());
            Assert.Contains("input weights/clip.safetensors changed", plan[StageIds.ImportPretrained].ToString());
            Assert.Contains($"upstream will run: {StageIds.ImportPretrained}", plan[StageIds.Head("mnist")].ToString());
        }
    }

    [Fact]
    public void A_task_vector_file_and_a_fine_tuned_checkpoint_replace_their_tasks_stages_and_reproduce_the_accuracies()
    {
        const string vectorTask = "mnist", tunedTask = "mnist_parity";
        var text = MicroSpec.WithoutComposition
            .Replace("    templates: digit\n", "    templates: digit\n    task_vector_file: weights/mnist_vector.safetensors\n", StringComparison.Ordinal)
            .Replace("    templates: category\n", "    templates: category\n    finetuned_checkpoint: weights/parity_clip.safetensors\n", StringComparison.Ordinal);
        using var repository = new TempRepository(text);
        repository.CopyArtifactsFrom(Baseline);
        Directory.CreateDirectory(repository.Absolute("weights"));
        File.Copy(Baseline.Absolute(Stage(StageIds.TaskVector(vectorTask), "task_vector.safetensors")), repository.Absolute("weights/mnist_vector.safetensors"));
        using (NewDisposeScope())
        {
            // A whole fine-tuned CLIP, as open_clip saves one: the computed run's θ0 with its fine-tuned image tower.
            var clip = SafeTensorsFile.Load(Baseline.Absolute(Stage(StageIds.Pretrain, "clip.safetensors")));
            foreach (var (name, tensor) in SafeTensorsFile.Load(Baseline.Absolute(Stage(StageIds.FineTune(tunedTask), "visual.safetensors"))))
                clip[name] = tensor;
            SafeTensorsFile.Save(repository.Absolute("weights/parity_clip.safetensors"), clip);
        }

        // In graph order: the imports, the task vector of the imported tower, both evaluations, the report.
        string[] stale =
        [
            StageIds.ImportFineTune(tunedTask), StageIds.ImportTaskVector(vectorTask), StageIds.TaskVector(tunedTask),
            StageIds.Evaluate(vectorTask), StageIds.Evaluate(tunedTask), StageIds.Report,
        ];
        using (var session = repository.Open())
        {
            var ids = session.Graph.Nodes.Select(n => n.Id).ToHashSet();
            Assert.Contains(StageIds.ImportTaskVector(vectorTask), ids);
            Assert.DoesNotContain(StageIds.FineTune(vectorTask), ids);
            Assert.DoesNotContain(StageIds.TaskVector(vectorTask), ids);
            Assert.Contains(StageIds.ImportFineTune(tunedTask), ids);
            Assert.DoesNotContain(StageIds.FineTune(tunedTask), ids);
            Assert.Equal([StageIds.Pretrain, StageIds.ImportFineTune(tunedTask)], session.Graph[StageIds.TaskVector(tunedTask)].DependsOn);
            Assert.Equal([StageIds.Data, StageIds.Head(vectorTask), StageIds.ImportTaskVector(vectorTask)], session.Graph[StageIds.Evaluate(vectorTask)].DependsOn);

            Assert.Equal(stale.Order(), session.Plan().Where(p => !p.Value.IsUpToDate).Select(p => p.Key).Order());
        }

        var ran = repository.RunAll(new StringWriter());

        // The task vector computed from the imported tower is the computed run's byte for byte, so the evaluation that
        // reads it finds its inputs unchanged at run time and is skipped; the imported vector's task scores as before.
        Assert.Equal(stale.Where(id => id != StageIds.Evaluate(tunedTask)), ran);
        AssertSameFile(repository, Stage(StageIds.TaskVector(tunedTask), "task_vector.safetensors"));
        AssertSameFile(repository, Stage(StageIds.Evaluate(vectorTask), "accuracy.json"));
        using (var session = repository.Open()) Assert.All(session.Plan(), p => Assert.True(p.Value.IsUpToDate, $"{p.Key}: {p.Value}"));
    }
}
