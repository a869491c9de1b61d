namespace Atlas.Stages.Tests.RoCrate;

/// <summary>
/// The validator itself, on a hand-written crate that follows RO-Crate 1.1 and the Workflow Run Crate 0.5 profiles
/// (written from the specifications' examples, hashes by <c>sha256sum</c>), and on copies broken one rule at a time: it
/// must pass the one and name the broken rule in each of the others.
/// </summary>
public sealed class RoCrateValidatorTests : IDisposable
{
    // sha256sum of "abc" and of "hello\n" (printf 'abc' | sha256sum).
    private const string InSha = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    private const string OutSha = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";

    private const string Valid = $$$"""
        {
          "@context": ["https://w3id.org/ro/crate/1.1/context", "https://w3id.org/ro/terms/workflow-run/context"],
          "@graph": [
            {"@id": "ro-crate-metadata.json", "@type": "CreativeWork", "about": {"@id": "./"},
             "conformsTo": [{"@id": "https://w3id.org/ro/crate/1.1"}, {"@id": "https://w3id.org/workflowhub/workflow-ro-crate/1.0"}]},
            {"@id": "./", "@type": "Dataset", "name": "Hand-written crate", "description": "One copy step.",
             "datePublished": "2024-05-01", "license": {"@id": "https://spdx.org/licenses/CC0-1.0"},
             "conformsTo": [{"@id": "https://w3id.org/ro/wfrun/process/0.5"}, {"@id": "https://w3id.org/ro/wfrun/workflow/0.5"},
                            {"@id": "https://w3id.org/ro/wfrun/provenance/0.5"}, {"@id": "https://w3id.org/workflowhub/workflow-ro-crate/1.0"}],
             "mainEntity": {"@id": "wf.yaml"},
             "hasPart": [{"@id": "wf.yaml"}, {"@id": "in.txt"}, {"@id": "out.txt"}],
             "mentions": [{"@id": "#run"}, {"@id": "#tool-run"}]},
            {"@id": "https://w3id.org/ro/wfrun/process/0.5", "@type": "CreativeWork", "name": "Process Run Crate", "version": "0.5"},
            {"@id": "https://w3id.org/ro/wfrun/workflow/0.5", "@type": "CreativeWork", "name": "Workflow Run Crate", "version": "0.5"},
            {"@id": "https://w3id.org/ro/wfrun/provenance/0.5", "@type": "CreativeWork", "name": "Provenance Run Crate", "version": "0.5"},
            {"@id": "https://w3id.org/workflowhub/workflow-ro-crate/1.0", "@type": "CreativeWork", "name": "Workflow RO-Crate", "version": "1.0"},
            {"@id": "wf.yaml", "@type": ["File", "SoftwareSourceCode", "ComputationalWorkflow", "HowTo"], "name": "wf",
             "programmingLanguage": {"@id": "#lang"}, "hasPart": {"@id": "#tool"}, "step": {"@id": "#step"}},
            {"@id": "#lang", "@type": "ComputerLanguage", "name": "YAML steps"},
            {"@id": "#tool", "@type": "SoftwareApplication", "name": "copy", "softwareVersion": "1.0", "input": {"@id": "#tool/n"}},
            {"@id": "#tool/n", "@type": "FormalParameter", "name": "n", "additionalType": "Integer"},
            {"@id": "#step", "@type": "HowToStep", "position": 1, "workExample": {"@id": "#tool"}},
            {"@id": "#tool-run", "@type": "CreateAction", "name": "copy run", "instrument": {"@id": "#tool"},
             "object": [{"@id": "in.txt"}, {"@id": "#n-pv"}], "result": {"@id": "out.txt"},
             "startTime": "2024-05-01T10:00:00Z", "endTime": "2024-05-01T10:00:01.5Z",
             "actionStatus": {"@id": "http://schema.org/CompletedActionStatus"}},
            {"@id": "#n-pv", "@type": "PropertyValue", "name": "n", "value": 3, "exampleOfWork": {"@id": "#tool/n"}},
            {"@id": "#control", "@type": "ControlAction", "instrument": {"@id": "#step"}, "object": {"@id": "#tool-run"}},
            {"@id": "#run", "@type": "CreateAction", "name": "wf run", "instrument": {"@id": "wf.yaml"},
             "object": {"@id": "in.txt"}, "result": {"@id": "out.txt"}, "endTime": "2024-05-01T10:00:02+02:00"},
            {"@id": "#engine", "@type": "SoftwareApplication", "name": "engine", "softwareVersion": "2"},
            {"@id": "#organize", "@type": "OrganizeAction", "instrument": {"@id": "#engine"}, "object": {"@id": "#control"}, "result": {"@id": "#run"}},
            {"@id": "in.txt", "@type": "File", "contentSize": "3", "sha256": "{{{InSha}}}"},
            {"@id": "out.txt", "@type": "File", "contentSize": "6", "sha256": "{{{OutSha}}}"}
          ]
        }
        """;

    private readonly string folder = Path.Combine(Path.GetTempPath(), $"atlas-crate-validator-{Guid.NewGuid():N}");

    public RoCrateValidatorTests()
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "wf.yaml"), "steps: [copy]\n");
        File.WriteAllText(Path.Combine(folder, "in.txt"), "abc");
        File.WriteAllText(Path.Combine(folder, "out.txt"), "hello\n");
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void The_hand_written_crate_passes()
    {
        WriteCrate(Valid);
        var findings = RoCrateValidator.Validate(folder);
        Assert.True(findings.Count == 0, string.Join("\n", findings));
    }

    [Fact]
    public void A_folder_without_the_metadata_file_fails_rc1()
    {
        var finding = Assert.Single(RoCrateValidator.Validate(folder));
        Assert.Equal("RC-1", finding.Rule);
    }

    [Fact]
    public void A_file_whose_bytes_changed_fails_rc12_naming_the_file()
    {
        WriteCrate(Valid);
        File.WriteAllText(Path.Combine(folder, "out.txt"), "hellO\n"); // same size, other bytes

        var finding = Assert.Single(RoCrateValidator.Validate(folder));
        Assert.Equal(("RC-12", "out.txt"), (finding.Rule, finding.Entity));
        Assert.Contains(OutSha, finding.Message);
    }

    [Theory]
    [InlineData("wrong context", "https://w3id.org/ro/crate/1.1/context\", \"https", "https://w3id.org/ro/crate/1.0/context\", \"https", "RC-2")]
    [InlineData("missing descriptor", "\"@id\": \"ro-crate-metadata.json\"", "\"@id\": \"metadata.json\"", "RC-5")]
    [InlineData("dangling reference", "\"result\": {\"@id\": \"out.txt\"}, \"endTime\"", "\"result\": {\"@id\": \"outputs/out.txt\"}, \"endTime\"", "RC-7")]
    [InlineData("duplicate id", "{\"@id\": \"#engine\", \"@type\": \"SoftwareApplication\"", "{\"@id\": \"#lang\", \"@type\": \"SoftwareApplication\"", "RC-4")]
    [InlineData("file not in hasPart", "{\"@id\": \"in.txt\"}, {\"@id\": \"out.txt\"}", "{\"@id\": \"in.txt\"}", "RC-10")]
    [InlineData("wrong size", "\"contentSize\": \"6\"", "\"contentSize\": \"7\"", "RC-12")]
    [InlineData("undefined property", "\"name\": \"engine\"", "\"engineName\": \"engine\"", "RC-8")]
    [InlineData("date not ISO 8601", "\"datePublished\": \"2024-05-01\"", "\"datePublished\": \"01/05/2024\"", "RC-6")]
    [InlineData("end before start", "\"startTime\": \"2024-05-01T10:00:00Z\"", "\"startTime\": \"2024-05-01T11:00:00Z\"", "RC-13")]
    [InlineData("no workflow run profile", "{\"@id\": \"https://w3id.org/ro/wfrun/workflow/0.5\"},", "", "WF-1")]
    [InlineData("workflow not a ComputationalWorkflow", "\"SoftwareSourceCode\", \"ComputationalWorkflow\", \"HowTo\"", "\"SoftwareSourceCode\", \"HowTo\"", "WR-2")]
    [InlineData("no licence", "\"license\": {\"@id\": \"https://spdx.org/licenses/CC0-1.0\"},", "", "WR-4")]
    [InlineData("tool run without instrument", "\"name\": \"copy run\", \"instrument\": {\"@id\": \"#tool\"},", "\"name\": \"copy run\",", "PR-2")]
    [InlineData("workflow never run", "\"instrument\": {\"@id\": \"wf.yaml\"}", "\"instrument\": {\"@id\": \"#engine\"}", "WF-2")]
    [InlineData("parameter without type", ", \"additionalType\": \"Integer\"", "", "WF-3")]
    [InlineData("steps but no HowTo", ", \"HowTo\"]", "]", "PV-3")]
    [InlineData("step names no tool", "\"workExample\": {\"@id\": \"#tool\"}", "\"workExample\": {\"@id\": \"#engine\"}", "PV-4")]
    [InlineData("control action on no step", "\"instrument\": {\"@id\": \"#step\"}", "\"instrument\": {\"@id\": \"#tool\"}", "PV-5")]
    [InlineData("engine run with a wrong result", "\"result\": {\"@id\": \"#run\"}", "\"result\": {\"@id\": \"#tool-run\"}", "PV-6")]
    public void A_crate_broken_in_one_place_names_the_rule(string what, string find, string replace, string rule)
    {
        Assert.Contains(find, Valid);
        WriteCrate(Valid.Replace(find, replace, StringComparison.Ordinal));

        var findings = RoCrateValidator.Validate(folder);

        Assert.True(findings.Any(f => f.Rule == rule && f.Level == RuleLevel.Must), $"{what}: expected {rule}, got\n{string.Join("\n", findings)}");
    }

    private void WriteCrate(string text) => File.WriteAllText(Path.Combine(folder, "ro-crate-metadata.json"), text);
}
