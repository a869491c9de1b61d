using Atlas.Pipeline.Specs;
using static Atlas.Pipeline.Tests.Specs.SpecFixture;

namespace Atlas.Pipeline.Tests.Specs;

/// <summary>The Slurm section: per-family resources over defaults, and the values no job could use, located.</summary>
public sealed class SlurmSpecTests
{
    // The valid fixture has 43 lines, so an appended section starts at line 44; its threads default to 2. Columns
    // (counted by hand) point at the offending value.
    private static SpecContext WithFamilies { get; } = Context with { StageFamilies = ["data", "pretrain", "finetune", "fewshot"] };

    [Fact]
    public void A_family_overrides_the_defaults_field_by_field_and_adds_its_sbatch_options()
    {
        var slurm = SpecLoader.Parse(ValidYaml + """
            slurm:
              defaults: { cpus: 4, mem: 16G, time: "04:00:00", partition: gpu, account: lab, sbatch: ["--qos=normal"] }
              families:
                data: { gpus: 0, time: "30", sbatch: ["--constraint=fast-disk"] }
            """, "valid.yaml", WithFamilies).Slurm!;
        var data = slurm.Families["data"].Over(slurm.Defaults);
        Assert.Equal((4, "16G", 0, "30", "gpu", "lab"), (data.Cpus, data.Mem, data.Gpus, data.Time, data.Partition, data.Account));
        Assert.Equal(["--qos=normal", "--constraint=fast-disk"], data.Sbatch);
        Assert.True(slurm.JobArrays);
    }

    [Fact]
    public void An_unknown_family_is_located_with_a_suggestion()
    {
        AssertErrors(WithFamilies, ValidYaml + "slurm:\n  families:\n    fineune: { gpus: 1 }\n",
            "46:14: slurm.families.fineune: unknown stage family 'fineune'; did you mean 'finetune'? (families: data, pretrain, finetune, fewshot)");
    }

    [Fact]
    public void Fewer_cpus_than_threads_and_an_option_atlas_sets_are_located()
    {
        AssertErrors(WithFamilies, ValidYaml + "slurm:\n  defaults: { cpus: 1, sbatch: [\"--dependency=afterany:1\", qos] }\n",
            "45:21: slurm.defaults.cpus: 1 CPU(s) per job, but every stage runs 2 threads (top-level 'threads'); give at least 2",
            "45:33: slurm.defaults.sbatch[0]: --dependency is set by Atlas for every job (it names the job and its log and links it to its producers' jobs)",
            "45:60: slurm.defaults.sbatch[1]: 'qos' is not an sbatch option (e.g. --qos=high)");
    }

    [Fact]
    public void The_short_form_of_an_option_atlas_sets_is_refused_too()
    {
        // Columns counted by hand: "  defaults: { sbatch: [\"-d afterany:1\"] }" puts the string at column 24.
        AssertErrors(WithFamilies, ValidYaml + "slurm:\n  defaults: { sbatch: [\"-d afterany:1\"] }\n",
            "45:24: slurm.defaults.sbatch[0]: -d is set by Atlas for every job (it names the job and its log and links it to its producers' jobs)");
    }

    [Fact]
    public void Memory_and_time_must_be_in_slurm_notation()
    {
        AssertErrors(WithFamilies, ValidYaml + "slurm:\n  defaults: { mem: 16GB, time: \"4h\" }\n",
            "45:20: slurm.defaults.mem: must be Slurm memory, e.g. 16G or 16000M; got '16GB'",
            "45:32: slurm.defaults.time: must be a Slurm time limit, e.g. 90, 04:00:00 or 1-12:00:00; got '4h'");
    }

    [Fact]
    public void A_cuda_spec_cannot_give_a_family_no_gpu()
    {
        var cuda = WithFamilies with { CudaAvailable = () => true };
        AssertErrors(cuda, "device: cuda\n" + ValidYaml + "slurm:\n  families:\n    data: { gpus: 0 }\n",
            "47:19: slurm.families.data.gpus: the spec runs on cuda, and every stage's process checks for a GPU when it loads the spec; give at least 1 (or leave it unset)");
    }
}
