import ProcWardenKit
import Testing

/// `procwardenctl completions SHELL` prints ArgumentParser's script, which
/// knows every verb and the fixed values of the options.
@Suite struct CtlCompletionsTests {
    @Test(arguments: ["bash", "zsh", "fish"])
    func scriptNamesEveryVerbAndRule(shell: String) throws {
        let run = try CtlRun.ctl(["completions", shell])
        try #require(run.succeeded, "\(run.summary)")
        #expect(run.stderr.isEmpty)
        let help = try CtlRun.ctl(["--help"])
        let verbs = CtlHelp.subcommands(help.stdoutText)
        try #require(verbs.count >= 9)
        for verb in verbs { #expect(run.stdoutText.contains(verb), "\(shell): \(verb)") }
        for rule in AlertRule.allCases { #expect(run.stdoutText.contains(rule.rawValue), "\(shell): \(rule)") }
        for state in ExeState.allCases { #expect(run.stdoutText.contains(state.rawValue), "\(shell): \(state)") }
    }

    /// The bash script is valid bash (bash -n parses without running).
    @Test func bashScriptParses() throws {
        let directory = try CtlRun.scratchDirectory("completions")
        defer { CtlRun.removeTree(directory) }
        let run = try CtlRun.ctl(["completions", "bash"])
        try #require(run.succeeded, "\(run.summary)")
        let path = directory + "/procwardenctl.bash"
        try DurableFile.write(run.stdout, to: path)
        let check = try ToolRun.run(["bash", "-n", path])
        #expect(check.succeeded, "\(check.summary)")
    }
}
