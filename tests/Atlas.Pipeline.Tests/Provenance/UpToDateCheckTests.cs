using System.Text.Json.Nodes;
using Atlas.Pipeline.Provenance;
using Atlas.Store;

namespace Atlas.Pipeline.Tests.Provenance;

public sealed class UpToDateCheckTests : IDisposable
{
    private const string InputPath = "finetune/mnist/weights.safetensors";
    private const string OutputPath = "report.md";

    private readonly TempDirectory folder = new();
    private readonly HashCache cache;

    public UpToDateCheckTests()
    {
        cache = HashCache.Open(folder.File("hashes.json"));
        File.WriteAllText(folder.File(OutputPath), "# report");
    }

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Nothing_changed_is_up_to_date_after_a_store_round_trip()
    {
        LockStore.Write(folder.Path, Record(Parameters()));

        var freshness = Evaluate(LockStore.Read(folder.Path), Parameters(), Inputs());

        Assert.True(freshness.IsUpToDate, freshness.ToString());
        Assert.Equal("up to date", freshness.ToString());
    }

    [Fact]
    public void Changed_parameter_is_named_with_old_and_new_value()
    {
        var current = Parameters();
        current["finetune"]!["lr"] = 0.002;
        current["finetune"]!["crop_scale"]![0] = 0.8;
        current["seed_offset"] = 3;

        var freshness = Evaluate(new StoredLock(Record(Parameters()), null), current, Inputs());

        Assert.Equal(
            [
                "parameter 'finetune.lr' changed 0.001 → 0.002",
                "parameter 'finetune.crop_scale[0]' changed 0.9 → 0.8",
                "parameter 'seed_offset' added (= 3)",
            ],
            freshness.Reasons);
    }

    [Fact]
    public void Changed_input_is_named()
    {
        var inputs = new Dictionary<string, string> { [InputPath] = new string('b', 64), ["data/new.bin"] = new string('c', 64) };

        var freshness = Evaluate(new StoredLock(Record(Parameters()), null), Parameters(), inputs);

        Assert.Equal([$"input {InputPath} changed", "new input data/new.bin"], freshness.Reasons);
    }

    [Fact]
    public void Missing_or_modified_output_is_named()
    {
        var record = Record(Parameters());
        File.Delete(folder.File(OutputPath));
        Assert.Equal([$"output {OutputPath} missing"], Evaluate(new StoredLock(record, null), Parameters(), Inputs()).Reasons);

        File.WriteAllText(folder.File(OutputPath), "# edited by hand");
        Assert.Equal([$"output {OutputPath} modified since the run"], Evaluate(new StoredLock(record, null), Parameters(), Inputs()).Reasons);
    }

    [Fact]
    public void Corrupt_lock_is_stale_not_a_crash()
    {
        LockStore.Write(folder.Path, Record(Parameters()));
        var text = File.ReadAllText(LockStore.PathIn(folder.Path));
        File.WriteAllText(LockStore.PathIn(folder.Path), text[..(text.Length / 2)]);

        var stored = LockStore.Read(folder.Path);
        var freshness = Evaluate(stored, Parameters(), Inputs());

        Assert.Null(stored.Record);
        var reason = Assert.Single(freshness.Reasons);
        Assert.StartsWith($"lock record {LockStore.PathIn(folder.Path)} is unreadable (", reason);
    }

    [Fact]
    public void No_lock_or_failed_run_is_stale()
    {
        Assert.Equal(["no lock record"], Evaluate(LockStore.Read(folder.Path), Parameters(), Inputs()).Reasons);
        var failed = Record(Parameters()) with { Status = LockStatus.Failed };
        Assert.Equal(["last run failed"], Evaluate(new StoredLock(failed, null), Parameters(), Inputs()).Reasons);
    }

    [Fact]
    public void Lock_records_provenance()
    {
        LockStore.Write(folder.Path, Record(Parameters()));

        var record = LockStore.Read(folder.Path).Record!;
        var json = JsonNode.Parse(File.ReadAllText(LockStore.PathIn(folder.Path)))!;

        Assert.Equal("finetune/mnist", record.Stage);
        Assert.Equal(Environment.ProcessorCount, record.Machine.ProcessorCount);
        Assert.Equal("0.107.0", record.Packages["TorchSharp"]);
        Assert.Equal(90, (double)json["duration_seconds"]!);
        Assert.Equal("succeeded", (string?)json["status"]);
    }

    [Fact]
    public void Code_version_outside_git_is_unknown()
    {
        Assert.Equal(new CodeVersion(null, null), CodeVersion.Detect(folder.Path));
    }

    private Freshness Evaluate(StoredLock stored, JsonNode parameters, Dictionary<string, string> inputs) =>
        UpToDateCheck.Evaluate(stored, parameters, inputs, path => cache.TryHash(folder.File(path)));

    private static JsonObject Parameters() => new()
    {
        ["task"] = "mnist",
        ["finetune"] = new JsonObject { ["lr"] = 0.001, ["steps"] = 150, ["crop_scale"] = new JsonArray(0.9, 1.0) },
    };

    private static Dictionary<string, string> Inputs() => new() { [InputPath] = new string('a', 64) };

    private LockRecord Record(JsonNode parameters)
    {
        var started = new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
        return new LockRecord
        {
            Stage = "finetune/mnist",
            Command = "atlas run --spec experiments/mini.yaml --stage finetune/mnist",
            Parameters = parameters,
            ParamsHash = ContentHash.OfJson(parameters),
            Inputs = Inputs(),
            Outputs = new Dictionary<string, OutputRecord>
            {
                [OutputPath] = new(ContentHash.OfFile(folder.File(OutputPath)), new FileInfo(folder.File(OutputPath)).Length),
            },
            Seed = 12345,
            Threads = 2,
            Code = new CodeVersion("0d11f3d", Dirty: false),
            Packages = new Dictionary<string, string> { ["TorchSharp"] = "0.107.0" },
            Machine = MachineInfo.Current(),
            StartedUtc = started,
            EndedUtc = started.AddSeconds(90),
            Status = LockStatus.Succeeded,
        };
    }
}
