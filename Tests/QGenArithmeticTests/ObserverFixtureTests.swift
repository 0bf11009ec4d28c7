import Foundation
import Testing
@testable import QGenArithmetic

/// qgen's observers against PyTorch's on the same float32 batches (Tests/Fixtures/pytorch/observers.json,
/// made by Tools/engines/make_fixtures.py observers): every scale equal as a float32 bit pattern, every
/// zero point equal, and the options PyTorch refuses refused.
@Suite struct ObserverFixtureTests {
    struct Fixture: Decodable {
        struct Batch: Decodable {
            var shape: [Int]
            var data: String
        }
        struct Options: Decodable {
            var dtype: String
            var qscheme: String
            var reduceRange: Bool?
            var quantMin: Int?
            var quantMax: Int?
            var averagingConstant: Double?
            var channelAxis: Int?
            var bins: Int?
        }
        struct Case: Decodable {
            var id: String
            var observer: String
            var options: Options
            var data: String
            var scales: [String]?
            var zeroPoints: [Int]?
            var error: String?
            var searchMin: String?
            var searchMax: String?
        }
        struct Linspace: Decodable {
            var start: String
            var end: String
            var steps: Int
            var indices: [Int]
            var values: [String]
        }
        var provenance: String
        var data: [String: [Batch]]
        var linspace: [Linspace]
        var cases: [Case]
    }

    static let fixture: Fixture = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let url = root.appendingPathComponent("Tests/Fixtures/pytorch/observers.json")
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    static func values(_ batch: Fixture.Batch) -> [Float] {
        let bytes = [UInt8](Data(base64Encoded: batch.data)!)
        return stride(from: 0, to: bytes.count, by: 4).map { i in
            Float(bitPattern: UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24)
        }
    }

    static func bits(_ value: Float) -> String {
        let hex = String(value.bitPattern, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }

    static func options(_ o: Fixture.Options) -> ObserverOptions {
        ObserverOptions(dtype: o.dtype == "qint8" ? .qint8 : .quint8, mode: o.qscheme.hasSuffix("Symmetric") ? .symmetric : .affine,
                        reduceRange: o.reduceRange ?? false, quantMin: o.quantMin, quantMax: o.quantMax)
    }

    /// qgen's scales and zero points for a case, or the error its observer throws.
    static func run(_ c: Fixture.Case) -> Result<[ObservedQParams], ObserverError> {
        let batches = fixture.data[c.data]!
        let options = Self.options(c.options)
        do throws(ObserverError) {
            switch c.observer {
            case "MinMaxObserver":
                var o = try MinMaxObserver(options)
                for b in batches { try o.observe(values(b)) }
                return .success([try o.qparams()])
            case "MovingAverageMinMaxObserver":
                var o = try MovingAverageMinMaxObserver(options, averagingConstant: c.options.averagingConstant!)
                for b in batches { try o.observe(values(b)) }
                return .success([try o.qparams()])
            case "PerChannelMinMaxObserver":
                var o = try PerChannelMinMaxObserver(options, channelAxis: c.options.channelAxis!)
                for b in batches { try o.observe(values(b), shape: b.shape) }
                return .success(try o.qparams())
            case "HistogramObserver":
                var o = try HistogramObserver(options, bins: c.options.bins!)
                for b in batches { try o.observe(values(b)) }
                return .success([try o.qparams()])
            default:
                Issue.record("unknown observer \(c.observer)")
                return .success([])
            }
        } catch {
            return .failure(error)
        }
    }

    @Test(arguments: ["MinMaxObserver", "MovingAverageMinMaxObserver", "PerChannelMinMaxObserver", "HistogramObserver"])
    func scalesAndZeroPointsEqualPyTorchs(observer: String) throws {
        let cases = Self.fixture.cases.filter { $0.observer == observer }
        #expect(cases.count >= 20, "\(observer): \(cases.count) cases")
        var mismatches: [String] = []
        for c in cases {
            switch Self.run(c) {
            case .success(let qparams):
                guard let scales = c.scales, let zeroPoints = c.zeroPoints else {
                    mismatches.append("\(c.id): PyTorch refused (\(c.error ?? "")) but qgen gave \(qparams)")
                    continue
                }
                let ours = qparams.map { Self.bits($0.scale) }, zps = qparams.map(\.zeroPoint)
                if ours != scales || zps != zeroPoints {
                    mismatches.append("\(c.id): scales \(ours.prefix(4)) zero points \(zps.prefix(4)), PyTorch \(scales.prefix(4)) \(zeroPoints.prefix(4))")
                }
            case .failure(let error):
                if c.error == nil { mismatches.append("\(c.id): qgen refused (\(error)) where PyTorch gave \(c.scales ?? [])") }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(cases.count) differ:\n\(mismatches.prefix(12).joined(separator: "\n"))")
    }

    /// torch.linspace's float32 values (the histogram re-binning's midpoints and edges), each a fused
    /// multiply-add: at the start, around halfway, at the end and at random indices.
    @Test func linspaceEqualsATens() {
        let fixture = Self.fixture.linspace
        #expect(fixture.count >= 8)
        var differing = 0, scalarDiffering = 0
        for l in fixture {
            let start = Float(bitPattern: UInt32(l.start, radix: 16)!), end = Float(bitPattern: UInt32(l.end, radix: 16)!)
            let ours = ATenFloat32.linspace(start: start, end: end, steps: l.steps)
            let step = (end - start) / Float(l.steps - 1)
            for (i, expected) in zip(l.indices, l.values) {
                if Self.bits(ours[i]) != expected { differing += 1 }
                // Rounded twice (no fused multiply-add): the fixture must tell the two apart.
                let formula = i < l.steps / 2 ? start + step * Float(i) : end - step * Float(l.steps - i - 1)
                if Self.bits(formula) != expected { scalarDiffering += 1 }
            }
        }
        #expect(differing == 0, "\(differing) values differ")
        #expect(scalarDiffering > 0, "the fixture does not tell a fused multiply-add from two roundings")
    }

    /// The histogram search alone (before the MinMax formula): the range PyTorch's search chose.
    @Test func histogramSearchEndsWherePyTorchsDoes() throws {
        var mismatches: [String] = []
        for c in Self.fixture.cases where c.observer == "HistogramObserver" && c.searchMin != nil {
            var o = try HistogramObserver(Self.options(c.options), bins: c.options.bins!)
            for b in Self.fixture.data[c.data]! { try o.observe(Self.values(b)) }
            let (low, high) = o.searchRange()
            if Self.bits(low) != c.searchMin || Self.bits(high) != c.searchMax {
                mismatches.append("\(c.id): \(low) \(high), PyTorch \(c.searchMin!) \(c.searchMax!)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) differ:\n\(mismatches.prefix(12).joined(separator: "\n"))")
    }
}
