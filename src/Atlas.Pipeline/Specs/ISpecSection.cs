namespace Atlas.Pipeline.Specs;

/// <summary>
/// A top-level experiment section whose rules span its fields or refer to the rest of the spec (task names, the pool
/// size). <see cref="SpecValidator"/> calls every present section of <see cref="ExperimentSpec"/> that implements it,
/// so a new section brings its rules along instead of adding a method to the validator. Per-field bounds stay
/// attributes.
/// </summary>
internal interface ISpecSection
{
    /// <summary>Reports every problem through <paramref name="check"/>, located under <paramref name="path"/>.</summary>
    void Check(SpecValidator check, FieldPath path);
}
