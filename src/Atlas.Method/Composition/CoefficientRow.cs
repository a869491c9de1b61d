namespace Atlas.Method.Composition;

/// <summary>One entry of a <see cref="CoefficientTable"/>, in the order of <see cref="CoefficientTable.Columns"/>.</summary>
/// <param name="Task">Task-vector name.</param>
/// <param name="BlockIndex">Position of the block in the canonical block order.</param>
/// <param name="Block">Parameter block name.</param>
/// <param name="Group">The coefficient group the block belongs to.</param>
/// <param name="Partition">Partition index k (0 unless aTLAS × K).</param>
/// <param name="Coefficient">Λ's value for this task, block and partition.</param>
/// <param name="Adapted">Whether the coefficient acts on the block (false for non-matrix blocks under
/// <see cref="PartitionBlocks.MatricesOnly"/>).</param>
public readonly record struct CoefficientRow(
    string Task, int BlockIndex, string Block, string Group, int Partition, double Coefficient, bool Adapted);
