using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Models;

/// <summary>
/// Fresh CLIP weights with open_clip's initialisation, reproducible from a seed. Residual blocks of both towers use
/// open_clip's text-tower scheme (attn in_proj std W^-0.5, out_proj and c_proj std W^-0.5·(2L)^-0.5, c_fc std
/// (2W)^-0.5, zero biases); open_clip leaves its vision blocks at PyTorch defaults, which only matters for training
/// from scratch (the mini profile), where the scaled scheme is the better-conditioned choice.
/// </summary>
public static class ClipInitializer
{
    /// <returns>float32 tensors without gradients, keyed and ordered as <see cref="ClipParameterNames.All"/>; each
    /// is drawn in that order from one generator seeded with <paramref name="seed"/>.</returns>
    public static Dictionary<string, Tensor> Initialize(ClipConfig config, long seed)
    {
        using var generator = new Generator(unchecked((ulong)seed));
        using var noGrad = no_grad();
        var weights = new Dictionary<string, Tensor>();
        foreach (var (name, shape) in ClipParameterNames.Shapes(config))
        {
            var tensor = empty(shape, ScalarType.Float32);
            Fill(tensor, name, config, generator);
            weights[name] = tensor;
        }
        return weights;
    }

    private static void Fill(Tensor tensor, string name, ClipConfig config, Generator generator)
    {
        bool visual = name.StartsWith(ClipParameterNames.VisualPrefix, StringComparison.Ordinal);
        double width = visual ? config.Vision.Width : config.Text.Width;
        double layers = visual ? config.Vision.Layers : config.Text.Layers;
        double attentionStd = Math.Pow(width, -0.5);
        double projectionStd = attentionStd * Math.Pow(2 * layers, -0.5);
        // "visual.transformer.resblocks.0.mlp.c_fc.weight" → module "c_fc", leaf "weight"; top-level names have no module.
        var parts = name.Split('.');
        string leaf = parts[^1], module = parts.Length > 1 ? parts[^2] : "";

        switch (module, leaf)
        {
            case (_, "logit_scale"):
                FillWith(tensor, Math.Log(1 / 0.07));
                break;
            case (_, "bias" or "in_proj_bias"):
                tensor.zero_();
                break;
            case ("ln_1" or "ln_2" or "ln_pre" or "ln_post" or "ln_final", "weight"):
                FillWith(tensor, 1.0);
                break;
            case ("conv1", "weight"):
                // nn.Conv2d's default kaiming_uniform_(a=√5) reduces to U(±1/√fan_in).
                double bound = 1 / Math.Sqrt(config.Vision.Channels * config.Vision.PatchSize * config.Vision.PatchSize);
                tensor.uniform_(-bound, bound, generator);
                break;
            default:
                double std = (module, leaf) switch
                {
                    ("token_embedding", _) => 0.02,
                    ("", "positional_embedding") => 0.01, // text; the visual one is scaled by width below
                    ("out_proj" or "c_proj", _) => projectionStd,
                    ("c_fc", _) => Math.Pow(2 * width, -0.5),
                    // attn.in_proj_weight, visual class/positional embeddings, visual.proj, text_projection.
                    _ => attentionStd,
                };
                tensor.normal_(0, std, generator);
                break;
        }
    }

    private static void FillWith(Tensor tensor, double value)
    {
        using Scalar fill = value.ToScalar();
        tensor.fill_(fill);
    }
}
