import Foundation

/// Writes a set of files all or nothing: each goes to a temporary file in its own directory first,
/// and only when all are written are they renamed into place.
public enum AtomicFiles {
    public static func write(_ files: [(URL, String)]) throws {
        var staged: [(URL, URL)] = []
        do {
            for (url, text) in files {
                let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).qgen-\(UUID().uuidString)")
                try Data(text.utf8).write(to: temporary)
                staged.append((temporary, url))
            }
        } catch {
            for (temporary, _) in staged { try? FileManager.default.removeItem(at: temporary) }
            throw error
        }
        for (temporary, url) in staged {
            if rename(temporary.path, url.path) != 0 {
                for (t, _) in staged { try? FileManager.default.removeItem(at: t) }
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
            }
        }
    }
}
