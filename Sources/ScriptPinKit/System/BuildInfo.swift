internal import CSystemShims

/// What `scriptpin --version` reports, so that a user can tell exactly what
/// is running: the release, the commit it was built from, and the C
/// libraries it is linked against at run time.
public enum BuildInfo {
    /// The git commit `scripts/release.sh` built from, or "unknown" for a plain `swift build`.
    public static var commit: String {
        String(cString: scriptpin_build_commit())
    }
}
