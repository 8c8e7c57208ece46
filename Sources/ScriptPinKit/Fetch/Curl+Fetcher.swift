internal import CLibCurl
internal import Synchronization

/// What a completed download was: its digest and size.
public struct FetchedBody: Sendable {
    public let digest: Digest
    public let size: Int64
    /// Where the redirects led, when there were any.
    public var redirectedTo: String?
}

/// Downloads over https with libcurl under scriptpin's policy: https only,
/// also for redirects; TLS 1.2 or newer, always verified; only HTTP 200;
/// no content encoding, so the digest covers exactly what `curl -fsSL` prints;
/// the body streamed through the hasher and capped.
public struct Fetcher: Sendable {
    public let options: FetchOptions

    public init(options: FetchOptions) {
        self.options = options
    }

    /// Fetches `url` into `sink` (or only through the hasher when nil),
    /// retrying transient failures with exponential backoff. `headers` are
    /// request header lines (`Accept: …`), for APIs that choose the answer's
    /// form by them; a `session` keeps the connection open for the next request of a series.
    public func fetch(
        _ url: String, sizeLimit: Int64, algorithm: DigestAlgorithm = .sha256, into sink: BodySink? = nil,
        headers: [String] = [], session: FetchSession? = nil
    ) throws(ScriptPinError) -> FetchedBody {
        if let problem = ScriptURL.problem(with: url) {
            throw .fetch(FetchError(url: url, reason: .invalidURL(problem)))
        }
        if let caFile = options.effectiveCAFile, fileKind(caFile) != .regular {
            throw .fetch(FetchError(url: url, reason: .caFileMissing(caFile)))
        }
        var delay = options.firstRetryDelayMilliseconds
        var attempt = 0
        while true {
            do {
                return try attemptFetch(url, sizeLimit: sizeLimit, algorithm: algorithm, sink: sink, headers: headers, session: session)
            } catch .fetch(let failure) where failure.isTransient && attempt < FetchOptions.transientRetries {
                attempt += 1
                pause(milliseconds: delay)
                delay *= 2
            }
        }
    }

    /// The digest of the body at `url`, for `scriptpin hash URL`.
    public func digest(of url: String, algorithm: DigestAlgorithm) throws(ScriptPinError) -> Digest {
        try fetch(url, sizeLimit: options.sizeLimit(declared: nil), algorithm: algorithm).digest
    }

    private func attemptFetch(
        _ url: String, sizeLimit: Int64, algorithm: DigestAlgorithm, sink: BodySink?, headers: [String], session: FetchSession?
    ) throws(ScriptPinError) -> FetchedBody {
        try sink?.restart()
        let hasher: StreamingHasher
        do { hasher = try StreamingHasher(algorithm) } catch { throw .crypto(error) }
        let handle: CurlEasyHandle
        if let kept = session?.take(for: url) { handle = kept } else { handle = try CurlEasyHandle(url: url) }
        defer { session?.keep(handle) }
        let transfer = CurlTransferState(handle: handle, hasher: hasher, sink: sink, sizeLimit: sizeLimit)
        try configure(handle, url: url, sizeLimit: sizeLimit, transfer: transfer)
        try handle.setHeaders(headers)
        let code = curl_easy_perform(handle.pointer)
        if let failure = transfer.failure { throw failure }
        if code != CURLE_OK {
            throw .fetch(FetchError(url: url, reason: reason(for: code, handle: handle, sizeLimit: sizeLimit)))
        }
        let status = handle.responseCode
        guard status == 200 else { throw .fetch(FetchError(url: url, reason: .httpStatus(status))) }
        let digest: Digest
        do { digest = try hasher.finalize() } catch { throw .crypto(error) }
        return FetchedBody(digest: digest, size: transfer.received, redirectedTo: handle.redirectCount > 0 ? handle.effectiveURL : nil)
    }

    private func configure(
        _ handle: CurlEasyHandle, url: String, sizeLimit: Int64, transfer: CurlTransferState
    ) throws(ScriptPinError) {
        try handle.set(CURLOPT_URL, url)
        try handle.set(CURLOPT_PROTOCOLS_STR, "https")
        try handle.set(CURLOPT_REDIR_PROTOCOLS_STR, "https")
        try handle.set(CURLOPT_FOLLOWLOCATION, 1)
        try handle.set(CURLOPT_MAXREDIRS, FetchOptions.maximumRedirects)
        try handle.set(CURLOPT_SSLVERSION, Int(CURL_SSLVERSION_TLSv1_2))
        try handle.set(CURLOPT_SSL_VERIFYPEER, 1)
        try handle.set(CURLOPT_SSL_VERIFYHOST, 2)
        if let caFile = options.effectiveCAFile { try handle.set(CURLOPT_CAINFO, caFile) }
        try handle.set(CURLOPT_CONNECT_TO, lines: options.connectTo, purpose: "a connect-to rule")
        try handle.set(CURLOPT_CONNECTTIMEOUT, FetchOptions.connectTimeoutSeconds)
        try handle.set(CURLOPT_TIMEOUT, options.timeoutSeconds)
        try handle.set(CURLOPT_LOW_SPEED_LIMIT, FetchOptions.lowSpeedBytesPerSecond)
        try handle.set(CURLOPT_LOW_SPEED_TIME, FetchOptions.lowSpeedSeconds)
        // Threads fetch concurrently in `check`; signals must not be used for timeouts.
        try handle.set(CURLOPT_NOSIGNAL, 1)
        try handle.set(CURLOPT_USERAGENT, "scriptpin/\(ScriptPinVersion.current)")
        // Refused early when the server announces the length; a chunked body is
        // also counted in the write callback, since libcurl does not stop it.
        try handle.check(scriptpin_curl_set_offset(handle.pointer, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(sizeLimit)), CURLOPT_MAXFILESIZE_LARGE)
        try handle.check(scriptpin_curl_set_write_callback(handle.pointer, curlWriteBody), CURLOPT_WRITEFUNCTION)
        try handle.check(
            scriptpin_curl_set_pointer(handle.pointer, CURLOPT_WRITEDATA, Unmanaged.passUnretained(transfer).toOpaque()),
            CURLOPT_WRITEDATA)
    }

    private func reason(for code: CURLcode, handle: CurlEasyHandle, sizeLimit: Int64) -> FetchError.Reason {
        let detail = handle.errorDetail(code)
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .dns(detail)
        case CURLE_COULDNT_CONNECT:
            return .connect(detail)
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout(seconds: options.timeoutSeconds)
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
             CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CRL_BADFILE, CURLE_SSL_SHUTDOWN_FAILED:
            return .tls(detail)
        case CURLE_FILESIZE_EXCEEDED:
            return .tooLarge(limit: sizeLimit)
        case CURLE_UNSUPPORTED_PROTOCOL:
            // libcurl uses this code both for a redirect to another scheme and
            // for a response it cannot parse; only the first leaves https.
            let leftHTTPS = handle.redirectCount > 0 && !(handle.effectiveURL?.lowercased().hasPrefix("https://") ?? true)
            return leftHTTPS ? .insecureRedirect(detail) : .malformedResponse(detail)
        case CURLE_TOO_MANY_REDIRECTS:
            return .tooManyRedirects
        case CURLE_PARTIAL_FILE, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            return .connectionLost(detail)
        default:
            return .other(detail)
        }
    }
}

/// What the write callback needs while a transfer runs; it records the first
/// failure so that the caller reports it rather than libcurl's generic write error.
final class CurlTransferState {
    let handle: CurlEasyHandle
    let hasher: StreamingHasher
    let sink: BodySink?
    let sizeLimit: Int64
    var received: Int64 = 0
    var failure: ScriptPinError?

    init(handle: CurlEasyHandle, hasher: StreamingHasher, sink: BodySink?, sizeLimit: Int64) {
        self.handle = handle
        self.hasher = hasher
        self.sink = sink
        self.sizeLimit = sizeLimit
    }

    /// Accepts one chunk; false aborts the transfer.
    func receive(_ bytes: UnsafeRawBufferPointer) -> Bool {
        // The status is known before the first body byte: an error page is never hashed or kept.
        let status = handle.responseCode
        guard status == 200 else {
            failure = .fetch(FetchError(url: handle.url, reason: .httpStatus(status)))
            return false
        }
        received += Int64(bytes.count)
        guard received <= sizeLimit else {
            failure = .fetch(FetchError(url: handle.url, reason: .tooLarge(limit: sizeLimit)))
            return false
        }
        do {
            try hasher.update(bytes)
            try sink?.append(bytes)
        } catch let error as OpenSSLError {
            failure = .crypto(error)
            return false
        } catch {
            failure = error as? ScriptPinError ?? .fetch(FetchError(url: handle.url, reason: .sinkFailed("\(error)")))
            return false
        }
        return true
    }
}

private let curlWriteBody: scriptpin_curl_write_callback = { data, size, count, context in
    let transfer = Unmanaged<CurlTransferState>.fromOpaque(context!).takeUnretainedValue()
    let length = size * count
    return transfer.receive(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
}

/// A series of requests made one after another (the GitHub API's ref, tag,
/// commit and tree for one evidence line), over one connection: each
/// request but the first skips the TCP and TLS set-up. Every request is
/// still configured afresh, so nothing but the connection carries over.
public final class FetchSession: Sendable {
    private let idle = Mutex<CurlEasyHandle?>(nil)

    public init() {}

    /// The kept handle, reset for `url`, or nil when there is none (or another request holds it).
    func take(for url: String) -> CurlEasyHandle? {
        let handle = idle.withLock { kept -> CurlEasyHandle? in
            let handle = kept
            kept = nil
            return handle
        }
        handle?.reset(for: url)
        return handle
    }

    func keep(_ handle: CurlEasyHandle) {
        idle.withLock { $0 = handle }
    }
}

/// libcurl's process-wide set-up, run once before the first handle exists.
private let curlGlobalInitialization: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

/// Owns one `CURL *` easy handle and its error buffer; cleaned up in deinit.
/// Used by one thread at a time: a `FetchSession` hands it on only under its lock.
final class CurlEasyHandle: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    private(set) var url: String
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// The string lists options point at, which libcurl does not copy: freed with the handle.
    private var lists: [UnsafeMutablePointer<curl_slist>] = []

    init(url: String) throws(ScriptPinError) {
        guard curlGlobalInitialization == CURLE_OK else {
            throw .fetch(FetchError(url: url, reason: .other("libcurl could not initialise: \(String(cString: curl_easy_strerror(curlGlobalInitialization)))")))
        }
        guard let pointer = curl_easy_init() else {
            throw .fetch(FetchError(url: url, reason: .other("libcurl could not create a handle (out of memory?)")))
        }
        self.pointer = pointer
        self.url = url
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        _ = scriptpin_curl_set_pointer(pointer, CURLOPT_ERRORBUFFER, errorBuffer)
    }

    /// The handle made new for a request to `url`, every option back to its
    /// default, while libcurl keeps its open connections and TLS sessions.
    func reset(for url: String) {
        curl_easy_reset(pointer)
        for list in lists { curl_slist_free_all(list) }
        lists = []
        self.url = url
        errorBuffer.update(repeating: 0, count: Int(CURL_ERROR_SIZE))
        _ = scriptpin_curl_set_pointer(pointer, CURLOPT_ERRORBUFFER, errorBuffer)
    }

    /// Request header lines, kept in a list this handle owns until it is cleaned up.
    func setHeaders(_ lines: [String]) throws(ScriptPinError) {
        try set(CURLOPT_HTTPHEADER, lines: lines, purpose: "a request header")
    }

    /// A list option (request headers, connect-to rules); nothing is set for no lines.
    func set(_ option: CURLoption, lines: [String], purpose: String) throws(ScriptPinError) {
        guard !lines.isEmpty else { return }
        var list: UnsafeMutablePointer<curl_slist>?
        for line in lines {
            guard let longer = curl_slist_append(list, line) else {
                curl_slist_free_all(list)
                throw .fetch(FetchError(url: url, reason: .other("libcurl could not add \(purpose) (out of memory?)")))
            }
            list = longer
        }
        if let list { lists.append(list) }
        try check(scriptpin_curl_set_pointer(pointer, option, list), option)
    }

    func set(_ option: CURLoption, _ value: Int) throws(ScriptPinError) {
        try check(scriptpin_curl_set_long(pointer, option, value), option)
    }

    func set(_ option: CURLoption, _ value: String) throws(ScriptPinError) {
        // libcurl copies string options, so the temporary C string may go away afterwards.
        try check(scriptpin_curl_set_string(pointer, option, value), option)
    }

    func check(_ code: CURLcode, _ option: CURLoption) throws(ScriptPinError) {
        guard code == CURLE_OK else {
            let text = String(cString: curl_easy_strerror(code))
            throw .fetch(FetchError(url: url, reason: .other("libcurl refused option \(option.rawValue): \(text); the system libcurl may be too old (7.85 or newer is needed)")))
        }
    }

    var responseCode: Int {
        var code = 0
        _ = scriptpin_curl_get_long(pointer, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    var redirectCount: Int {
        var count = 0
        _ = scriptpin_curl_get_long(pointer, CURLINFO_REDIRECT_COUNT, &count)
        return count
    }

    /// The URL of the last request libcurl made, after redirects.
    var effectiveURL: String? {
        var value: UnsafeMutablePointer<CChar>?
        guard scriptpin_curl_get_string(pointer, CURLINFO_EFFECTIVE_URL, &value) == CURLE_OK, let value else { return nil }
        return String(cString: value)
    }

    /// libcurl's detailed message for the last failure, else its generic text for `code`.
    func errorDetail(_ code: CURLcode) -> String {
        let detail = String(cString: errorBuffer)
        let text = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        return ScriptURL.redact(text)
    }

    deinit {
        curl_easy_cleanup(pointer)
        for list in lists { curl_slist_free_all(list) }
        errorBuffer.deallocate()
    }
}

extension BuildInfo {
    /// The libcurl this process runs with.
    public static var curlVersion: String {
        String(cString: scriptpin_curl_runtime_version())
    }
}
