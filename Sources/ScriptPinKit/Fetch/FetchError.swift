/// Why a download failed. Every case names the (redacted) URL and says what to do.
public struct FetchError: Error, Sendable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case invalidURL(String)
        case dns(String)
        case connect(String)
        case tls(String)
        case httpStatus(Int)
        case timeout(seconds: Int)
        case tooLarge(limit: Int64)
        case insecureRedirect(String)
        /// The server answered with something that is not valid HTTP (a broken status line).
        case malformedResponse(String)
        case tooManyRedirects
        case connectionLost(String)
        case caFileMissing(String)
        case sinkFailed(String)
        case other(String)
    }

    /// The URL with credentials and query removed.
    public let url: String
    public let reason: Reason

    public init(url: String, reason: Reason) {
        self.url = ScriptURL.redact(url)
        self.reason = reason
    }

    /// Short class name for reports: dns, connect, tls, http, timeout, size, redirect, network.
    public var kind: String {
        switch reason {
        case .invalidURL: "url"
        case .dns: "dns"
        case .connect: "connect"
        case .tls, .caFileMissing: "tls"
        case .httpStatus: "http"
        case .timeout: "timeout"
        case .tooLarge: "size"
        case .insecureRedirect, .tooManyRedirects: "redirect"
        case .connectionLost, .malformedResponse, .other: "network"
        case .sinkFailed: "io"
        }
    }

    /// Failures that another try may cure: refused or reset connections, 429 and 5xx.
    public var isTransient: Bool {
        switch reason {
        case .connect, .connectionLost: true
        case .httpStatus(let status): status == 429 || (500...599).contains(status)
        default: false
        }
    }

    public var description: String {
        switch reason {
        case .invalidURL(let problem):
            return problem
        case .dns(let detail):
            return "cannot resolve the host of \(url) (\(detail)); check the URL and the network or proxy settings"
        case .connect(let detail):
            return "cannot connect to \(url) (\(detail)); the host may be down, try again later"
        case .tls(let detail):
            return "TLS verification failed for \(url): \(detail); nothing was trusted"
        case .httpStatus(let status):
            return "\(url) answered HTTP \(status); only 200 is accepted, so an error page is never run. Check the URL"
        case .timeout(let seconds):
            return "\(url) did not finish within \(seconds) s or stalled; try again"
        case .tooLarge(let limit):
            return "\(url) sent more than \(limit) bytes, the size limit; raise it"
        case .insecureRedirect(let detail):
            return "\(url) redirected to a non-https location (\(detail)); refused, because the body could be changed in transit"
        case .malformedResponse(let detail):
            return "\(url) sent a response that is not valid HTTP (\(detail)); nothing was used. The server or a proxy in between is broken; try again later or report it"
        case .tooManyRedirects:
            return "\(url) redirected more than \(FetchOptions.maximumRedirects) times; check the URL for a redirect loop"
        case .connectionLost(let detail):
            return "the connection to \(url) broke before the body was complete (\(detail)); try again later"
        case .caFileMissing(let path):
            return "CA bundle \(path) cannot be read"
        case .sinkFailed(let detail):
            return "cannot keep the body of \(url): \(detail)"
        case .other(let detail):
            return "fetching \(url) failed: \(detail)"
        }
    }

    /// The setting that would help, for the caller to word.
    public var remedy: Remedy? {
        switch reason {
        case .tls: .trustPrivateCA
        case .caFileMissing: .checkCAFile
        case .timeout: .raiseTimeout
        case .tooLarge: .raiseSizeLimit
        default: nil
        }
    }
}
