import ArgumentParser

/// `completions SHELL`: ArgumentParser's generated completion script.
struct Completions: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the shell completion script for bash, zsh or fish.",
        discussion: """
            For example: procwardenctl completions bash > /etc/bash_completion.d/procwardenctl
            """
    )

    enum Shell: String, CaseIterable, ExpressibleByArgument {
        case bash, zsh, fish
    }

    @Argument(help: ArgumentHelp("bash, zsh or fish.", valueName: "shell"))
    var shell: Shell

    func run() {
        Output.line(Procwardenctl.completionScript(for: CompletionShell(rawValue: shell.rawValue)!))
    }
}
