import ArgumentParser

/// The `conform` command line: the local AWS Config conformance-pack engine and its tools.
@main
struct Conform: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conform",
        abstract: "A local, event-sourced engine for AWS Config conformance packs.",
        subcommands: [ServeCommand.self, LoadCommand.self, ReplayCommand.self, LogCommand.self, BenchCommand.self]
    )
}
