/// Which variables a script sees. The Codecov uploader posted `$(env)`; a
/// script should get what it needs to run, not the job's credentials.
public struct EnvironmentPolicy: Sendable {
    public enum Mode: Sendable {
        /// Everything except secret-looking names (the default).
        case withholdSecrets
        /// Only `cleanBase` plus the allowed names.
        case clean
        /// Everything, secrets included.
        case keepAll
    }

    /// Fragments of names that mark a variable as a credential.
    public static let secretFragments = [
        "TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "CREDENTIAL", "PRIVATE", "API_KEY", "APIKEY",
        "ACCESS_KEY", "AUTH", "SESSION", "COOKIE", "JWT", "CONNECTION_STRING", "DATABASE_URL",
    ]
    /// Name endings that mark a credential: `DEPLOY_KEY`, `SENTRY_DSN`, `GH_PAT`.
    public static let secretSuffixes = ["_KEY", "_DSN", "_PAT"]
    /// Whole families of cloud and CI credentials, withheld whatever follows the prefix.
    public static let secretPrefixes = [
        "AWS_", "AZURE_", "ARM_", "GOOGLE_", "GCP_", "GCLOUD_", "CLOUDSDK_", "ACTIONS_RUNTIME_", "ACTIONS_ID_TOKEN_",
        "ACTIONS_CACHE_", "NPM_", "NODE_AUTH_", "DOCKER_AUTH", "VAULT_", "DIGITALOCEAN_", "HEROKU_", "TF_VAR_",
        "CODECOV_", "SSH_", "GPG_", "KUBE",
    ]
    /// Names of variables that point at public material, certificate
    /// authorities a client is told to trust: passed through although a
    /// prefix above would withhold them, unless a fragment marks them (`AWS_CA_BUNDLE` is a path to public
    /// certificates, and an installer behind a TLS-intercepting proxy fails without it).
    public static let publicMaterialSuffixes = ["_CA_BUNDLE", "_CA_CERTS_FILE", "_CERT_FILE", "_CA_PATH"]
    public static let publicMaterialNames = ["SSL_CERT_DIR"]

    /// What `--clean-env` keeps: enough for a script to find programs, a home and a locale.
    public static let cleanBase = ["PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_*", "TERM", "TMPDIR", "TZ"]

    public var mode: Mode
    /// Names or `PREFIX*` patterns let through although they look secret (the pin's `env`, `--allow-env`).
    public var allowed: [String]

    public init(mode: Mode = .withholdSecrets, allowed: [String] = []) {
        self.mode = mode
        self.allowed = allowed
    }

    public static func looksSecret(_ name: String) -> Bool {
        let upper = name.uppercased()
        if secretFragments.contains(where: { upper.contains($0) }) { return true }
        // A family's CA bundle is public; a name that also says TOKEN or SECRET is not, whatever it ends in.
        if publicMaterialNames.contains(upper) || publicMaterialSuffixes.contains(where: { upper.hasSuffix($0) }) { return false }
        return secretSuffixes.contains { upper.hasSuffix($0) } || secretPrefixes.contains { upper.hasPrefix($0) }
    }

    static func matches(_ name: String, _ patterns: [String]) -> Bool {
        patterns.contains { pattern in
            pattern.hasSuffix("*") ? name.hasPrefix(pattern.dropLast()) : name == pattern
        }
    }

    /// The variables to pass and the names withheld, in the order given.
    public func apply(to environment: [EnvironmentVariable]) -> (passed: [EnvironmentVariable], withheld: [String]) {
        var passed: [EnvironmentVariable] = []
        var withheld: [String] = []
        for variable in environment {
            if keeps(variable.name) { passed.append(variable) } else { withheld.append(variable.name) }
        }
        return (passed, withheld)
    }

    private func keeps(_ name: String) -> Bool {
        let allowedExplicitly = Self.matches(name, allowed)
        switch mode {
        case .keepAll: return true
        case .withholdSecrets: return allowedExplicitly || !Self.looksSecret(name)
        case .clean: return allowedExplicitly || Self.matches(name, Self.cleanBase)
        }
    }
}
