// swift-tools-version: 6.0
import PackageDescription

// scriptpin keeps its own supply chain small: no package dependencies, only
// the system's libcrypto and libcurl, reached through the module maps in Modules/.
let package = Package(
    name: "scriptpin",
    products: [
        .executable(name: "scriptpin", targets: ["scriptpin"]),
        .library(name: "ScriptPinKit", targets: ["ScriptPinKit"]),
    ],
    targets: [
        .systemLibrary(
            name: "CLibCrypto",
            path: "Modules/CLibCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CLibCurl",
            path: "Modules/CLibCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(
            name: "CSystemShims",
            path: "Modules/CSystemShims"
        ),
        .target(
            name: "ScriptPinKit",
            dependencies: ["CLibCrypto", "CLibCurl", "CSystemShims"]
        ),
        .executableTarget(
            name: "scriptpin",
            dependencies: ["ScriptPinKit"]
        ),
        .testTarget(
            name: "ScriptPinKitTests",
            dependencies: ["ScriptPinKit", "scriptpin"],
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
