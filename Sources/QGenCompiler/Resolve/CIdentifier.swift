/// Turning user names (layer and model names) into C identifiers.
///
/// The mapping is deliberately small and predictable: every character outside `[A-Za-z0-9_]`
/// becomes `_` (so PyTorch module paths like `features.0` stay readable as `features_0`). Names
/// that would still not be safe C are rejected with a reason instead of being rewritten further;
/// two names that map to the same identifier are an error reported by the resolver.
enum CIdentifier {
    static func isIdentifierCharacter(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A) || v == 0x5F
    }

    static func sanitize(_ name: String) -> String {
        String(String.UnicodeScalarView(name.unicodeScalars.map { isIdentifierCharacter($0) ? $0 : "_" }))
    }

    /// Why the user's `name` (whose identifier is `sanitize(name)`) cannot be used, or nil when it can.
    static func problem(name: String, identifier: String) -> String? {
        guard let first = identifier.unicodeScalars.first else { return "it is empty" }
        if first.value >= 0x30 && first.value <= 0x39 { return "it starts with a digit" }
        if first == "_" {
            if let original = name.unicodeScalars.first, original != "_" {
                let what = original.isASCII ? "'\(original)'" : "'\(original)' (U+\(String(original.value, radix: 16, uppercase: true)), not ASCII)"
                return "its first character \(what) becomes '_' (C identifiers take only A-Z, a-z, 0-9 and '_'), and names starting with '_' are reserved for the C implementation"
            }
            return "names starting with '_' are reserved for the C implementation"
        }
        if keywords.contains(identifier) { return "'\(identifier)' is a C keyword" }
        if standardLibrary.contains(identifier) { return "'\(identifier)' is a name of the C standard library (compilers treat it as a built-in)" }
        if EmittedNames.runLocals.contains(identifier) { return "'\(identifier)' is a parameter or local variable of the generated run function" }
        if identifier.hasSuffix("_t") { return "names ending in '_t' are reserved for types" }
        if identifier.lowercased().hasPrefix("qgen") { return "names starting with 'qgen' are reserved for qgen's helpers" }
        let upper = identifier.uppercased()
        if upper == identifier, reservedMacroPrefixes.contains(where: { identifier.hasPrefix($0) }) {
            return "'\(identifier)' may clash with a macro of <stdint.h>, <stddef.h> or <float.h>"
        }
        return nil
    }

    /// A replacement to suggest for a rejected identifier.
    static func suggestion(for identifier: String) -> String {
        let core = String(identifier.drop { $0 == "_" })
        if core.isEmpty { return "layer_1" }
        if let first = core.unicodeScalars.first, first.value >= 0x30 && first.value <= 0x39 { return "layer_\(core)" }
        if core.lowercased().hasPrefix("qgen") { return "layer_\(core.dropFirst(4).drop { $0 == "_" })" }
        if core.hasSuffix("_t") { return core.dropLast(2) + "_layer" }
        if CIdentifier.problem(name: core, identifier: core) != nil { return "\(core)_layer" }
        return core
    }

    static let keywords: Set<String> = [
        "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern",
        "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return", "short", "signed",
        "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while",
        "_Bool", "_Complex", "_Imaginary", "asm", "bool", "true", "false",
    ]

    /// Macro families of the headers the emitted C includes (`INT8_MAX`, `SIZE_MAX`, `FLT_EVAL_METHOD`, …).
    static let reservedMacroPrefixes = ["INT", "UINT", "PTRDIFF", "SIZE", "SIG_ATOMIC", "WCHAR", "WINT", "FLT", "DBL", "LDBL", "DECIMAL_DIG"]

    /// The functions and macros of the C99 standard library (C99 Annex B), `main`, and the names
    /// the included headers define. gcc and clang know most of them as built-ins and reject a
    /// `static` function of the same name under `-Werror` (`abs`, `memset`, `sin`, …); the rest
    /// would be hidden by, or hide, the library where a firmware build includes it.
    static let standardLibrary: Set<String> = {
        let names = """
            main NULL offsetof errno assert
            isalnum isalpha isblank iscntrl isdigit isgraph islower isprint ispunct isspace isupper isxdigit tolower toupper
            acos acosf acosl asin asinf asinl atan atanf atanl atan2 atan2f atan2l cos cosf cosl sin sinf sinl tan tanf tanl
            acosh acoshf acoshl asinh asinhf asinhl atanh atanhf atanhl cosh coshf coshl sinh sinhf sinhl tanh tanhf tanhl
            exp expf expl exp2 exp2f exp2l expm1 expm1f expm1l frexp frexpf frexpl ilogb ilogbf ilogbl ldexp ldexpf ldexpl
            log logf logl log10 log10f log10l log1p log1pf log1pl log2 log2f log2l logb logbf logbl modf modff modfl
            scalbn scalbnf scalbnl scalbln scalblnf scalblnl cbrt cbrtf cbrtl fabs fabsf fabsl hypot hypotf hypotl
            pow powf powl sqrt sqrtf sqrtl erf erff erfl erfc erfcf erfcl lgamma lgammaf lgammal tgamma tgammaf tgammal
            ceil ceilf ceill floor floorf floorl nearbyint nearbyintf nearbyintl rint rintf rintl lrint lrintf lrintl
            llrint llrintf llrintl round roundf roundl lround lroundf lroundl llround llroundf llroundl trunc truncf truncl
            fmod fmodf fmodl remainder remainderf remainderl remquo remquof remquol copysign copysignf copysignl
            nan nanf nanl nextafter nextafterf nextafterl nexttoward nexttowardf nexttowardl fdim fdimf fdiml
            fmax fmaxf fmaxl fmin fminf fminl fma fmaf fmal fpclassify isfinite isinf isnan isnormal signbit
            isgreater isgreaterequal isless islessequal islessgreater isunordered HUGE_VAL HUGE_VALF HUGE_VALL INFINITY NAN
            setjmp longjmp signal raise va_start va_arg va_copy va_end
            remove rename tmpfile tmpnam fclose fflush fopen freopen setbuf setvbuf fprintf fscanf printf scanf snprintf
            sprintf sscanf vfprintf vfscanf vprintf vscanf vsnprintf vsprintf vsscanf fgetc fgets fputc fputs getc getchar
            gets putc putchar puts ungetc fread fwrite fgetpos fseek fsetpos ftell rewind clearerr feof ferror perror
            stdin stdout stderr EOF BUFSIZ FILENAME_MAX FOPEN_MAX L_tmpnam SEEK_CUR SEEK_END SEEK_SET TMP_MAX
            atof atoi atol atoll strtod strtof strtold strtol strtoll strtoul strtoull rand srand calloc free malloc realloc
            abort atexit exit _Exit getenv system bsearch qsort abs labs llabs div ldiv lldiv mblen mbtowc wctomb mbstowcs
            wcstombs EXIT_FAILURE EXIT_SUCCESS RAND_MAX MB_CUR_MAX
            memcpy memmove strcpy strncpy strcat strncat memcmp strcmp strcoll strncmp strxfrm memchr strchr strcspn
            strpbrk strrchr strspn strstr strtok memset strerror strlen
            clock difftime mktime time asctime ctime gmtime localtime strftime CLOCKS_PER_SEC
            setlocale localeconv imaxabs imaxdiv strtoimax strtoumax wcstoimax wcstoumax
            feclearexcept fegetexceptflag feraiseexcept fesetexceptflag fetestexcept fegetround fesetround fegetenv
            feholdexcept fesetenv feupdateenv
            cabs cacos casin catan ccos csin ctan cexp clog cpow csqrt carg cimag conj cproj creal
            btowc wctob mbsinit mbrlen mbrtowc wcrtomb mbsrtowcs wcsrtombs wcscpy wcsncpy wcscat wcsncat wcscmp wcslen
            wmemcpy wmemmove wmemset wmemcmp wmemchr wprintf wscanf fwprintf fwscanf swprintf swscanf
            iswalnum iswalpha iswdigit iswspace towlower towupper wctype wctrans
            bzero bcopy bcmp index rindex ffs alloca strdup strndup
            """
        return Set(names.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
    }()
}
