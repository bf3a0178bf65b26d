/// Outside text quoted back in an answer or a log line: at most 200 bytes of it, so a 64 KiB
/// topic level or payload is never repeated whole.
package enum QuotedText {
    package static func shown(_ text: String) -> String {
        text.utf8.count <= 200 ? text : String(decoding: text.utf8.prefix(200), as: UTF8.self) + "…"
    }
}
