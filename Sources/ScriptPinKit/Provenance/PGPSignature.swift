/// OpenPGP signatures, checked by the system's `gpgv` (GnuPG's verifier,
/// which trusts exactly the keyrings it is given) rather than by a second
/// OpenPGP implementation: scriptpin reads only gpgv's machine-readable
/// status lines, and accepts a signature only when gpgv exits 0 and says
/// VALIDSIG for the primary key the pin names, by a hash stronger than SHA-1,
/// with neither the signature nor the key expired or revoked.
enum PGPSignature {
    /// OpenPGP's hash algorithm numbers (RFC 4880 9.4) that are accepted:
    /// SHA-256, SHA-384, SHA-512 and SHA-224. MD5, SHA-1 and RIPEMD-160 are not.
    static let acceptedHashes: Set<String> = ["8", "9", "10", "11"]

    /// Status keywords that mean the signature must not count, whatever else gpgv says.
    static let refusals: [String: String] = [
        "BADSIG": "gpgv says the signature is bad: the signed bytes differ from what was signed",
        "EXPSIG": "the signature has expired",
        "EXPKEYSIG": "the key that made it has expired",
        "REVKEYSIG": "the key that made it has been revoked",
        "ERRSIG": "gpgv could not check it (a key not in the keyrings, or an algorithm it does not support)",
        "NO_PUBKEY": "the key that made it is not in the repository's keyrings",
    ]

    /// Whether `signature` is by the primary key `fingerprint` over `message`,
    /// with the keyrings in `keyrings`; files go to a private directory for
    /// gpgv, which is its home too, so that no one's `~/.gnupg` is read.
    static func verify(
        _ signature: [UInt8], over message: [UInt8], fingerprint: String, keyrings: [String], temporaryDirectory: String
    ) -> Result<String, SignatureProblem> {
        guard !keyrings.isEmpty else {
            return .failure(.keyMissing("no OpenPGP keyring (a *.gpg file, as `gpg --export FINGERPRINT > KEY.gpg` writes it)"))
        }
        let directory: String
        do { directory = try makeTemporaryDirectory(template: joinPath(temporaryDirectory, "scriptpin-gpgv.XXXXXX")) } catch {
            return .failure(.malformed("could not make a private directory for gpgv in \(temporaryDirectory): \(error)"))
        }
        let signaturePath = joinPath(directory, "signature")
        let messagePath = joinPath(directory, "message")
        defer {
            // gpgv may leave files of its own in its home.
            for name in (try? directoryEntries(directory)) ?? [] { removeFile(joinPath(directory, name)) }
            removeDirectory(directory)
        }
        do throws(Errno) {
            for (path, bytes) in [(signaturePath, signature), (messagePath, message)] {
                try FileDescriptor.createExclusive(path).writeAll(bytes)
            }
        } catch {
            return .failure(.malformed("could not write the signature for gpgv into \(directory): \(error)"))
        }
        // Only the status lines reach stdout, which is read; gpgv's messages for people, which quote
        // what the signature carries, go to a file of the private directory and are never parsed.
        let log: FileDescriptor
        do { log = try FileDescriptor.createExclusive(joinPath(directory, "log")) } catch {
            return .failure(.malformed("could not make gpgv's log file in \(directory): \(error)"))
        }
        let logDescriptor: Int32 = 3
        let arguments = ["gpgv", "--homedir", directory, "--status-fd", "1", "--logger-fd", String(logDescriptor)]
            + keyrings.flatMap { ["--keyring", $0] } + [signaturePath, messagePath]
        let result: SpawnResult
        do {
            var request = SpawnRequest(arguments: arguments, environment: [Array("LC_ALL=C".utf8)], capturesOutput: true)
            request.passedDescriptor = (log.rawValue, logDescriptor)
            result = try spawnAndWait(request)
        } catch {
            switch error {
            case .notFound: return .failure(.toolMissing("gpgv is not installed; install it (Debian: apt-get install gpgv) to check pgp signature lines"))
            case .notExecutable(let errno), .failed(let errno): return .failure(.toolMissing("gpgv could not be started: \(errno)"))
            }
        }
        return judge(status: result.output, exited: result.termination, fingerprint: fingerprint)
    }

    /// Reads gpgv's `[GNUPG:] KEYWORD …` lines.
    static func judge(status output: [UInt8], exited termination: Termination, fingerprint: String) -> Result<String, SignatureProblem> {
        let statusLines = output.split(separator: UInt8(ascii: "\n")).compactMap { line -> [String]? in
            let words = String(decoding: line, as: UTF8.self).split(separator: " ").map(String.init)
            return words.count > 1 && words[0] == "[GNUPG:]" ? Array(words.dropFirst()) : nil
        }
        for words in statusLines {
            if let refusal = refusals[words[0]] {
                let signer = words.count > 1 ? " (key \(words[1]))" : ""
                return .failure(words[0] == "NO_PUBKEY" || words[0] == "ERRSIG" ? .otherKey("an OpenPGP key not in the keyrings\(signer)") : .invalid(refusal + signer))
            }
        }
        guard let valid = statusLines.first(where: { $0.first == "VALIDSIG" }), valid.count >= 11 else {
            return .failure(.invalid("gpgv did not report a valid signature (\(termination.sentence))"))
        }
        guard termination == .exited(0) else { return .failure(.invalid("gpgv \(termination.sentence)")) }
        let primary = valid[10].uppercased()
        guard primary == fingerprint.uppercased() else { return .failure(.otherKey("OpenPGP key \(primary)")) }
        guard acceptedHashes.contains(valid[8]) else {
            return .failure(.weak("it is made over \(valid[8] == "2" ? "SHA-1" : "hash algorithm \(valid[8])"), which can be forged; the vendor must sign with SHA-256 or stronger"))
        }
        return .success("good OpenPGP signature by key \(primary) (made \(valid[2]))")
    }
}
