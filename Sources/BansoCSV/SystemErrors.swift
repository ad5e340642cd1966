import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension Errno {
    /// The error of the last system call that failed on this thread.
    package static var last: Errno { Errno(rawValue: errno) }

    /// The error in words a user can act on, for the messages that name a file: the common
    /// causes in plain words, the system's own text (swift-system's) for the rest.
    package var words: String {
        switch self {
        case .noSpace: "the disk is full"
        case .diskQuotaExceeded: "the disk quota is used up"
        case .permissionDenied, .notPermitted: "permission denied"
        case .noSuchFileOrDirectory: "no such file or folder"
        case .readOnlyFileSystem: "the file system is read-only"
        case .isDirectory: "it is a folder"
        case .notDirectory: "a part of the path is not a folder"
        case .tooManySymbolicLinkLevels: "a loop of symbolic links"
        case .tooManyOpenFiles, .tooManyOpenFilesInSystem: "too many open files"
        case .ioError: "an input/output error (a failing disk or network drive)"
        default: description
        }
    }
}
