namespace Atlas.Pipeline.Specs;

/// <summary>A spec that cannot be used; <see cref="Exception.Message"/> lists every error, one per line.</summary>
public sealed class SpecException : Exception
{
    /// <param name="errors">At least one error, in the order to report them.</param>
    public SpecException(IReadOnlyList<SpecError> errors)
        : base(string.Join(Environment.NewLine, errors))
    {
        if (errors.Count == 0) throw new ArgumentException("a spec exception needs at least one error", nameof(errors));
        Errors = errors;
    }

    /// <summary>The errors in file order.</summary>
    public IReadOnlyList<SpecError> Errors { get; }
}
