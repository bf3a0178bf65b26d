/// `home_assistant:` — MQTT discovery, so Home Assistant builds the gateway's entities itself
/// (docs/home-assistant.md).
package struct HomeAssistantSettings: Sendable, Hashable {
    /// false: the discovery configs this node published before are deleted, and none are sent.
    package var enabled = true
    /// Where Home Assistant listens for discovery configs.
    package var discoveryPrefix = "homeassistant"
    /// The device's name in Home Assistant (default: the node id).
    package var deviceName: String?
    /// The area Home Assistant suggests for the device.
    package var area: String?
    /// Home Assistant's own birth topic: an `online` there makes the gateway send its configs
    /// again (default `<discovery_prefix>/status`).
    package var birthTopic: String?
    /// Per-lane traffic entities start disabled (directions are enabled); true enables them too.
    package var laneEntities = false

    package init() {}

    package var homeAssistantStatusTopic: String { birthTopic ?? "\(discoveryPrefix)/status" }
}
