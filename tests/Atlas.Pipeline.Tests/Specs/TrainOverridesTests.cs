using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Atlas.Pipeline.Specs;

namespace Atlas.Pipeline.Tests.Specs;

/// <summary>
/// <see cref="TrainOverrides"/> is <see cref="TrainSpec"/> with every field optional. Merging pairs them by name, so a
/// field added to one and not the other would silently drop per-task overrides: these tests fail instead.
/// </summary>
public sealed class TrainOverridesTests
{
    private static PropertyInfo[] Fields(Type record) => record.GetProperties(BindingFlags.Public | BindingFlags.Instance);

    [Fact]
    public void Overrides_mirror_the_recipe_field_for_field_with_the_same_rules()
    {
        var recipe = Fields(typeof(TrainSpec));
        var overrides = Fields(typeof(TrainOverrides));
        Assert.Equal(recipe.Select(p => p.Name).Order(), overrides.Select(p => p.Name).Order());

        var nullability = new NullabilityInfoContext();
        foreach (var field in recipe)
        {
            var twin = typeof(TrainOverrides).GetProperty(field.Name)!;
            var expectedType = field.PropertyType.IsValueType ? typeof(Nullable<>).MakeGenericType(field.PropertyType) : field.PropertyType;
            Assert.True(expectedType == twin.PropertyType, $"TrainOverrides.{field.Name} is {twin.PropertyType}, expected {expectedType}");
            Assert.Equal(NullabilityState.Nullable, nullability.Create(twin).ReadState);
            Assert.Equal(Rules(field), Rules(twin));
        }
    }

    [Fact]
    public void Every_overridden_field_replaces_the_default_and_no_other_changes()
    {
        var defaults = new TrainSpec { Lr = 0.001, Batch = 16, Steps = 20 };
        // A value for every field, each different from the default.
        var overrides = new TrainOverrides
        {
            Lr = 0.5, WeightDecay = 0.25, Batch = 3, Steps = 7, WarmupSteps = 2, Schedule = ScheduleKind.Constant, GradClip = 4.0,
            CropScale = [0.6, 0.7], GradientAccumulation = 3,
        };
        Assert.All(Fields(typeof(TrainOverrides)), p => Assert.NotNull(p.GetValue(overrides)));

        var merged = SpecResolver.Merge(defaults, overrides);

        Assert.Equal((0.5, 0.25, 3, 7, 2, ScheduleKind.Constant, 4.0), (merged.Lr, merged.WeightDecay, merged.Batch, merged.Steps, merged.WarmupSteps, merged.Schedule, merged.GradClip));
        Assert.Equal([0.6, 0.7], merged.CropScale);
        Assert.Equal(3, merged.GradientAccumulation);

        var onlyLr = SpecResolver.Merge(defaults, new TrainOverrides { Lr = 0.5 });
        Assert.Equal(defaults with { Lr = 0.5 }, onlyLr);
        Assert.Equal(0.001, defaults.Lr);
    }

    [Fact]
    public void Resolved_spec_writes_every_task_recipe_in_full_without_aliases()
    {
        // Tasks without overrides share the default recipe's lists; YAML would otherwise write them once and alias them.
        var yaml = SpecWriter.ToResolvedYaml(SpecLoader.Parse(SpecFixture.ValidYaml, "valid.yaml", SpecFixture.Context));

        Assert.DoesNotContain("&o", yaml);
        Assert.DoesNotContain("*o", yaml);
        Assert.Equal(3, yaml.Split("crop_scale:\n    - 0.9\n    - 1\n").Length - 1 + yaml.Split("crop_scale:\n  - 0.9\n  - 1\n").Length - 1);
    }

    /// <summary>Each validation attribute as its type and public settings, comparable across properties.</summary>
    private static List<string> Rules(PropertyInfo property) =>
    [
        .. property.GetCustomAttributes<ValidationAttribute>().Select(a => a.GetType().Name + ":" + string.Join(",",
            a.GetType().GetProperties().Where(p => p.Name is not ("TypeId" or "ErrorMessageString")).Select(p => $"{p.Name}={p.GetValue(a)}"))).Order(),
    ];
}
