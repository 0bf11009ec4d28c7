import Foundation

/// Writes a set of files all or nothing. Every destination is checked first (its directory exists
/// and is writable, the path is not a directory); each file is then written to a temporary file
/// beside it, and only when all are written are they renamed into place. On any failure the
/// temporary files are removed and nothing was written.
public enum AtomicFiles {
    /// Why the files could not be written, naming the file and the reason.
    public struct WriteError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    public static func write(_ files: [(URL, String)]) throws {
        try write(files.map { ($0.0, Array($0.1.utf8)) })
    }

    public static func write(_ files: [(URL, [UInt8])]) throws {
        for (url, _) in files { try checkWritable(url) }
        var staged: [(URL, URL)] = []
        func discard() { for (temporary, _) in staged { unlink(temporary.path) } }
        for (url, bytes) in files {
            let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).qgen-\(UUID().uuidString)")
            if let problem = writeFile(temporary.path, bytes) {
                unlink(temporary.path)
                discard()
                throw WriteError(description: "cannot write '\(url.relativePath)': \(problem)")
            }
            staged.append((temporary, url))
        }
        for (temporary, url) in staged where rename(temporary.path, url.path) != 0 {
            let reason = String(cString: strerror(errno)).lowercased()
            discard()
            throw WriteError(description: "cannot write '\(url.relativePath)': \(reason)")
        }
    }

    /// Throws unless `url` can be created or replaced by a rename in its directory.
    public static func checkWritable(_ url: URL) throws {
        let (path, shown) = (url.path, url.relativePath)
        let parent = url.deletingLastPathComponent()
        let (directory, shownDirectory) = (parent.path, parent.relativePath)
        var info = stat()
        if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            throw WriteError(description: "cannot write '\(shown)': it is a directory")
        }
        guard stat(directory, &info) == 0 else {
            throw WriteError(description: "cannot write '\(shown)': the directory '\(shownDirectory)' does not exist")
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw WriteError(description: "cannot write '\(shown)': '\(shownDirectory)' is not a directory")
        }
        guard access(directory, W_OK | X_OK) == 0 else {
            throw WriteError(description: "cannot write '\(shown)': the directory '\(shownDirectory)' is not writable (\(String(cString: strerror(errno)).lowercased()))")
        }
    }

    /// Writes `bytes` to a new file at `path` (mode 0644 less the umask); the reason on failure.
    private static func writeFile(_ path: String, _ bytes: [UInt8]) -> String? {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return String(cString: strerror(errno)).lowercased() }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return String(cString: strerror(errno)).lowercased()
            }
            offset += n
        }
        return fsync(fd) == 0 || errno == EINVAL ? nil : String(cString: strerror(errno)).lowercased()
    }
}
