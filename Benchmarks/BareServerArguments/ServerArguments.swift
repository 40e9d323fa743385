/// `--host HOST` (127.0.0.1) and `--port N` (0: a free port), the two flags the bare servers take.
public struct ServerArguments {
    public var host = "127.0.0.1"
    public var port = 0

    public init(_ arguments: [String]) {
        var rest = arguments.dropFirst()
        while let flag = rest.popFirst() {
            switch flag {
            case "--host": host = rest.popFirst() ?? host
            case "--port": port = rest.popFirst().flatMap { Int($0) } ?? port
            default: fatalError("unknown argument \(flag); usage: [--host HOST] [--port N]")
            }
        }
    }
}
