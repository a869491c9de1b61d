namespace Atlas.Stages.Tests.Support;

/// <summary>Raised to simulate a process killed in the middle of a stage.</summary>
internal sealed class SimulatedKill(string message) : Exception(message);

/// <summary>A log that records every line and throws <see cref="SimulatedKill"/> on the first line containing <paramref name="trigger"/>.</summary>
internal sealed class KillSwitchLog(string trigger) : StringWriter
{
    public override void WriteLine(string? value)
    {
        base.WriteLine(value);
        if (value is not null && value.Contains(trigger, StringComparison.Ordinal)) throw new SimulatedKill($"killed at '{value}'");
    }
}
