namespace Atlas.Method.Composition;

/// <summary>How the coefficients Λ are shared across parameter blocks (docs/method.md §M3.2).</summary>
public enum CoefficientLayoutKind
{
    /// <summary>One coefficient per task vector (Λ [T, 1]): learned task arithmetic, and task arithmetic itself.</summary>
    Isotropic,

    /// <summary>One coefficient per task vector and block (Λ [T, P]): aTLAS (<c>--blockwise-coef</c>).</summary>
    Blockwise,

    /// <summary>One coefficient per task vector and transformer layer (Λ [T, layers + 2]): AdaMerging's per-layer option
    /// (its reference learns one per tensor, <see cref="Blockwise"/>).</summary>
    Layerwise,

    /// <summary>K coefficients per task vector and block over a random partition of each block (Λ [T, P, K]): aTLAS × K.</summary>
    Partitioned,
}
