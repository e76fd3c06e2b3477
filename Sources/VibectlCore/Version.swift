/// The library's version, in one place; include/vibectl.h repeats it and a test keeps the two equal.
public enum VibectlVersion {
    /// Major version.
    public static let major = 0
    /// Minor version.
    public static let minor = 3
    /// Patch version.
    public static let patch = 0
    /// `major.minor.patch`.
    public static let string = "\(major).\(minor).\(patch)"
    /// `major * 10000 + minor * 100 + patch`.
    public static let number = major * 10000 + minor * 100 + patch
    /// The C ABI version: the SONAME suffix, bumped only on a real break.
    public static let abi = 1
}
