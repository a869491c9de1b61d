using Atlas.Models;
using Atlas.Pipeline.Specs;
using Atlas.Stages.Storage;
using Atlas.Stages.Tests.Support;
using static TorchSharp.torch;

namespace Atlas.Stages.Tests;

/// <summary>
/// A spec's backbone given as a model-configuration file, and checkpoint files named in place of computed weights:
/// read when the session opens, every problem reported at the field's line and column with the file's own error
/// (file and field, or file and tensor), before anything is written.
/// </summary>
public sealed class SpecImportValidationTests
{
    /// <summary>The mini backbone as an open_clip model-config file (the content of ModelConfigs/mini.json).</summary>
    private const string MiniOpenClipJson = """
        {
          "embed_dim": 64, "quick_gelu": true,
          "vision_cfg": { "image_size": 28, "channels": 1, "layers": 3, "width": 64, "head_width": 16, "mlp_ratio": 4, "patch_size": 7 },
          "text_cfg": { "context_length": 16, "vocab_size": 2048, "width": 64, "heads": 4, "layers": 2, "mlp_ratio": 4 },
          "preprocess_cfg": { "mean": [0.5], "std": [0.5] }
        }
        """;

    /// <summary>The micro spec with its backbone replaced by <paramref name="backbone"/>.</summary>
    private static string WithBackbone(string backbone) => MicroSpec.With("backbone: mini", $"backbone: {backbone}");

    /// <summary>The micro spec (foundation only) importing its pretrained weights from <paramref name="file"/>.</summary>
    private static string WithPretrained(string file)
    {
        var text = MicroSpec.WithoutComposition;
        int start = text.IndexOf("pretrain:\n", StringComparison.Ordinal), end = text.IndexOf("templates:\n", StringComparison.Ordinal);
        return string.Concat(text.AsSpan(0, start), $"pretrained_checkpoint: {file}\n\n", text.AsSpan(end));
    }

    private static (int Line, int Column) Locate(string text, string token)
    {
        var lines = text.Split('\n');
        int line = Array.FindIndex(lines, l => l.Contains(token, StringComparison.Ordinal));
        Assert.True(line >= 0, $"'{token}' is not in the spec");
        return (line + 1, lines[line].IndexOf(token, StringComparison.Ordinal) + 1);
    }

    /// <summary>Opening fails with one error at <paramref name="token"/>'s position on <paramref name="field"/>;
    /// returns the problem text after <c>field: </c>.</summary>
    private static string AssertOneError(TempRepository repository, string text, string token, string field)
    {
        var error = Assert.Throws<SpecException>(() => repository.Open().Dispose());
        var (line, column) = Locate(text, token);
        var single = Assert.Single(error.Errors).ToString();
        string prefix = $"{repository.SpecPath}:{line}:{column}: {field}: ";
        Assert.True(single.StartsWith(prefix, StringComparison.Ordinal), $"expected {prefix}… got{Environment.NewLine}{single}");
        Assert.False(Directory.Exists(repository.ArtifactsDir));
        return single[prefix.Length..];
    }

    private static void WriteFile(TempRepository repository, string relativePath, string text)
    {
        var path = repository.Absolute(relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    /// <summary>Random weights of the mini CLIP under project names, written as <paramref name="relativePath"/> after
    /// <paramref name="edit"/> (which may drop or replace tensors).</summary>
    private static void WriteMiniCheckpoint(TempRepository repository, string relativePath, Action<Dictionary<string, Tensor>>? edit = null)
    {
        using var scope = NewDisposeScope();
        var weights = ClipInitializer.Initialize(ClipConfig.Mini, seed: 3);
        edit?.Invoke(weights);
        var path = repository.Absolute(relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        SafeTensorsFile.Save(path, weights);
    }

    /// <summary>An open_clip merges file giving CLIP's 49,408 ids: its merges join pairs of byte symbols, so they are
    /// distinct and valid (not CLIP's words: the spec check needs the size).</summary>
    private static void WriteClipSizedVocabulary(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var symbols = ByteLevelAlphabet.Symbols;
        Atlas.Testing.ClipVocabularyFiles.WriteOpenClipMerges(path,
            Enumerable.Range(0, ClipVocabulary.OpenClipMergeCount).Select(i => $"{symbols[i / symbols.Count]} {symbols[i % symbols.Count]}"));
    }

    [Theory]
    [InlineData("mini")]
    [InlineData("ViT-B-32")]
    [InlineData("ViT-L-14")]
    public void A_preset_name_still_names_the_built_in_backbone(string preset)
    {
        // CLIP presets have CLIP's text tower and need its tokenizer files; the mini has its own tokenizer.
        string vocabulary = preset == "mini" ? "" : "\ntokenizer_vocabulary: clip/bpe_simple_vocab_16e6.txt.gz";
        using var repository = new TempRepository(WithBackbone(preset + vocabulary));
        if (vocabulary.Length > 0) WriteClipSizedVocabulary(repository.Absolute("clip/bpe_simple_vocab_16e6.txt.gz"));
        using var session = repository.Open();
        Assert.Same(ClipConfig.Get(preset), session.Context.Config);
    }

    [Theory]
    [InlineData("mni", "mini")]
    [InlineData("ViT-B32", "ViT-B-32")]
    [InlineData("vit-l-14", "ViT-L-14")]
    public void A_misspelt_preset_is_reported_with_the_name_it_resembles(string typed, string meant)
    {
        var text = WithBackbone(typed);
        using var repository = new TempRepository(text);
        var problem = AssertOneError(repository, text, $"backbone: {typed}"["backbone: ".Length..], "backbone");
        Assert.Equal($"unknown backbone '{typed}' (known: mini, ViT-B-32, ViT-B-16, ViT-L-14); did you mean '{meant}'?", problem);
    }

    [Fact]
    public void An_open_clip_config_file_relative_to_the_repository_root_is_the_backbone()
    {
        using var repository = new TempRepository(WithBackbone("configs/mini.json"));
        WriteFile(repository, "configs/mini.json", MiniOpenClipJson);
        using var session = repository.Open();

        var config = session.Context.Config;
        // Hand-read from the file: 28×28×1 images in 7×7 patches → 16 patches + class token; head width 16 → 4 heads.
        Assert.Equal("mini", config.Name);
        Assert.Equal((28, 1, 7, 64, 3, 4, 4, 64), (config.Vision.ImageSize, config.Vision.Channels, config.Vision.PatchSize,
            config.Vision.Width, config.Vision.Layers, config.Vision.Heads, config.Vision.MlpRatio, config.EmbedDim));
        Assert.Equal((16, 2048, 64, 2, 4), (config.Text.ContextLength, config.Text.VocabSize, config.Text.Width, config.Text.Layers, config.Text.Heads));
        Assert.Equal(MlpActivation.QuickGelu, config.Vision.Activation);
        // The same content as the built-in mini: the same tensors, so a checkpoint of one fits the other.
        Assert.Equal(ClipParameterNames.Shapes(ClipConfig.Mini).Select(p => (p.Name, string.Join(",", p.Shape))),
            ClipParameterNames.Shapes(config).Select(p => (p.Name, string.Join(",", p.Shape))));
    }

    [Fact]
    public void A_hugging_face_config_json_is_the_backbone()
    {
        using var repository = new TempRepository(WithBackbone("hf/config.json"));
        WriteFile(repository, "hf/config.json", """
            {
              "architectures": ["CLIPModel"], "model_type": "clip", "projection_dim": 64,
              "vision_config": { "hidden_size": 64, "intermediate_size": 256, "num_attention_heads": 4, "num_hidden_layers": 4,
                                 "image_size": 28, "patch_size": 7, "num_channels": 3, "hidden_act": "gelu" },
              "text_config": { "vocab_size": 2048, "hidden_size": 64, "intermediate_size": 128, "num_attention_heads": 4,
                               "num_hidden_layers": 2, "max_position_embeddings": 16 }
            }
            """);
        using var session = repository.Open();

        var config = session.Context.Config;
        Assert.Equal("config", config.Name);
        Assert.Equal((28, 3, 7, 64, 4, 4, 4, MlpActivation.Gelu), (config.Vision.ImageSize, config.Vision.Channels, config.Vision.PatchSize,
            config.Vision.Width, config.Vision.Layers, config.Vision.Heads, config.Vision.MlpRatio, config.Vision.Activation));
        Assert.Equal((2, 16, MlpActivation.QuickGelu), (config.Text.MlpRatio, config.Text.ContextLength, config.Text.Activation));
    }

    [Fact]
    public void A_config_file_error_is_reported_on_the_backbone_with_the_file_and_its_field()
    {
        var text = WithBackbone("configs/bad.json");
        using var repository = new TempRepository(text);
        WriteFile(repository, "configs/bad.json", MiniOpenClipJson.Replace("\"width\": 64, \"head_width\"", "\"width\": \"wide\", \"head_width\""));

        var problem = AssertOneError(repository, text, "configs/bad.json", "backbone");
        Assert.Equal("configs/bad.json: field 'vision_cfg.width': expected an integer, got string \"wide\"", problem);
    }

    [Fact]
    public void A_missing_config_file_is_reported_on_the_backbone()
    {
        var text = WithBackbone("configs/absent.json");
        using var repository = new TempRepository(text);

        var problem = AssertOneError(repository, text, "configs/absent.json", "backbone");
        Assert.Equal($"model-config file 'configs/absent.json' not found (looked for {repository.Absolute("configs/absent.json")}; " +
                     "relative paths start at the repository root)", problem);
    }

    [Fact]
    public void A_fitting_pretrained_checkpoint_replaces_the_pretrain_stage_in_the_graph()
    {
        using var repository = new TempRepository(WithPretrained("weights/clip.safetensors"));
        WriteMiniCheckpoint(repository, "weights/clip.safetensors");
        using var session = repository.Open();

        var ids = session.Graph.Nodes.Select(n => n.Id).ToList();
        Assert.Contains(StageIds.ImportPretrained, ids);
        Assert.DoesNotContain(StageIds.Pretrain, ids);
        Assert.Equal([StageIds.ImportPretrained], session.Graph[StageIds.Head("mnist")].DependsOn);
        Assert.Equal([StageIds.Data, StageIds.ImportPretrained, StageIds.Head("mnist")], session.Graph[StageIds.FineTune("mnist")].DependsOn);
        Assert.Equal("Pretrain", session.Graph[StageIds.ImportPretrained].Phase);
    }

    [Fact]
    public void A_missing_pretrained_checkpoint_is_reported_at_its_field()
    {
        var text = WithPretrained("weights/absent.safetensors");
        using var repository = new TempRepository(text);

        var problem = AssertOneError(repository, text, "weights/absent.safetensors", "pretrained_checkpoint");
        Assert.StartsWith("pretrained checkpoint file 'weights/absent.safetensors' not found", problem);
    }

    [Fact]
    public void A_pretrained_checkpoint_that_does_not_fit_the_backbone_is_reported_naming_the_tensor()
    {
        var text = WithPretrained("weights/clip.safetensors");
        using var repository = new TempRepository(text);
        WriteMiniCheckpoint(repository, "weights/clip.safetensors", weights =>
        {
            weights["visual.proj"] = zeros(64, 32); // the mini embeds in 64 dimensions
            weights.Remove("ln_final.bias");
        });

        var problem = AssertOneError(repository, text, "weights/clip.safetensors", "pretrained_checkpoint");
        var file = repository.Absolute("weights/clip.safetensors");
        Assert.Equal($"{file}: does not fit CLIP config 'mini' (open_clip (project) names): missing (1): ln_final.bias; " +
                     "mis-shaped: 'visual.proj' is [64, 32], config 'mini' needs [64, 64]", problem);
    }

    [Fact]
    public void An_image_encoder_checkpoint_cannot_be_the_pretrained_clip()
    {
        var text = WithPretrained("weights/encoder.safetensors");
        using var repository = new TempRepository(text);
        WriteMiniCheckpoint(repository, "weights/encoder.safetensors", weights =>
        {
            foreach (var name in weights.Keys.Where(n => n.StartsWith("transformer.", StringComparison.Ordinal)).ToList()) weights.Remove(name);
        });

        var problem = AssertOneError(repository, text, "weights/encoder.safetensors", "pretrained_checkpoint");
        Assert.EndsWith("holds an image encoder only (no 'transformer.*' tensors); pretrained weights need the whole CLIP, " +
                        "whose text tower builds the zero-shot heads", problem);
    }

    [Fact]
    public void A_truncated_pretrained_checkpoint_is_reported_naming_the_tensor()
    {
        var text = WithPretrained("weights/clip.safetensors");
        using var repository = new TempRepository(text);
        WriteMiniCheckpoint(repository, "weights/clip.safetensors");
        var file = repository.Absolute("weights/clip.safetensors");
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..^4]); // the last tensor (ln_final.bias, 64 floats) loses its last value

        var problem = AssertOneError(repository, text, "weights/clip.safetensors", "pretrained_checkpoint");
        Assert.Contains("truncated: tensor 'ln_final.bias'", problem);
    }

    [Fact]
    public void The_pretrain_section_and_a_pretrained_checkpoint_together_are_refused()
    {
        var text = MicroSpec.With("backbone: mini", "backbone: mini\npretrained_checkpoint: weights/clip.safetensors");
        using var repository = new TempRepository(text);
        WriteMiniCheckpoint(repository, "weights/clip.safetensors");

        var problem = AssertOneError(repository, text, "weights/clip.safetensors", "pretrained_checkpoint");
        Assert.Equal("the pretrain section makes the pretrained weights too; keep one of the two", problem);
    }

    [Fact]
    public void A_task_vector_file_missing_a_tower_tensor_is_reported_naming_it()
    {
        var text = MicroSpec.With("    templates: digit\n", "    templates: digit\n    task_vector_file: vectors/mnist.safetensors\n");
        using var repository = new TempRepository(text);
        WriteMiniCheckpoint(repository, "vectors/mnist.safetensors", weights =>
        {
            foreach (var name in weights.Keys.Where(n => !n.StartsWith("visual.", StringComparison.Ordinal)).ToList()) weights.Remove(name);
            weights.Remove("visual.ln_post.bias");
        });

        var problem = AssertOneError(repository, text, "vectors/mnist.safetensors", "tasks[0].task_vector_file");
        Assert.Equal($"{repository.Absolute("vectors/mnist.safetensors")}: missing (1): visual.ln_post.bias", problem);
    }

    [Fact]
    public void A_task_imports_a_fine_tuned_checkpoint_or_a_task_vector_not_both()
    {
        var text = MicroSpec.With("    templates: digit\n",
            "    templates: digit\n    finetuned_checkpoint: weights/ft.safetensors\n    task_vector_file: weights/tv.safetensors\n");
        using var repository = new TempRepository(text);

        var problem = AssertOneError(repository, text, "weights/tv.safetensors", "tasks[0].task_vector_file");
        Assert.Equal("a task imports a fine-tuned checkpoint or a task vector, not both (finetuned_checkpoint is set too)", problem);
    }

    [Fact]
    public void Editing_a_backbone_files_content_stales_the_stages_and_reformatting_it_does_not()
    {
        using var repository = new TempRepository(WithBackbone("configs/mini.json"));
        WriteFile(repository, "configs/mini.json", MiniOpenClipJson);
        using (var session = repository.Open()) Assert.True(session.Run(StageIds.Data, force: false));

        // Reformatted, same configuration: still up to date (the resolved content is hashed, not the bytes).
        WriteFile(repository, "configs/mini.json", MiniOpenClipJson.Replace("\n", "\n\n").Replace(": ", " : "));
        using (var session = repository.Open())
        {
            Assert.True(session.Plan()[StageIds.Data].IsUpToDate, session.Plan()[StageIds.Data].ToString());
            Assert.Equal(3, session.LockParameters(StageIds.Data)[ExperimentSession.BackboneConfigParameter]!["vision"]!["layers"]!.GetValue<int>());
        }

        WriteFile(repository, "configs/mini.json", MiniOpenClipJson.Replace("\"layers\": 3", "\"layers\": 2"));
        using (var session = repository.Open())
        {
            var data = session.Plan()[StageIds.Data];
            Assert.False(data.IsUpToDate);
            Assert.Contains("parameter 'backbone_config.vision.layers' changed 3 → 2", data.ToString());
        }
    }
}
