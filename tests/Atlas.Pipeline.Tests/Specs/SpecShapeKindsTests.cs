using Atlas.Pipeline.Specs;
using YamlDotNet.RepresentationModel;

namespace Atlas.Pipeline.Tests.Specs;

/// <summary>The shape check's bool and enum kinds, on a record of this test (no spec field is a bool yet).</summary>
public sealed class SpecShapeKindsTests
{
    public sealed record Switches
    {
        public bool Enabled { get; init; }

        public bool? Optional { get; init; }

        public ScheduleKind Schedule { get; init; }

        public List<ScheduleKind> Schedules { get; init; } = [];
    }

    private static List<string> Errors(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var document = new SpecDocument("switches.yaml", stream.Documents[0].RootNode);
        return [.. SpecShapeCheck.Run(document, SpecShape.ForRecord(typeof(Switches))).Select(e => e.ToString())];
    }

    [Fact]
    public void Booleans_and_choices_of_the_right_kind_pass()
    {
        Assert.Empty(Errors("enabled: true\noptional: ~\nschedule: constant\nschedules: [cosine, constant]\n"));
        Assert.Empty(Errors("enabled: false\noptional: true\n"));
    }

    [Fact]
    public void Wrong_boolean_and_choice_are_located_with_the_allowed_values()
    {
        Assert.Equal(
        [
            "switches.yaml:1:10: enabled: expected true or false, got 'maybe'",
            "switches.yaml:2:11: schedule: must be one of cosine, constant; got 'Cosine'; did you mean 'cosine'?",
            "switches.yaml:3:23: schedules[1]: must be one of cosine, constant; got 'linear'",
        ], Errors("enabled: maybe\nschedule: Cosine\nschedules: [constant, linear]\n"));
        Assert.Equal(["switches.yaml:1:10: enabled: a value is required"], Errors("enabled: ~\n"));
    }

    [Fact]
    public void Shape_kinds_follow_the_clr_types()
    {
        var fields = SpecShape.ForRecord(typeof(Switches)).Fields.ToDictionary(f => f.Key);

        Assert.Equal((SpecKind.Boolean, false), (fields["enabled"].Shape.Kind, fields["enabled"].Shape.Nullable));
        Assert.Equal((SpecKind.Boolean, true), (fields["optional"].Shape.Kind, fields["optional"].Shape.Nullable));
        Assert.Equal(SpecKind.Enum, fields["schedule"].Shape.Kind);
        Assert.Equal(SpecKind.Enum, fields["schedules"].Shape.Element!.Kind);
    }
}
