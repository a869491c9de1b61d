using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Method.Composition;

/// <summary>
/// Bounds on Λ applied in the forward pass: the composition uses clamp(Λ, <see cref="Min"/>, <see cref="Max"/>) while the
/// optimiser keeps updating the raw Λ, as AdaMerging's <c>lambdas()</c> (<c>torch.clamp(lambdas_raw, 0, 1)</c>). Entries
/// outside the bounds get zero gradient (torch.clamp's), so an entry that leaves the interval stays where it is until
/// Adam's momentum brings it back.
/// </summary>
public sealed record CoefficientBounds(double Min, double Max)
{
    /// <summary>AdaMerging's [0, 1].</summary>
    public static CoefficientBounds UnitInterval { get; } = new(0, 1);

    /// <summary>clamp(Λ, Min, Max): a new tensor, differentiable with respect to Λ.</summary>
    public Tensor Apply(Tensor coefficients)
    {
        ArgumentNullException.ThrowIfNull(coefficients);
        using Scalar min = Min.ToScalar(), max = Max.ToScalar();
        return coefficients.clamp(min, max);
    }
}
