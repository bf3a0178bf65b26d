import SenseCore
import SenseHardware

/// Runs bus transactions, turning a bus error into the sensor fault it means.
package func onBus<T>(_ body: () throws(I2CError) -> T) throws(SensorFault) -> T {
    do {
        return try body()
    } catch {
        throw error.fault
    }
}

/// Waits a conversion or execution time on the injected clock; cancellation (the poller is
/// stopping) ends the fetch as a fault, never as a value.
package func wait(_ clock: any SenseClock, _ d: Duration) async throws(SensorFault) {
    guard d > .zero else { return }
    do {
        try await clock.sleep(for: d)
    } catch {
        throw SensorFault(.timeout, "cancelled")
    }
}

/// `0x07FF`: a 16-bit register or status word for a log line.
package func hex16(_ w: UInt16) -> String {
    let digits = String(w, radix: 16, uppercase: true)
    return "0x" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}
