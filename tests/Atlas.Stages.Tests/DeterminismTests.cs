using System.Text.Json;
using System.Text.Json.Nodes;
using Atlas.Data;
using Atlas.Pipeline.Provenance;
using Atlas.Pipeline.Specs;
using Atlas.Store;
using Atlas.Stages.Storage;
using Atlas.Stages.Tests.Support;
using Atlas.Training;
using Atlas.Training.Optim;
using static TorchSharp.torch;

namespace Atlas.Stages.Tests;

/// <summary>
/// A stage's outputs are a function of its parameters and inputs: a forced rerun and a run resumed from a snapshot
/// both reproduce the uninterrupted run byte for byte (same thread count); a snapshot of another run is ignored.
/// </summary>
[Collection(MicroPipelineCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Slow)] // runs the micro pipeline
public sealed class DeterminismTests(MicroPipeline pipeline)
{
    private const string Task = "fashion_coarse";
    private static readonly string StageId = StageIds.FineTune(Task);

    [Fact]
    public void Forced_rerun_gives_byte_identical_outputs()
    {
        using var repository = CopyOfPipeline();
        var reference = Outputs(repository);

        using (var session = repository.Open()) Assert.True(session.Run(StageId, force: true));

        Assert.Equal(reference, Outputs(repository));
    }

    [Fact]
    public void Run_killed_after_its_last_snapshot_resumes_to_the_same_bytes()
    {
        using var repository = CopyOfPipeline();
        var reference = Outputs(repository);
        var layout = new ArtifactLayout(MicroSpec.Name);
        foreach (var path in reference.Keys) File.Delete(repository.Absolute(path));

        // The progress line of the last step is printed after the last snapshot (step 5 of 6) and before the result is written.
        var killing = new KillSwitchLog($"[{StageId}] step 6/6");
        using (var session = repository.Open(killing))
            Assert.Throws<SimulatedKill>(() => session.Run(StageId, force: true));

        var failed = LockStore.Read(repository.Absolute(layout.StageDir(StageId))).Record;
        Assert.Equal(LockStatus.Failed, failed?.Status);
        Assert.Empty(failed!.Outputs);
        var snapshot = repository.Absolute(layout.FineTuneCheckpoint(Task));
        Assert.Equal("5", SafeTensorsFile.ReadMetadata(snapshot)["completed_steps"]);
        Assert.All(reference.Keys, path => Assert.False(File.Exists(repository.Absolute(path)), $"{path} written by a killed run"));

        var log = new StringWriter();
        using (var session = repository.Open(log))
        {
            Assert.Contains("last run failed", session.Plan()[StageId].ToString());
            Assert.True(session.Run(StageId, force: false));
        }

        Assert.Contains("resuming from the snapshot after step 5", log.ToString());
        Assert.Equal(reference, Outputs(repository));
        Assert.False(File.Exists(snapshot), "the snapshot outlived the completed stage");
        Assert.Equal(LockStatus.Succeeded, LockStore.Read(repository.Absolute(layout.StageDir(StageId))).Record?.Status);
    }

    [Fact]
    public void Run_stopped_midway_resumes_to_the_same_bytes()
    {
        using var repository = CopyOfPipeline();
        var reference = Outputs(repository);
        string snapshot = WriteMidwaySnapshot(repository, stopAfterStep: 3);
        Assert.Equal("3", SafeTensorsFile.ReadMetadata(snapshot)["completed_steps"]);

        var log = new StringWriter();
        using (var session = repository.Open(log)) Assert.True(session.Run(StageId, force: true));

        Assert.Contains("resuming from the snapshot after step 3", log.ToString());
        Assert.Equal(reference, Outputs(repository));
        Assert.False(File.Exists(snapshot));
    }

    [Fact]
    public void Snapshot_of_another_run_is_ignored()
    {
        using var repository = CopyOfPipeline();
        var reference = Outputs(repository);
        string snapshot = WriteMidwaySnapshot(repository, stopAfterStep: 3);

        // Same file, another run key, and zeroed tensors: resuming it would change the result.
        var metadata = SafeTensorsFile.ReadMetadata(snapshot).ToDictionary();
        metadata["run_key"] = "another-run";
        var zeroed = SafeTensorsFile.Load(snapshot).ToDictionary(p => p.Key, p => zeros_like(p.Value));
        SafeTensorsFile.Save(snapshot, zeroed, metadata);
        // Another run saves its snapshot with its own hash beside it: intact, just not this run's.
        File.WriteAllText(snapshot + ".sha256", Atlas.Store.ContentHash.OfFile(snapshot) + "\n");

        var log = new StringWriter();
        using (var session = repository.Open(log)) Assert.True(session.Run(StageId, force: true));

        Assert.Contains("belongs to other parameters or inputs; starting fresh", log.ToString());
        Assert.DoesNotContain("resuming", log.ToString());
        Assert.Equal(reference, Outputs(repository));
        Assert.False(File.Exists(snapshot));
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("shorter than the length field")]
    [InlineData("not safetensors")]
    [InlineData("garbage header length")]
    public void Unreadable_snapshot_is_ignored(string damage)
    {
        using var repository = CopyOfPipeline();
        var reference = Outputs(repository);
        string snapshot = WriteMidwaySnapshot(repository, stopAfterStep: 3);
        var bytes = File.ReadAllBytes(snapshot);
        switch (damage)
        {
            case "truncated": bytes = bytes[..^100]; break;
            case "shorter than the length field": bytes = bytes[..5]; break;
            case "not safetensors": bytes = "{\"run_key\": 1}"u8.ToArray(); break;
            default: System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue); break;
        }
        File.WriteAllBytes(snapshot, bytes);

        var log = new StringWriter();
        using (var session = repository.Open(log)) Assert.True(session.Run(StageId, force: true));

        Assert.DoesNotContain("resuming", log.ToString());
        Assert.Equal(reference, Outputs(repository));
        Assert.False(File.Exists(snapshot));
    }

    private TempRepository CopyOfPipeline()
    {
        var repository = new TempRepository();
        repository.CopyArtifactsFrom(pipeline.Repository);
        return repository;
    }

    /// <summary>The stage's output files (repository-relative) and their bytes.</summary>
    private static Dictionary<string, byte[]> Outputs(TempRepository repository)
    {
        using var session = repository.Open();
        var stage = session.Stages.Single(s => s.Id == StageId);
        return stage.Outputs(session.Context).ToDictionary(p => p, p => File.ReadAllBytes(repository.Absolute(p)));
    }

    /// <summary>
    /// Fine-tunes the task as its stage does, through the stage's snapshot file and run key (the key the lock records
    /// parameters and inputs give), and stops the run right after the snapshot of <paramref name="stopAfterStep"/>.
    /// </summary>
    private static string WriteMidwaySnapshot(TempRepository repository, long stopAfterStep)
    {
        using var session = repository.Open();
        var context = session.Context;
        var record = LockStore.Read(repository.Absolute(context.Layout.StageDir(StageId))).Record!;
        string runKey = ContentHash.OfJson(new JsonObject
        {
            ["parameters"] = record.Parameters.DeepClone(),
            ["inputs"] = JsonSerializer.SerializeToNode(record.Inputs),
        });
        var recipe = SpecResolver.Merge(context.Spec.Finetune, context.Task(Task).Finetune);
        Assert.Equal(6, recipe.Steps);
        Assert.True(stopAfterStep < recipe.Steps);

        set_num_threads(context.Spec.Threads);
        using var scope = NewDisposeScope();
        using var train = context.TaskData(context.Task(Task), SourceSplit.Train);
        var batches = new ImageBatches(train, recipe.Batch, new BatchAugmentation(recipe.CropScale[0], recipe.CropScale[1]), record.Seed);
        var optimization = new OptimizationRecipe(recipe.Lr, recipe.WeightDecay, recipe.Steps, recipe.WarmupSteps,
            Cosine: recipe.Schedule == ScheduleKind.Cosine, recipe.GradClip);
        string path = repository.Absolute(context.Layout.FineTuneCheckpoint(Task));
        var checkpoint = new StoppingCheckpoint(
            new FileCheckpoint(path, runKey, FileCheckpoint.IntervalFor(recipe.Steps), TextWriter.Null), stopAfterStep);
        Assert.Throws<SimulatedKill>(() => FineTuning.Run(context.PretrainedVisual(), HeadStage.Read(context, Task), batches,
            context.Config, optimization, new TrainingProgress(StageId, recipe.Steps, TextWriter.Null), checkpoint));
        return path;
    }
}
