import Foundation
import QGenReference

/// `qgen compare --html`: one self-contained page (no script, no network, no external style):
/// per-layer SQNR bars for weights, activations and shadow, each layer's float and quantized
/// weight histograms, and each layer's activation error histogram, all inline SVG. Every user
/// string (model and layer names) is escaped.
public enum ComparisonHTML {
    public static func page(_ report: NumericComparison.Report, explain: ComparisonTable.ExplainCommand) -> String {
        var body = ""
        body += "<h1>qgen compare: \(escape(report.model))</h1>\n"
        body += "<p>scheme <code>\(escape("\(report.scheme)"))</code>, \(report.inferences) inference\(report.inferences == 1 ? "" : "s"). "
        body += "SQNR is 20·log10(‖float‖ / ‖float − quantized‖) in dB (PyTorch's <code>compute_error</code>); higher is better.</p>\n"
        if let a = report.accuracy {
            body += "<p>Top-1 accuracy: float model \(ComparisonTable.percent(a.floatCorrect, a.total)), quantized model \(ComparisonTable.percent(a.quantizedCorrect, a.total)).</p>\n"
        }

        body += "<h2>SQNR per layer</h2>\n"
        body += section("Weights: float against dequantized int8", barChart(report.weights.map { ($0.layer, $0.total.sqnr) }, color: "#4c72b0"))
        body += section("Activations: float model against quantized model", barChart(report.layers.map { ($0.layer, $0.activations.sqnr) }, color: "#dd8452"))
        body += section("Shadow: each quantized layer against its float layer on the same input", barChart(report.layers.map { ($0.layer, $0.shadow.sqnr) }, color: "#55a868"))

        if !report.worst.isEmpty {
            body += "<h2>Worst output elements</h2>\n<table><tr><th>element</th><th>inference</th><th>float</th><th>quantized</th><th>error (steps)</th><th>trace</th></tr>\n"
            for e in report.worst {
                body += "<tr><td>\(escape(e.output))[\(e.index.map(String.init).joined(separator: ", "))]</td><td>\(e.inference)</td>"
                body += "<td>\(String(format: "%.6g", e.float))</td><td>\(e.code) = \(String(format: "%.6g", e.dequantized))</td>"
                body += "<td>\(String(format: "%.2f", e.errorSteps))</td><td><code>\(escape(explain.command(for: e)))</code></td></tr>\n"
            }
            body += "</table>\n"
        }

        body += "<h2>Weights: float and quantized histograms</h2>\n<div class=\"grid\">\n"
        for w in report.weights {
            body += figure("\(w.layer) (SQNR \(ComparisonTable.decibels(w.total.sqnr)) dB)",
                           histogram([("float", w.floatWeights, "#4c72b0"), ("quantized", w.dequantizedWeights, "#dd8452")], symmetric: false))
        }
        body += "</div>\n<h2>Activation errors per layer (float − quantized, in output steps)</h2>\n<div class=\"grid\">\n"
        for l in report.layers {
            body += figure("\(l.layer) (\(l.kind), SQNR \(ComparisonTable.decibels(l.activations.sqnr)) dB)",
                           histogram([("error", l.errorSample, "#c44e52")], symmetric: true))
        }
        body += "</div>\n"

        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>qgen compare: \(escape(report.model))</title>
            <style>
            body { font-family: sans-serif; margin: 2em; color: #222; }
            h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
            table { border-collapse: collapse; } td, th { padding: 2px 8px; text-align: left; border-bottom: 1px solid #eee; }
            .grid { display: flex; flex-wrap: wrap; gap: 1em; }
            figure { margin: 0; } figcaption { font-size: 0.85em; }
            svg text { font-size: 11px; font-family: sans-serif; }
            </style>
            </head>
            <body>
            \(body)</body>
            </html>

            """
    }

    static func section(_ title: String, _ svg: String) -> String {
        "<h3>\(escape(title))</h3>\n\(svg)\n"
    }

    static func figure(_ caption: String, _ svg: String) -> String {
        "<figure>\(svg)<figcaption>\(escape(caption))</figcaption></figure>\n"
    }

    /// Horizontal bars, one per layer, length proportional to the SQNR (0 dB at the left; an exact
    /// layer draws a full bar labelled "exact", a negative SQNR an empty one with its value).
    static func barChart(_ rows: [(String, Double)], color: String) -> String {
        let labelWidth = 12 + 7 * (rows.map(\.0.count).max() ?? 4), barWidth = 420.0, rowHeight = 18
        let finite = rows.map(\.1).filter(\.isFinite)
        let top = max(1, (finite.max() ?? 1) * 1.1)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"bars\" width=\"\(labelWidth + Int(barWidth) + 70)\" height=\"\(rows.count * rowHeight + 24)\">"
        for (i, (name, value)) in rows.enumerated() {
            let y = i * rowHeight
            let length = value == .infinity ? barWidth : max(0, min(value, top)) / top * barWidth
            svg += "<text x=\"\(labelWidth - 6)\" y=\"\(y + 13)\" text-anchor=\"end\">\(escape(name))</text>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(format(length))\" height=\"\(rowHeight - 6)\" fill=\"\(color)\"/>"
            svg += "<text x=\"\(format(Double(labelWidth) + length + 4))\" y=\"\(y + 13)\">\(ComparisonTable.decibels(value))</text>"
        }
        // The axis: 0 and the top in dB.
        let axisY = rows.count * rowHeight + 4
        svg += "<line x1=\"\(labelWidth)\" y1=\"\(axisY)\" x2=\"\(format(Double(labelWidth) + barWidth))\" y2=\"\(axisY)\" stroke=\"#888\"/>"
        svg += "<text x=\"\(labelWidth)\" y=\"\(axisY + 14)\">0 dB</text>"
        svg += "<text x=\"\(format(Double(labelWidth) + barWidth))\" y=\"\(axisY + 14)\" text-anchor=\"end\">\(format(top)) dB</text>"
        return svg + "</svg>"
    }

    /// Overlaid histograms of several series over one range (symmetric about 0 when asked), 40 bins,
    /// heights scaled to the tallest bin of each series.
    static func histogram(_ series: [(String, [Double], String)], symmetric: Bool) -> String {
        let width = 300.0, height = 120.0, bins = 40
        let all = series.flatMap(\.1).filter(\.isFinite)
        var lo = all.min() ?? 0, hi = all.max() ?? 0
        if symmetric { let m = max(abs(lo), abs(hi)); (lo, hi) = (-m, m) }
        if hi <= lo { (lo, hi) = (lo - 0.5, hi + 0.5) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"histogram\" width=\"\(Int(width))\" height=\"\(Int(height) + 34)\">"
        for (n, (name, values, color)) in series.enumerated() {
            var counts = [Int](repeating: 0, count: bins)
            for v in values where v.isFinite {
                counts[min(bins - 1, max(0, Int((v - lo) / (hi - lo) * Double(bins))))] += 1
            }
            let tallest = Double(max(1, counts.max() ?? 1)), w = width / Double(bins)
            for (b, c) in counts.enumerated() where c > 0 {
                let h = Double(c) / tallest * height
                svg += "<rect x=\"\(format(Double(b) * w))\" y=\"\(format(height - h))\" width=\"\(format(w))\" height=\"\(format(h))\" fill=\"\(color)\" fill-opacity=\"0.55\"/>"
            }
            svg += "<rect x=\"\(4 + n * 90)\" y=\"\(Int(height) + 22)\" width=\"10\" height=\"10\" fill=\"\(color)\"/><text x=\"\(18 + n * 90)\" y=\"\(Int(height) + 31)\">\(escape(name))</text>"
        }
        svg += "<text x=\"0\" y=\"\(Int(height) + 14)\">\(String(format: "%.3g", lo))</text>"
        svg += "<text x=\"\(Int(width))\" y=\"\(Int(height) + 14)\" text-anchor=\"end\">\(String(format: "%.3g", hi))</text>"
        return svg + "</svg>"
    }

    static func format(_ v: Double) -> String { String(format: "%.1f", v) }

    /// Text safe inside an HTML or SVG element or a double-quoted attribute.
    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
