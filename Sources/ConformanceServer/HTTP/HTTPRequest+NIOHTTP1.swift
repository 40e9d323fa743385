import HTTPTypes
import NIOHTTP1
import NIOHTTPTypesHTTP1

extension HTTPRequest {
    /// The request `head` stands for, as HummingbirdCore's codec builds it (the first `Host` is the
    /// authority and leaves the fields; fields with invalid names are dropped), without its
    /// `URLComponents` pass over origin-form targets; nil for a method HTTP types refuses.
    init?(_ head: HTTPRequestHead) {
        let method: HTTPRequest.Method
        switch head.method {
        case .POST: method = .post
        case .GET: method = .get
        default:
            guard let converted = try? HTTPRequest.Method(head.method) else { return nil }
            method = converted
        }
        var fields = HTTPFields()
        fields.reserveCapacity(head.headers.count)
        var authority: String?
        for (name, value) in head.headers {
            guard let fieldName = HTTPField.Name(name) else { continue }
            if authority == nil, fieldName.canonicalName == "host" {
                authority = value
                continue
            }
            fields.append(HTTPField(name: fieldName, value: value))
        }
        let path: String
        if head.uri.utf8.first == UInt8(ascii: "/") {
            path = head.uri
        } else {
            // Absolute or asterisk form: the codec's own conversion (rare; not worth a parser here).
            guard let converted = try? HTTPRequest(head, secure: false, splitCookie: false) else { return nil }
            path = converted.path ?? "/"
        }
        self.init(method: method, scheme: "http", authority: authority, path: path, headerFields: fields)
    }
}
