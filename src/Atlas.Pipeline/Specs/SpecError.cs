namespace Atlas.Pipeline.Specs;

/// <summary>One problem in a spec file, located the way compilers do so editors can jump to it.</summary>
/// <param name="File">The spec path as given to the loader.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Path">Field path as written in YAML, e.g. <c>tasks[3].finetune.lr</c>.</param>
/// <param name="Problem">What is wrong, e.g. <c>must be &gt; 0, got -0.001</c>.</param>
public sealed record SpecError(string File, int Line, int Column, string Path, string Problem)
{
    /// <summary><c>file:line:column: path: problem</c>.</summary>
    public override string ToString() => $"{File}:{Line}:{Column}: {Path}: {Problem}";
}
