import SenseHardwareLinux

public enum SensegateVersion {
    public static let string = "0.7.0"
    /// The libgpiod API this binary was built against (1 on Debian 12 / bookworm).
    public static var gpiodAPI: Int { LinuxGPIOChip.apiVersion }
}
