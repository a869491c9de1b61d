using Atlas.Stages.Storage;
using Atlas.Stages.Tests.Support;
using Atlas.Training;
using static TorchSharp.torch;

namespace Atlas.Stages.Tests;

/// <summary>
/// A truncated or corrupted checkpoint, task vector or resumable snapshot is found before it is used, by its hash,
/// and reported by file: a stage refuses a produced input whose bytes are not its producer's record (even one that kept
/// its size and modification time, which the hash cache trusts), and a snapshot that does not match its hash is not resumed.
/// </summary>
[Collection(MicroPipelineCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Slow)] // copies the micro pipeline's artifacts
public sealed class CorruptionTests(MicroPipeline pipeline)
{
    [Fact]
    public void A_task_vector_with_a_flipped_byte_and_its_old_time_is_refused_naming_its_producer()
    {
        using var repository = Copy();
        string vector = "artifacts/micro/taskvector/mnist/task_vector.safetensors";
        FlipByteKeepingTime(repository.Absolute(vector));
        var lockBefore = File.ReadAllBytes(repository.Absolute("artifacts/micro/evaluate/mnist/lock.json"));

        using var session = repository.Open();
        var error = Assert.Throws<InvalidDataException>(() => session.Run("evaluate/mnist", force: true));

        Assert.StartsWith($"{vector}: content differs from what taskvector/mnist recorded", error.Message);
        Assert.Contains("rerun taskvector/mnist with --force or restore the file", error.Message);
        Assert.Equal(lockBefore, File.ReadAllBytes(repository.Absolute("artifacts/micro/evaluate/mnist/lock.json")));
    }

    [Fact]
    public void A_truncated_fine_tuned_checkpoint_is_refused_naming_its_producer()
    {
        using var repository = Copy();
        string weights = "artifacts/micro/finetune/mnist/visual.safetensors";
        var bytes = File.ReadAllBytes(repository.Absolute(weights));
        File.WriteAllBytes(repository.Absolute(weights), bytes[..(bytes.Length / 2)]);

        using var session = repository.Open();
        var error = Assert.Throws<InvalidDataException>(() => session.Run("taskvector/mnist", force: true));

        Assert.StartsWith($"{weights}: content differs from what finetune/mnist recorded", error.Message);
        Assert.Contains($"now ", error.Message);
        Assert.Contains($"{bytes.Length / 2} bytes", error.Message);
    }

    [Fact]
    public void A_snapshot_is_resumed_only_when_its_bytes_match_its_hash()
    {
        using var folder = new TempDirectory();
        string path = folder.File("checkpoint.safetensors");
        var log = new StringWriter();
        var checkpoint = new FileCheckpoint(path, "key", 1, log);
        using (var weight = arange(64, dtype: float32))
            checkpoint.Save(new TrainingSnapshot(3, new Dictionary<string, Tensor> { ["w"] = weight }, new Dictionary<string, Tensor>(), [new LossPoint(3, 0.5, 0.1)], null));

        Assert.NotNull(checkpoint.Load()); // intact

        var original = File.ReadAllBytes(path);
        FlipByteKeepingTime(path, original.Length - 5); // in the tensor data, past the header
        Assert.Null(checkpoint.Load());
        Assert.Contains("does not match its recorded hash", log.ToString());
        Assert.Contains("truncated or corrupted); starting fresh", log.ToString());

        File.WriteAllBytes(path, original[..^16]);
        Assert.Null(checkpoint.Load());

        File.WriteAllBytes(path, original);
        File.Delete(path + ".sha256");
        Assert.Null(checkpoint.Load());
        Assert.Contains("has no recorded hash", log.ToString());

        checkpoint.Delete();
        Assert.False(File.Exists(path));
    }

    private TempRepository Copy()
    {
        var repository = new TempRepository();
        repository.CopyArtifactsFrom(pipeline.Repository);
        return repository;
    }

    private static void FlipByteKeepingTime(string path, int? at = null)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[at ?? bytes.Length / 2] ^= 0x01;
        var written = File.GetLastWriteTimeUtc(path);
        File.WriteAllBytes(path, bytes);
        File.SetLastWriteTimeUtc(path, written);
    }
}
