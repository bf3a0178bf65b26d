/// The commands an operator may send on `<root>/actuator/<name>/set` (docs/actuators.md); an
/// actuator's `commands:` allows some of them.
package enum ActuatorVerb: String, Sendable, Hashable, CaseIterable { case on, off, pulse, override, release }
