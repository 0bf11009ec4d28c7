import CProcess
import Dispatch
import Foundation

/// Runs a helper program (swiftc, or the user's compiled model) in its own process group, with
/// a time limit, and stops the whole group on time-out or when qgen itself is interrupted.
///
/// - Its standard output and error are captured; `echo` also passes them through to qgen's
///   standard error as they arrive (a model's `print` output is the user's, not qgen's).
/// - On time-out the group gets SIGKILL. If qgen is killed, Linux kills the child too
///   (`PR_SET_PDEATHSIG`); on SIGINT, SIGTERM or SIGHUP qgen kills every running group and
///   removes its registered temporary directories before it exits (`Interruption`).
enum ChildProcess {
    enum Termination: Equatable {
        case exited(Int32)
        case signaled(Int32)
        /// Stopped by qgen after `timeout` seconds.
        case timedOut
    }

    struct Result {
        var termination: Termination
        var stdout: String
        var stderr: String
    }

    /// The first executable file named `name` in a directory of PATH.
    static func onPath(_ name: String) -> String? {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    struct SpawnError: Error, CustomStringConvertible {
        var description: String
    }

    /// - Parameter echo: pass the program's standard output through to qgen's standard error as it
    ///   arrives. Its standard output is then a pseudo-terminal, so the program line-buffers it and
    ///   nothing it printed is lost if it crashes. Its standard error is only captured.
    static func run(_ path: String, _ arguments: [String], environment: [String: String], timeout: Double? = nil, echo: Bool = false) throws -> Result {
        var outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        var reader: Int32 = -1, writer: Int32 = -1
        let opened = echo ? qgen_open_pty(&reader, &writer) : qgen_pipe_cloexec(&outPipe)
        if echo { outPipe = [reader, writer] }
        guard opened == 0 else { throw SpawnError(description: "cannot create a pipe: \(String(cString: strerror(-opened)))") }
        guard qgen_pipe_cloexec(&errPipe) == 0 else {
            close(outPipe[0]); close(outPipe[1])
            throw SpawnError(description: "cannot create a pipe: \(errnoText())")
        }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        let pid = Interruption.shared.spawn { qgen_spawn(path, argv, envp, outPipe[1], errPipe[1]) }
        close(outPipe[1])
        close(errPipe[1])
        guard pid > 0 else {
            close(outPipe[0]); close(errPipe[0])
            throw SpawnError(description: "cannot run \(path): \(String(cString: strerror(-pid)))")
        }
        defer { Interruption.shared.finished(pid) }

        let deadline = timeout.map { DispatchTime.now().uptimeNanoseconds + UInt64($0 * 1e9) }
        var out = Data(), err = Data()
        var open: [Int32] = [outPipe[0], errPipe[0]]
        var timedOut = false
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !open.isEmpty {
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            var wait: Int32 = -1
            if let deadline {
                let now = DispatchTime.now().uptimeNanoseconds
                if now >= deadline { timedOut = true; break }
                wait = Int32(min((deadline - now) / 1_000_000 + 1, 1000))
            }
            let ready = poll(&fds, nfds_t(fds.count), wait)
            if ready < 0 && errno == EINTR { continue }
            for f in fds where f.revents != 0 {
                let n = read(f.fd, &buffer, buffer.count)
                if n > 0 {
                    let chunk = Data(buffer[0..<n])
                    if f.fd == outPipe[0] {
                        out.append(chunk)
                        if echo { FileHandle.standardError.write(chunk) }
                    } else {
                        err.append(chunk)
                    }
                } else if n == 0 || (errno != EINTR && errno != EAGAIN) {   // a pseudo-terminal ends with EIO
                    close(f.fd)
                    open.removeAll { $0 == f.fd }
                }
            }
        }
        for fd in open { close(fd) }

        var status: Int32 = 0
        while !timedOut {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if r < 0 && errno != EINTR { break }
            if let deadline, DispatchTime.now().uptimeNanoseconds >= deadline { timedOut = true; break }
            usleep(2000)
        }
        if timedOut {
            kill(-pid, SIGKILL)
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        let termination: Termination
        if timedOut {
            termination = .timedOut
        } else if status & 0x7F == 0 {
            termination = .exited((status >> 8) & 0xFF)
        } else {
            termination = .signaled(status & 0x7F)
        }
        return Result(termination: termination, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    /// A signal's name and meaning, e.g. "signal 11 (SIGSEGV, segmentation fault)".
    static func describe(signal: Int32) -> String {
        let names: [Int32: String] = [
            SIGABRT: "SIGABRT, abort", SIGILL: "SIGILL, a Swift runtime trap", SIGSEGV: "SIGSEGV, segmentation fault",
            SIGBUS: "SIGBUS, bus error", SIGFPE: "SIGFPE, arithmetic exception", SIGKILL: "SIGKILL, killed",
            SIGTERM: "SIGTERM, terminated", SIGINT: "SIGINT, interrupted", SIGTRAP: "SIGTRAP, a Swift runtime trap",
            SIGPIPE: "SIGPIPE, broken pipe", SIGHUP: "SIGHUP, hang-up",
        ]
        return "signal \(signal)" + (names[signal].map { " (\($0))" } ?? "")
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}

/// What qgen must undo if it is interrupted: running process groups and temporary directories.
/// The first registration installs handlers for SIGINT, SIGTERM and SIGHUP that kill the groups,
/// remove the directories and then end qgen with the signal's usual status.
final class Interruption: @unchecked Sendable {
    static let shared = Interruption()

    private let lock = NSLock()
    private var groups: Set<pid_t> = []
    private var directories: Set<URL> = []
    private var sources: [DispatchSourceSignal] = []

    /// Starts a process (via `start`, which returns its pid) with the handlers installed and the
    /// pid registered before any signal can be handled.
    func spawn(_ start: () -> pid_t) -> pid_t {
        lock.lock()
        defer { lock.unlock() }
        installHandlers()
        let pid = start()
        if pid > 0 { groups.insert(pid) }
        return pid
    }

    func finished(_ pid: pid_t) {
        lock.lock()
        groups.remove(pid)
        lock.unlock()
    }

    func register(directory: URL) {
        lock.lock()
        installHandlers()
        directories.insert(directory)
        lock.unlock()
    }

    func remove(directory: URL) {
        try? FileManager.default.removeItem(at: directory)
        lock.lock()
        directories.remove(directory)
        lock.unlock()
    }

    /// Called with the lock held.
    private func installHandlers() {
        guard sources.isEmpty else { return }
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [unowned self] in self.interrupted(by: sig) }
            source.resume()
            sources.append(source)
        }
    }

    /// Kills the groups, removes the directories and ends qgen by the same signal. The lock is
    /// never released: a thread that notices its child died (and would report it) waits in
    /// `finished` until the process ends.
    private func interrupted(by sig: Int32) {
        lock.lock()
        for pid in groups { kill(-pid, SIGKILL) }
        for directory in directories { try? FileManager.default.removeItem(at: directory) }
        signal(sig, SIG_DFL)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, sig)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        raise(sig)
        _exit(128 + sig)
    }
}
