using Atlas.Pipeline.Specs;
using static Atlas.Pipeline.Tests.Specs.SpecFixture;

namespace Atlas.Pipeline.Tests.Specs;

/// <summary>The verify section: the paper reference's defaults (tolerance 1 point, row means, the committed folder) and
/// spec names, approved tables optional beside it, and a section that names nothing to verify against is located.</summary>
public sealed class VerifySpecTests
{
    [Fact]
    public void Paper_reference_loads_with_its_defaults_and_without_approved_tables()
    {
        var verify = SpecLoader.Parse(ValidYaml + "verify:\n  paper: { tolerance: 1.0 }\n", "valid.yaml", Context).Verify!;

        Assert.Null(verify.Approved);
        Assert.Equal(("experiments/reference/paper", 1.0, PaperAverage.RowMean), (verify.Paper!.Folder, verify.Paper.Tolerance, verify.Paper.Average));
    }

    [Fact]
    public void Paper_reference_options_load_by_their_spec_names_beside_approved_tables()
    {
        var verify = SpecLoader.Parse(ValidYaml + "verify:\n  approved: approved/x\n  paper: { folder: ref, tolerance: 0.5, average: printed }\n",
            "valid.yaml", Context).Verify!;

        Assert.Equal(("approved/x", "ref", 0.5, PaperAverage.Printed), (verify.Approved, verify.Paper!.Folder, verify.Paper.Tolerance, verify.Paper.Average));
        Assert.Equal(["row_mean", "printed"], SpecNames.All(typeof(PaperAverage)));
    }

    [Fact]
    public void Verify_section_with_nothing_to_verify_against_is_located()
    {
        AssertErrors(ValidYaml + "verify:\n  tolerance: { default: 1 }\n",
            "45:3: verify: nothing to verify against: give 'approved' (a folder of approved tables), 'paper', or both");
    }
}
