import Foundation
import SenseCore
import SenseHardware

/// Output lines whose `set` waits at a gate the test opens: a line that takes as long as the test
/// says (a wedged GPIO driver, a relay board on a slow expander). Inputs and buses are the inner
/// hardware's.
package final class GatedOutputs: Hardware {
    private let inner: any Hardware
    private let gate = Locked<(open: Bool, waiting: Int, sets: Int)>((true, 0, 0))

    package init(_ inner: any Hardware) { self.inner = inner }

    /// From now on every `set` waits until `open()`.
    package func close() { gate.withLock { $0.open = false } }
    package func open() { gate.withLock { $0.open = true } }
    /// Sets waiting at the gate now, and sets completed.
    package var waiting: Int { gate.withLock { $0.waiting } }
    package var completedSets: Int { gate.withLock { $0.sets } }

    func pass() {
        gate.withLock { $0.waiting += 1 }
        while !gate.withLock({ $0.open }) { usleep(1000) }
        gate.withLock {
            $0.waiting -= 1
            $0.sets += 1
        }
    }

    package func i2cBus(named name: String, device: String) throws(I2CError) -> any I2CBus {
        try inner.i2cBus(named: name, device: device)
    }

    package func gpioChip(named name: String, device: String) throws(GPIOError) -> any GPIOChip {
        GatedChip(inner: try inner.gpioChip(named: name, device: device), hardware: self)
    }

    private struct GatedChip: GPIOChip {
        let inner: any GPIOChip
        let hardware: GatedOutputs
        var name: String { inner.name }
        var lineCount: Int { inner.lineCount }

        func requestInput(offset: Int, bias: Bias, consumer: String) throws(GPIOError) -> any GPIOInput {
            try inner.requestInput(offset: offset, bias: bias, consumer: consumer)
        }

        func requestOutput(offset: Int, initial: Bool, consumer: String) throws(GPIOError) -> any GPIOOutput {
            GatedOutput(inner: try inner.requestOutput(offset: offset, initial: initial, consumer: consumer), hardware: hardware)
        }
    }

    private struct GatedOutput: GPIOOutput {
        let inner: any GPIOOutput
        let hardware: GatedOutputs
        var chip: String { inner.chip }
        var offset: Int { inner.offset }
        var level: Bool { inner.level }

        func set(_ high: Bool) throws(GPIOError) {
            hardware.pass()
            try inner.set(high)
        }

        func release() { inner.release() }
    }
}
