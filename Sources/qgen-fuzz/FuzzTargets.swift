import Foundation
import QGen
import QGenCompiler

// Fuzz targets for qgen's parsers of outside input. `make fuzz` builds this target with
// `-sanitize=fuzzer,address -D FUZZING` (libFuzzer supplies main and calls
// LLVMFuzzerTestOneInput; QGEN_FUZZ_TARGET picks the target). The ordinary build is a replayer:
// `qgen-fuzz TARGET FILE|DIR…` runs every file through the target once, as the tests do with the
// committed corpus. A target fails by crashing (a Swift trap, an ASan report), hanging or running
// out of memory; every error it is meant to give is thrown and ignored here.
//
// Targets:
//   npy   NpyArray's parser on arbitrary bytes.
//   spec  The bytes a model.swift hands qgen (JSON of [ModelSpec]) decoded and compiled
//         (resolve, lower, emit, render), as `qgen emit` would.
//   tflite  A .tflite file read by TFLiteImporter (the bounds-checked flatbuffer reader) and the
//         model compiled, as `qgen emit model.tflite` would.
//   onnx  An .onnx file read by ONNXImporter (SwiftProtobuf's decoder, then the graph reader) and
//         the model compiled, as `qgen emit model.onnx` would.

enum FuzzTarget: String, CaseIterable {
    case npy, spec, tflite, onnx

    func run(_ bytes: [UInt8]) {
        switch self {
        case .npy:
            _ = try? NpyArray(data: bytes, name: "fuzz.npy")
        case .spec:
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            guard let models = try? decoder.decode([ModelSpec].self, from: Data(bytes)) else { return }
            for spec in models {
                _ = try? Pipeline.compile(spec, options: CompileOptions(baseDirectory: fuzzDirectory))
            }
        case .tflite:
            guard let spec = try? TFLiteImporter.model(bytes, name: "fuzz", fileName: "fuzz.tflite") else { return }
            _ = try? Pipeline.compile(spec, options: CompileOptions(baseDirectory: fuzzDirectory))
        case .onnx:
            guard let spec = try? ONNXImporter.model(bytes, name: "fuzz", fileName: "fuzz.onnx") else { return }
            _ = try? Pipeline.compile(spec, options: CompileOptions(baseDirectory: fuzzDirectory))
        }
    }
}

/// Relative `.npy` paths of fuzzed models resolve here (an empty directory).
let fuzzDirectory: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("qgen-fuzz-empty")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}()

#if FUZZING
let selectedTarget: FuzzTarget = {
    guard let name = ProcessInfo.processInfo.environment["QGEN_FUZZ_TARGET"], let target = FuzzTarget(rawValue: name) else {
        fatalError("set QGEN_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue))")
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    selectedTarget.run(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

/// libFuzzer's driver, for programs that have their own entry point.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// SwiftPM links an executable's entry point as `<module>_main`; it hands over to libFuzzer.
@_cdecl("qgen_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var vector = argv
    return LLVMFuzzerRunDriver(&count, &vector) { data, size in fuzzOneInput(data, size) }
}
#else
/// The replayer: `qgen-fuzz TARGET FILE|DIR…` runs every file through the target once.
@main
struct Replayer {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("usage: qgen-fuzz \(FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")) FILE|DIR...\n".utf8))
            exit(2)
        }
        var files: [String] = []
        for path in arguments.dropFirst() {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                files += ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { "\(path)/\($0)" }
            } else {
                files.append(path)
            }
        }
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            target.run([UInt8](data))
        }
        print("qgen-fuzz \(target.rawValue): \(files.count) inputs replayed")
    }
}
#endif
