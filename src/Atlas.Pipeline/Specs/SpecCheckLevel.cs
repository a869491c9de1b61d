namespace Atlas.Pipeline.Specs;

/// <summary>How much of the machine a spec must find when it is read (<see cref="SpecContext.Level"/>).</summary>
public enum SpecCheckLevel
{
    /// <summary>Everything a run needs: every <c>${NAME}</c> set and non-empty, every file the spec names present and
    /// valid. The default, for every verb that runs or checks stages.</summary>
    Complete,

    /// <summary>What showing the stage graph needs, so a reviewer without the data, the checkpoints or the environment
    /// variables can still plan a paper spec: an unset or empty <c>${NAME}</c> stays literal (with one warning), and the
    /// files the spec names are not read.</summary>
    GraphOnly,
}
