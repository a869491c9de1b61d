namespace Atlas.Pipeline.Provenance;

/// <summary>How a recorded stage run ended.</summary>
public enum LockStatus
{
    /// <summary>The stage finished and wrote all its outputs.</summary>
    Succeeded,

    /// <summary>The stage threw; its outputs, if any, are not to be trusted.</summary>
    Failed,
}
