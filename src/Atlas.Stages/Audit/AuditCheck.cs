namespace Atlas.Stages.Audit;

/// <summary>What an audit finding is about: one value per check <see cref="ExperimentAudit"/> makes.</summary>
public enum AuditCheck
{
    /// <summary>A stage of the spec's graph has no lock record: it never ran, or its record was deleted.</summary>
    LockMissing,

    /// <summary>A lock record cannot be read (truncated, not JSON, another format).</summary>
    LockUnreadable,

    /// <summary>A lock record does not hold together: its stage id is not its folder's, or its parameters do not hash
    /// to its <c>params_hash</c> (edited by hand).</summary>
    LockInconsistent,

    /// <summary>The recorded run did not succeed.</summary>
    RunFailed,

    /// <summary>The lock's parameters are not what the spec gives the stage now: the results are not this spec's.</summary>
    ParametersDiffer,

    /// <summary>An output the stage declares, or one its lock records, is not there.</summary>
    OutputMissing,

    /// <summary>An output's bytes are not the ones the lock recorded (size or SHA-256).</summary>
    OutputModified,

    /// <summary>A stage read an artifact whose recorded hash is not what its producer recorded writing, or not what
    /// the file holds now (for the lock records a report quotes).</summary>
    InputBroken,

    /// <summary>A stage read an artifact no stage's lock records producing.</summary>
    InputUnproduced,

    /// <summary>A source file outside the artifacts (data, an imported checkpoint) differs from the one the stage read.</summary>
    SourceChanged,

    /// <summary>A source file outside the artifacts is not here, so it was not checked (a reviewer's copy without data).</summary>
    SourceAbsent,

    /// <summary>Stages were computed by different code (commit, uncommitted changes, or code fingerprint).</summary>
    CodeMixed,

    /// <summary>Stages were computed with different package versions (TorchSharp, libtorch, .NET).</summary>
    PackagesMixed,

    /// <summary>A lock record of a stage the spec's graph does not have (left from an earlier spec).</summary>
    ExtraLock,

    /// <summary>A table cell is not what the stage results give (<see cref="AuditFinding.File"/> names the table).</summary>
    TableCell,
}
