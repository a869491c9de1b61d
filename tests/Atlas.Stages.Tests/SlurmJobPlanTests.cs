using Atlas.Pipeline.Specs;
using Atlas.Stages.Execution.Slurm;
// The product's types, not Atlas.Testing's records of the same names (what the fixture reads from scontrol).
using SlurmJob = Atlas.Stages.Execution.Slurm.SlurmJob;
using SlurmJobState = Atlas.Stages.Execution.Slurm.SlurmJobState;
using Atlas.Stages.Tests.Support;

namespace Atlas.Stages.Tests;

/// <summary>
/// How the Slurm executor turns the micro graph into batch jobs, without a cluster: which stages share a job array
/// (one family, the same producers, the same resources), each job's resources (family over defaults over the built-in
/// ones) and the script's options and command.
/// </summary>
public sealed class SlurmJobPlanTests : IDisposable
{
    private readonly TempRepository repository = new();

    public void Dispose() => repository.Dispose();

    private static readonly SlurmJobContext JobContext = new("/shared/repo", "micro.yaml", ["/shared/repo/atlas"],
        stage => $"/shared/repo/artifacts/micro/logs/{stage}.log", "/shared/repo/artifacts/micro/logs/slurm", Force: false);

    [Fact]
    public void Stages_of_one_family_with_the_same_producers_share_an_array_and_the_others_get_a_job_each()
    {
        using var session = repository.Open();
        var all = session.Graph.Nodes.Select(n => n.Id).ToHashSet();
        var jobs = SlurmJobPlan.Build(session.Context.Spec, session.Graph, all);

        // Every stage is in exactly one job, and every job comes after the jobs of its producers.
        Assert.Equal(all.Order(), jobs.SelectMany(j => j.Stages).Order());
        var position = jobs.SelectMany((j, i) => j.Stages.Select(s => (s, i))).ToDictionary(p => p.s, p => p.i);
        foreach (var job in jobs)
            Assert.All(job.DependsOn, producer => Assert.True(position[producer] < position[job.Stages[0]], $"{job.Name} before {producer}"));

        // heads/<task> each wait for pretrain alone: one array of the micro's three tasks.
        var heads = Assert.Single(jobs, j => j.Family == "heads");
        Assert.Equal(MicroSpec.Tasks.Select(StageIds.Head), heads.Stages);
        Assert.Equal("micro:heads[3]", heads.Name);
        Assert.Equal("123_2", heads.RefOf("123", StageIds.Head(MicroSpec.Tasks[2])));
        // finetune/<task> waits for its own head: one job each.
        Assert.Equal(MicroSpec.Tasks.Count, jobs.Count(j => j.Family == "finetune"));
        Assert.All(jobs.Where(j => j.Family == "finetune"), j => Assert.False(j.IsArray));
        // The additions all read every task vector and head: one array of the micro's methods.
        var addition = Assert.Single(jobs, j => j.Family == "addition");
        Assert.Equal(MicroSpec.AdditionMethods.Count, addition.Stages.Count);
    }

    [Fact]
    public void Without_job_arrays_every_stage_is_its_own_job()
    {
        repository.WriteSpec(MicroSpec.Text + "\nslurm: { job_arrays: false }\n");
        using var session = repository.Open();
        var all = session.Graph.Nodes.Select(n => n.Id).ToHashSet();
        var jobs = SlurmJobPlan.Build(session.Context.Spec, session.Graph, all);
        Assert.Equal(all.Count, jobs.Count);
        Assert.DoesNotContain(jobs, j => j.IsArray);
    }

    [Fact]
    public void A_family_overrides_the_defaults_which_override_the_built_in_resources()
    {
        repository.WriteSpec(MicroSpec.Text + """

            slurm:
              defaults: { mem: 8G, time: "01:00:00", partition: cpu, sbatch: ["--qos=normal"] }
              families:
                finetune: { cpus: 4, time: "04:00:00", partition: gpu, account: lab, sbatch: ["--constraint=a100"] }
            """);
        using var session = repository.Open();
        var spec = session.Context.Spec;
        var finetune = SlurmJobPlan.ResourcesOf(spec, spec.Slurm!, StageIds.FineTune("mnist"));
        Assert.Equal((4, "8G", "04:00:00", "gpu", "lab"), (finetune.Cpus, finetune.Mem, finetune.Time, finetune.Partition, finetune.Account));
        Assert.Equal(["--qos=normal", "--constraint=a100"], finetune.Sbatch);
        // A CPU spec asks for no GPU; the built-in CPU count is the spec's thread count.
        Assert.Null(finetune.Gpus);
        var data = SlurmJobPlan.ResourcesOf(spec, spec.Slurm!, StageIds.Data);
        Assert.Equal((spec.Threads, "8G", "01:00:00", "cpu", (string?)null), (data.Cpus, data.Mem, data.Time, data.Partition, data.Account));
    }

    [Fact]
    public void A_cuda_spec_gives_every_job_a_gpu_unless_the_spec_says_how_many()
    {
        var spec = MicroSpecRecord() with { Device = ComputeDevice.Cuda };
        Assert.Equal(1, SlurmJobPlan.ResourcesOf(spec, new SlurmSpec(), StageIds.FineTune("mnist")).Gpus);
        Assert.Equal(1, SlurmJobPlan.ResourcesOf(spec, new SlurmSpec(), StageIds.Data).Gpus);
        var two = new SlurmSpec { Families = new() { ["finetune"] = new SlurmResources { Gpus = 2 } } };
        Assert.Equal(2, SlurmJobPlan.ResourcesOf(spec, two, StageIds.FineTune("mnist")).Gpus);
        Assert.Null(SlurmJobPlan.ResourcesOf(MicroSpecRecord(), new SlurmSpec(), StageIds.FineTune("mnist")).Gpus);
    }

    [Fact]
    public void An_array_script_runs_its_task_s_stage_into_that_stage_s_log_after_its_producers()
    {
        var job = new SlurmJob("micro:heads[2]", "heads", ["heads/mnist", "heads/fashion coarse"],
            new SlurmResources { Cpus = 2, Mem = "4G", Gpus = 1, Time = "30", Partition = "gpu", Account = "lab", Sbatch = ["--qos=high"] }, ["pretrain"]);
        var script = SlurmJobPlan.Script(job, JobContext, ["41"]);
        Assert.Equal("""
            #!/bin/bash
            # 2 stages of family heads, one per array task; written by atlas execute --executor slurm
            #SBATCH --job-name=micro:heads[2]
            #SBATCH --chdir=/shared/repo
            #SBATCH --output=/shared/repo/artifacts/micro/logs/slurm/heads-%A_%a.out
            #SBATCH --array=0-1
            #SBATCH --cpus-per-task=2
            #SBATCH --mem=4G
            #SBATCH --gres=gpu:1
            #SBATCH --time=30
            #SBATCH --partition=gpu
            #SBATCH --account=lab
            #SBATCH --qos=high
            #SBATCH --dependency=afterok:41
            #SBATCH --kill-on-invalid-dep=yes
            set -euo pipefail
            export ATLAS_EXPERIMENT_LOCK_HOLDER=slurm
            stages=(heads/mnist 'heads/fashion coarse')
            logs=(/shared/repo/artifacts/micro/logs/heads/mnist.log '/shared/repo/artifacts/micro/logs/heads/fashion coarse.log')
            exec /shared/repo/atlas run --spec micro.yaml --stage "${stages[$SLURM_ARRAY_TASK_ID]}" >"${logs[$SLURM_ARRAY_TASK_ID]}" 2>&1

            """.Replace("\r\n", "\n"), script);
    }

    [Fact]
    public void A_single_job_writes_to_its_stage_s_log_and_has_no_dependency_line_without_producers()
    {
        var job = new SlurmJob("micro:data", "data", ["data"], new SlurmResources { Cpus = 1 }, []);
        var script = SlurmJobPlan.Script(job, JobContext with { Force = true }, []);
        Assert.Contains("#SBATCH --output=/shared/repo/artifacts/micro/logs/data.log\n", script);
        Assert.DoesNotContain("--dependency", script);
        Assert.DoesNotContain("--array", script);
        Assert.EndsWith("exec /shared/repo/atlas run --spec micro.yaml --stage data --force\n", script);
    }

    [Fact]
    public void Every_stage_of_the_shipped_specs_belongs_to_a_known_family()
    {
        var specs = new[] { repository.SpecPath }
            .Concat(Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "experiments"), "*.yaml"))
            .Concat(Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "experiments", "paper"), "*.yaml")).ToList();
        Assert.True(specs.Count >= 17, string.Join(", ", specs)); // micro, mini and the 15 paper specs
        foreach (var spec in specs)
        {
            using var session = ExperimentSession.Open(spec, new StringWriter(), spec == repository.SpecPath ? repository.Root : RepositoryRoot.Path, SpecCheckLevel.GraphOnly);
            Assert.NotEmpty(session.Graph.Nodes);
            foreach (var node in session.Graph.Nodes) Assert.Contains(StageIds.FamilyOf(node.Id), StageIds.Families);
        }
    }

    private ExperimentSpec MicroSpecRecord()
    {
        using var session = repository.Open();
        return session.Context.Spec;
    }
}
