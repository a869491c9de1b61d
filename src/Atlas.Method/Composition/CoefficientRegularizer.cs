using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Method.Composition;

/// <summary>
/// The optional L_p penalty on the coefficients, γ · mean_j ‖Λ[:, j]‖_p (docs/method.md §M3.2; off by default in the released
/// scripts, γ = 0.5 when on). The norm runs over the task axis (dim 0); the mean over every remaining entry, i.e. over
/// groups, and over (block, partition) pairs for a partitioned Λ [T, P, K].
/// </summary>
public sealed class CoefficientRegularizer
{
    /// <summary>γ of the released scripts' <c>--lp-reg</c>.</summary>
    public const double PaperGamma = 0.5;

    /// <param name="gamma">γ ≥ 0.</param>
    /// <param name="p">1 or 2.</param>
    public CoefficientRegularizer(double gamma = PaperGamma, int p = 1)
    {
        if (!(gamma >= 0) || double.IsInfinity(gamma)) throw new ArgumentOutOfRangeException(nameof(gamma), "γ must be finite and ≥ 0");
        if (p is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(p), "p must be 1 or 2");
        Gamma = gamma;
        P = p;
    }

    /// <summary>γ.</summary>
    public double Gamma { get; }

    /// <summary>The norm order p.</summary>
    public int P { get; }

    /// <summary>The scalar penalty for Λ (at least 2-D). Differentiable everywhere, including Λ = 0, where the
    /// gradient of the L2 norm is taken as 0 (PyTorch's convention).</summary>
    public Tensor Penalty(Tensor coefficients)
    {
        ArgumentNullException.ThrowIfNull(coefficients);
        if (coefficients.dim() < 2)
            throw new ArgumentException($"expected Λ [T, G] or [T, P, K], got {Shapes.Format(coefficients.shape)}", nameof(coefficients));
        using var scope = NewDisposeScope();
        using Scalar gamma = Gamma.ToScalar();
        var norms = linalg.vector_norm(coefficients, P, [0]);
        return (norms.mean() * gamma).MoveToOuterDisposeScope();
    }
}
