namespace Atlas.Reports.Figures;

/// <summary>
/// One curve of a <see cref="LineFigure"/>: points (<paramref name="X"/>[i], <paramref name="Y"/>[i]) joined in the
/// given order, with an optional symmetric error bar of ±<paramref name="Error"/>[i] at each point.
/// </summary>
/// <param name="Name">Legend text.</param>
/// <param name="X">Abscissae (for example shots per class, or the fraction of training data).</param>
/// <param name="Y">Ordinates, one per abscissa.</param>
/// <param name="Error">Half-widths of the error bars (for example a standard deviation over seeds), one per point and
/// non-negative; <see langword="null"/> draws none.</param>
public sealed record LineSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y, IReadOnlyList<double>? Error = null);
