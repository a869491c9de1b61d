using Atlas.Method;
using Atlas.Models;
using static TorchSharp.torch;

namespace Atlas.Training;

/// <summary>Builds a task's frozen zero-shot head from the pretrained text tower, as the paper does.</summary>
public static class ZeroShotHeads
{
    /// <returns>Head weight [classes, embed] = exp(logit_scale) · normalised template-mean text embedding.</returns>
    public static Tensor Build(
        IReadOnlyDictionary<string, Tensor> pretrained, ITextTokenizer tokenizer, ClipConfig config,
        IReadOnlyList<string> classes, IReadOnlyList<string> templates)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var prompts = classes.SelectMany(c => templates.Select(t => t.Replace("{c}", c))).ToList();
        var tokens = DevicePlacement.Like(tokenizer.Encode(prompts, config.Text.ContextLength), pretrained["logit_scale"]);
        var embeddings = ClipForward.EncodeText(tokens, pretrained, config.Text).view(classes.Count, templates.Count, -1);
        double logitScale = Math.Min(pretrained["logit_scale"].exp().item<float>(), 100);
        return ZeroShotHead.Build(embeddings, logitScale).MoveToOuterDisposeScope();
    }
}
