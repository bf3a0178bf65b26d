import SenseConfig
import SenseSimulator
import Testing

/// The config names the simulated world without importing the simulator (issue 18); the rig
/// translates by name, so both sides must offer the same names.
@Suite struct SimulationNamesTests {
    @Test func theConfigAndTheSimulatorNameTheSameScenariosAndQuantities() {
        #expect(RoadScenario.allCases.map(\.rawValue) == RoadWorld.Scenario.allCases.map(\.rawValue))
        #expect(CatchmentScenario.allCases.map(\.rawValue) == CatchmentWorld.Scenario.allCases.map(\.rawValue))
        #expect(ExcursionSetting.Quantity.allCases.map(\.rawValue) == Excursion.Quantity.allCases.map(\.rawValue))
    }
}
