using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atlas.Models;

/// <summary>
/// Thin module over <see cref="ClipForward"/>: its parameters are registered in nested containers so that
/// <c>named_parameters()</c> and <c>state_dict()</c> yield exactly open_clip's names in open_clip's order, and
/// checkpoints map by name. <c>forward</c> encodes images.
/// </summary>
public sealed class ClipModel : nn.Module<Tensor, Tensor>
{
    /// <summary>A model with fresh weights from <see cref="ClipInitializer"/>.</summary>
    public ClipModel(ClipConfig config, long seed) : base(nameof(ClipModel))
    {
        Config = config;
        using var scope = NewDisposeScope(); // frees the initial tensors; the parameters alias them and survive
        Register(ClipInitializer.Initialize(config, seed));
    }

    /// <summary>A model over existing weights; its parameters alias their storage (like <c>nn.Parameter(t)</c>).</summary>
    /// <exception cref="ArgumentException">A name is missing, unexpected, or has the wrong shape.</exception>
    public ClipModel(ClipConfig config, IReadOnlyDictionary<string, Tensor> weights) : base(nameof(ClipModel))
    {
        Config = config;
        Register(weights);
    }

    public ClipConfig Config { get; }

    /// <summary>Image embeddings [N, E] (not normalised) of preprocessed images.</summary>
    public override Tensor forward(Tensor images) => ClipForward.EncodeImage(images, Weights(), Config.Vision);

    /// <summary>Text embeddings [N, E] (not normalised) of token ids.</summary>
    public Tensor EncodeText(Tensor tokens) => ClipForward.EncodeText(tokens, Weights(), Config.Text);

    /// <summary>The current parameters by open_clip name, in canonical order (the tensors are the parameters).</summary>
    public Dictionary<string, Tensor> Weights() =>
        named_parameters().ToDictionary(pair => pair.name, pair => (Tensor)pair.parameter);

    private void Register(IReadOnlyDictionary<string, Tensor> weights)
    {
        var shapes = ClipParameterNames.Shapes(Config);
        var expected = shapes.Select(p => p.Name).ToList();
        var missing = expected.Except(weights.Keys).ToList();
        var unexpected = weights.Keys.Except(expected).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new ArgumentException(
                $"CLIP weights do not match {Config.Name}: missing [{string.Join(", ", missing.Take(5))}], " +
                $"unexpected [{string.Join(", ", unexpected.Take(5))}]", nameof(weights));

        var containers = new Dictionary<string, nn.Module> { [""] = this };
        foreach (var (name, shape) in shapes)
        {
            var tensor = weights[name];
            if (!tensor.shape.SequenceEqual(shape))
                throw new ArgumentException(
                    $"CLIP weight '{name}' has shape [{string.Join(", ", tensor.shape)}], expected [{string.Join(", ", shape)}]", nameof(weights));
            int split = name.LastIndexOf('.');
            var owner = Container(containers, split < 0 ? "" : name[..split]);
            // Parameters belong to the module, not to whatever dispose scope the caller happens to be in.
            var parameter = new Parameter(tensor.detach(), requires_grad: true);
            parameter.DetachFromDisposeScope();
            owner.register_parameter(name[(split + 1)..], parameter);
        }
    }

    // Creates the chain of containers for a dotted path on first use; registration order then follows the canonical
    // order, which is what makes named_parameters() match open_clip's.
    private static nn.Module Container(Dictionary<string, nn.Module> containers, string path)
    {
        if (containers.TryGetValue(path, out var existing)) return existing;
        int split = path.LastIndexOf('.');
        var parent = Container(containers, split < 0 ? "" : path[..split]);
        var node = new ParameterNode(path[(split + 1)..]);
        parent.register_module(path[(split + 1)..], node);
        containers[path] = node;
        return node;
    }
}
