/// The release, as payloads (health, CAP's `sensegate:version`) and `sensegate version` say it.
public enum SensegateVersion {
    public static let string = "0.7.0"
}
