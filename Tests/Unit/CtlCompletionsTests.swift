import ProcWardenKit
import ProcWardenTestSupport
import Testing

/// `procwardenctl completions SHELL` prints ArgumentParser's script, which
/// knows every verb and the fixed values of the options.
@Suite struct CtlCompletionsTests {
    @Test(arguments: ["bash", "zsh", "fish"])
    func scriptNamesEveryVerbAndRule(shell: String) throws {
        let run = try ToolRun.product("procwardenctl", ["completions", shell])
        try #require(run.succeeded, "\(run.summary)")
        #expect(run.stderr.isEmpty)
        let help = try ToolRun.product("procwardenctl", ["--help"])
        let verbs = CtlHelp.subcommands(help.stdoutText)
        try #require(verbs.count >= 9)
        for verb in verbs { #expect(run.stdoutText.contains(verb), "\(shell): \(verb)") }
        for rule in AlertRule.allCases { #expect(run.stdoutText.contains(rule.rawValue), "\(shell): \(rule)") }
        for state in ExeState.allCases { #expect(run.stdoutText.contains(state.rawValue), "\(shell): \(state)") }
    }

    /// The bash script is valid bash (bash -n parses without running).
    @Test func bashScriptParses() throws {
        let scratch = try ScratchDirectory("completions", mode: 0o700)
        let run = try ToolRun.product("procwardenctl", ["completions", "bash"])
        try #require(run.succeeded, "\(run.summary)")
        let path = scratch("procwardenctl.bash")
        try DurableFile.write(run.stdout, to: path)
        let check = try ToolRun.run(["bash", "-n", path])
        #expect(check.succeeded, "\(check.summary)")
    }
}
