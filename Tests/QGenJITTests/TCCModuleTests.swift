import Testing
import QGenJIT

@Suite struct TCCModuleTests {
    typealias Add = @convention(c) (Int32, Int32) -> Int32

    @Test func compilesAndRuns() throws {
        let m = try TCCModule(source: "int add(int a, int b) { return a + b; }")
        let add = try #require(m.function("add", as: Add.self))
        #expect(withExtendedLifetime(m) { add(40, 2) } == 42)
    }

    @Test func compileErrorsCarryTheFileAndLine() {
        #expect(throws: TCCModule.CompileError(stage: "compile", messages: ["model.c:2: error: 'y' undeclared"])) {
            try TCCModule(source: "int f(int x)\n{ return y; }\n")
        }
    }

    @Test func anyLibcCallFailsBecauseTheCodeIsFreestanding() {
        #expect(throws: TCCModule.CompileError(stage: "relocate", messages: ["tcc: error: undefined symbol 'memset'"])) {
            try TCCModule(source: "void *memset(void *, int, unsigned long);\nvoid f(char *p) { memset(p, 0, 4); }\n")
        }
    }

    @Test func headersAreOnTheIncludePath() throws {
        let m = try TCCModule(source: "#include \"k.h\"\nint k(void) { return K; }\n", headers: ["k.h": "#define K 7\n"])
        let k = try #require(m.function("k", as: (@convention(c) () -> Int32).self))
        #expect(withExtendedLifetime(m) { k() } == 7)
    }
}
