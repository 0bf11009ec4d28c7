import QGen

/// The order in which a model's nodes run: every node after the nodes (and Inputs) it reads, and
/// otherwise in the order they were written. A node that names no input reads the node written
/// just before it (the chain shorthand). Unknown names and cycles are errors with the line of the
/// node that names them.
struct GraphOrder {
    /// Indices into `spec.layers`, producers first.
    var order: [Int]
    /// For each index into `spec.layers`, the indices of the nodes it reads, in the op's order.
    var inputs: [[Int]]

    init?(_ spec: ModelSpec, log: inout DiagnosticLog) {
        let layers = spec.layers
        var byName: [String: Int] = [:]
        for (i, layer) in layers.enumerated() where byName[layer.name] == nil { byName[layer.name] = i }

        inputs = Array(repeating: [], count: layers.count)
        var ok = true
        for (i, layer) in layers.enumerated() {
            if case .input = layer { continue }
            let named = layer.inputs
            if named.isEmpty {
                if i > 0 { inputs[i] = [i - 1] }
                continue
            }
            for name in named {
                guard let producer = byName[name] else {
                    log.error("layer '\(layer.name)': it reads '\(name)', which is not the name of an Input or a layer of model '\(spec.name)'; the names are \(Self.list(layers.map(\.name)))", at: layer.location)
                    ok = false
                    continue
                }
                inputs[i].append(producer)
            }
        }
        guard ok else { return nil }

        // Kahn's algorithm, always taking the earliest written node whose inputs are ready.
        var waiting = inputs.map(\.count)
        var readers = Array(repeating: [Int](), count: layers.count)
        for (i, read) in inputs.enumerated() { for p in read { readers[p].append(i) } }
        var ready = MinHeap(layers.indices.filter { waiting[$0] == 0 })
        var placed = Array(repeating: false, count: layers.count)
        var order: [Int] = []
        while let i = ready.pop() {
            placed[i] = true
            order.append(i)
            for r in readers[i] {
                waiting[r] -= 1
                if waiting[r] == 0 { ready.push(r) }
            }
        }
        self.order = order
        if order.count < layers.count {
            let cycle = Self.cycle(from: layers.indices.first { !placed[$0] }!, inputs: inputs, placed: placed)
            let first = layers[cycle[0]]
            if cycle.count == 1 {
                log.error("layer '\(first.name)': it reads its own output; a layer can read only Inputs and other layers", at: first.location)
            } else {
                let path = (cycle + [cycle[0]]).map { "'\(layers[$0].name)'" }.joined(separator: " reads ")
                log.error("layer '\(first.name)': layers form a cycle (\(path)); a model must be acyclic, each layer reading only layers that do not depend on it", at: first.location)
            }
            return nil
        }
    }

    /// A cycle among the unplaced nodes, found by following inputs from `start`, in reading order
    /// (each element reads the next).
    private static func cycle(from start: Int, inputs: [[Int]], placed: [Bool]) -> [Int] {
        var path: [Int] = []
        var position: [Int: Int] = [:]
        var node = start
        while position[node] == nil {
            position[node] = path.count
            path.append(node)
            node = inputs[node].first { !placed[$0] }!
        }
        return Array(path[position[node]!...])
    }

    /// `'a', 'b', 'c'`, shortened after 12 names.
    static func list(_ names: [String]) -> String {
        let shown = names.prefix(12).map { "'\($0)'" }.joined(separator: ", ")
        return names.count > 12 ? shown + " and \(names.count - 12) more" : shown
    }
}

/// The smallest-first queue of ready node indices.
private struct MinHeap {
    private var items: [Int] = []

    init(_ values: [Int]) { for v in values { push(v) } }

    mutating func push(_ v: Int) {
        items.append(v)
        var i = items.count - 1
        while i > 0, items[(i - 1) / 2] > items[i] {
            items.swapAt(i, (i - 1) / 2)
            i = (i - 1) / 2
        }
    }

    mutating func pop() -> Int? {
        guard let top = items.first else { return nil }
        items[0] = items[items.count - 1]
        items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < items.count && items[l] < items[m] { m = l }
            if r < items.count && items[r] < items[m] { m = r }
            if m == i { break }
            items.swapAt(i, m)
            i = m
        }
        return top
    }
}
