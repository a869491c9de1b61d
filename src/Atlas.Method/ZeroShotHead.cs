using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Method;

/// <summary>
/// The frozen zero-shot classification head of the paper: for every class, the text embeddings of all prompt
/// templates are L2-normalised, averaged and normalised again; the rows are scaled by CLIP's logit scale. There is no
/// bias, and image features are L2-normalised before the product.
/// </summary>
public static class ZeroShotHead
{
    /// <summary>Builds the head weight [C, E] from text embeddings [C, M, E] (C classes × M templates).</summary>
    public static Tensor Build(Tensor classTemplateEmbeddings, double logitScale)
    {
        if (classTemplateEmbeddings.dim() != 3)
            throw new ArgumentException($"expected [classes, templates, embed] embeddings, got [{string.Join(", ", classTemplateEmbeddings.shape)}]");
        using var scope = NewDisposeScope();
        using Scalar scale = logitScale.ToScalar();
        var perTemplate = nn.functional.normalize(classTemplateEmbeddings, p: 2, dim: -1);
        var perClass = nn.functional.normalize(perTemplate.mean([1]), p: 2, dim: -1);
        return (perClass * scale).detach().MoveToOuterDisposeScope();
    }

    /// <summary>Logits [N, C] of image features [N, E] under a head weight [C, E].</summary>
    public static Tensor Logits(Tensor imageFeatures, Tensor headWeight)
    {
        using var scope = NewDisposeScope();
        var normalised = nn.functional.normalize(imageFeatures, p: 2, dim: -1);
        return matmul(normalised, headWeight.t()).MoveToOuterDisposeScope();
    }
}
