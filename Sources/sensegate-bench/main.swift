// sensegate-bench: the measurements behind docs/benchmarks.md (run from the repository root).
//   sensegate-bench pipeline                         analysis + rules throughput, one core
//   sensegate-bench reflex [EDGES]                   input edge → output, on the simulated board
//   sensegate-bench command PORT [COMMANDS] [RATE]   MQTT /set → output, against a broker on PORT,
//                                                    while RATE QoS 1 readings/s flow (default 50)
//   sensegate-bench reflex-flood PORT [EDGES] [RATE] reflex latency while RATE refused commands/s arrive
//   sensegate-bench traffic                          traffic station throughput, one core
//   sensegate-bench outbox PORT [PACE_S] [BACKLOG]   outbox: bytes/hour, replay rate, RSS (bench/outbox.sh)
//   sensegate-bench outbox-fill PATH COUNT           an outbox file holding COUNT undelivered readings
//   sensegate-bench emulators CONFIG                 the simulated board's heap per sensor (bench/scale.sh)
//   sensegate-bench bare PORT [RATE] [SECONDS]       libmosquitto alone: CPU per QoS 1 message (bench/scale.sh)
#if canImport(Glibc)
    import Glibc
#endif
let arguments = Array(CommandLine.arguments.dropFirst())
let config = "bench/reflex.yaml"
do {
    switch arguments.first ?? "pipeline" {
    case "pipeline":
        PipelineBenchmark.run()
    case "traffic":
        TrafficBenchmark.run()
    case "reflex":
        try await ReflexBenchmark.reflex(config: config, edges: arguments.count > 1 ? Int(arguments[1]) ?? 10_000 : 10_000)
    case "reflex-flood":
        guard arguments.count > 1, let port = Int(arguments[1]) else {
            throw BenchmarkError(description: "usage: sensegate-bench reflex-flood PORT [EDGES] [RATE]")
        }
        try await ReflexBenchmark.reflexUnderFlood(
            config: config, port: port, edges: arguments.count > 2 ? Int(arguments[2]) ?? 5_000 : 5_000,
            rate: arguments.count > 3 ? Int(arguments[3]) ?? 5_000 : 5_000)
    case "command":
        guard arguments.count > 1, let port = Int(arguments[1]) else {
            throw BenchmarkError(description: "usage: sensegate-bench command PORT [COMMANDS] [READINGS_PER_S]")
        }
        try await ReflexBenchmark.command(
            config: config, port: port, commands: arguments.count > 2 ? Int(arguments[2]) ?? 2_000 : 2_000,
            readingsPerSecond: min(1000, max(0, arguments.count > 3 ? Int(arguments[3]) ?? 50 : 50)))
    case "bare":
        guard arguments.count > 1, let port = Int(arguments[1]) else {
            throw BenchmarkError(description: "usage: sensegate-bench bare PORT [RATE] [SECONDS]")
        }
        try await BarePublisher.run(
            port: port, rate: min(100_000, max(1, arguments.count > 2 ? Int(arguments[2]) ?? 6_000 : 6_000)),
            seconds: min(3600, max(1, arguments.count > 3 ? Int(arguments[3]) ?? 20 : 20)))
    case "emulators":
        guard arguments.count > 1 else { throw BenchmarkError(description: "usage: sensegate-bench emulators CONFIG") }
        try EmulatorShare.run(config: arguments[1])
    case "outbox-fill":
        guard arguments.count > 2, let n = Int(arguments[2]) else {
            throw BenchmarkError(description: "usage: sensegate-bench outbox-fill PATH COUNT")
        }
        try OutboxBenchmark.fill(path: arguments[1], count: n)
    case "outbox":
        guard arguments.count > 1, let port = Int(arguments[1]) else {
            throw BenchmarkError(description: "usage: sensegate-bench outbox PORT [PACE_SECONDS] [BACKLOG]")
        }
        try await OutboxBenchmark.run(
            port: port, paceSeconds: arguments.count > 2 ? Int(arguments[2]) ?? 60 : 60,
            backlog: arguments.count > 3 ? Int(arguments[3]) ?? 1_000_000 : 1_000_000)
    default:
        throw BenchmarkError(
            description: "usage: sensegate-bench [pipeline | traffic | reflex [EDGES] | command PORT [COMMANDS] | outbox PORT [PACE_S] [BACKLOG]]")
    }
} catch {
    print("sensegate-bench: \(error)")
    exit(1)
}
