/// The node's message counter `seq`, bounded where it is read from outside (the `seq` file, a
/// stored outbox): JSON consumers such as JavaScript read integers exactly only up to 2^53 − 1,
/// and at a thousand messages a second the counter reaches it in 285,000 years, so anything
/// larger is damage, never a real count.
public enum SequenceNumber {
    public static let largest: UInt64 = (1 << 53) - 1
}
