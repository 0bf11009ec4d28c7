import Foundation
import Testing
import QGenCompiler

@Suite struct NpyArrayTests {
    @Test func readsWhatItWrites() throws {
        let f = try NpyArray(data: NpyArray.encode(shape: [2, 3], float32: [0.5, -1, 2, 3.25, 0, 1e-3]), name: "a.npy")
        #expect(f.shape == [2, 3] && f.descr == "<f4" && f.values == [0.5, -1, 2, 3.25, 0, Double(Float(1e-3))])
        let i = try NpyArray(data: NpyArray.encode(shape: [4], int8: [-128, -1, 0, 127]), name: "b.npy")
        #expect(i.shape == [4] && i.values == [-128, -1, 0, 127] && !i.isFloatingPoint)
        let b = try NpyArray(data: NpyArray.encode(shape: [2], int32: [Int32.min, Int32.max]), name: "c.npy")
        #expect(b.values == [-2_147_483_648, 2_147_483_647])
    }

    /// Bytes written by numpy 2.4.6 (`np.save` to a BytesIO, printed as hex).
    private func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var i = hex.startIndex
        while i < hex.endIndex {
            let j = hex.index(i, offsetBy: 2)
            out.append(UInt8(hex[i..<j], radix: 16)!)
            i = j
        }
        return out
    }

    @Test func readsAFileNumpyWrote() throws {
        // np.array([[1.5, -2.0]], dtype=np.float64)
        let a = try NpyArray(data: bytes("934e554d5059010076007b276465736372273a20273c6638272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028312c2032292c207d202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a000000000000f83f00000000000000c0"), name: "numpy.npy")
        #expect(a.shape == [1, 2] && a.values == [1.5, -2.0])
    }

    @Test func rejectsWhatItCannotRead() {
        func message(_ bytes: [UInt8]) -> String {
            do { _ = try NpyArray(data: bytes, name: "x.npy"); return "" } catch { return "\(error)" }
        }
        #expect(message(Array("hello".utf8)) == "'x.npy' is not a valid .npy file: missing the \\x93NUMPY magic")
        // np.asfortranarray(np.array([[1, 2], [3, 4]], dtype=np.int8))
        #expect(message(bytes("934e554d5059010076007b276465736372273a20277c6931272c2027666f727472616e5f6f72646572273a20547275652c20277368617065273a2028322c2032292c207d20202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a01030204")) == "'x.npy' is not a valid .npy file: Fortran-ordered arrays are not supported; save np.ascontiguousarray(a)")
        // np.array([1+2j], dtype=np.complex64)
        #expect(message(bytes("934e554d5059010076007b276465736372273a20273c6338272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028312c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a0000803f00000040")) == "'x.npy' is not a valid .npy file: element type '<c8' is not supported (use float32, float64, int8, uint8, int16, int32 or int64)")
    }
}
