import SenseCLI
import SenseConfig
import SenseCore

/// One value as a config, a command or the CLI writes it → every reader of scalars.
enum ScalarFuzzing {
    static func run(_ bytes: [UInt8]) {
        let text = FuzzInput.text(bytes)
        if case let .success(d) = DurationText.parse(text) {
            precondition(d >= .zero && d <= DurationText.longest, "a duration outside the accepted range")
            _ = d.configText
            _ = d.limitText
            _ = MonotonicInstant(nanoseconds: .max - 1) + d
        }
        if let v = NumberText.decimal(text) { precondition(v.isFinite) }
        _ = NumberText.integer(text)
        _ = Duration(checkedSeconds: NumberText.decimal(text) ?? .nan)
        _ = BrokerURL(text)
        if let t = WallTime(rfc3339: text) { _ = t.rfc3339 }
        let sink = DiagnosticSink(file: "fuzz")
        let reader = ScalarReader(sink)
        let node = YAMLNode.scalar(text, plain: true, SourceMark(line: 1, column: 1))
        _ = reader.duration(node, "d", in: .zero...(.seconds(86_400)))
        _ = reader.integer(node, "i", in: 0...100)
        _ = reader.number(node, "n", in: -1...1)
        _ = reader.topic(node, "t")
        _ = reader.bool(node, "b")
    }
}

/// Command-line arguments (NUL-separated) → a command or a usage error; `model` runs the model.
enum CLIFuzzing {
    static func run(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        var arguments: [String] = []
        while !input.isEmpty, arguments.count < 16 { arguments.append(FuzzInput.text(input.field(separator: 0))) }
        let command: Command
        do throws(UsageError) {
            command = try CommandLineParser.parse(arguments)
        } catch {
            precondition(!error.message.isEmpty)
            return
        }
        guard case let .model(name?, modelArguments) = command else { return }
        do throws(ModelCommand.Failure) {
            _ = try ModelCommand.run(name, modelArguments)
        } catch {
            precondition(!error.message.isEmpty)
        }
    }
}
