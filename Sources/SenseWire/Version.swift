/// The release, as payloads (health, CAP's `sensegate:version`) and `sensegate version` say it.
package enum SensegateVersion {
    package static let string = "0.7.0"
}
