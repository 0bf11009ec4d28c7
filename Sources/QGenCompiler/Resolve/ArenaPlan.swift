/// Where each intermediate tensor lives in the caller's arena. A tensor is live from the step that
/// writes it to the last step that reads it (inclusive); tensors whose lifetimes do not overlap may
/// share bytes.
public struct ArenaPlan: Equatable, Codable, Sendable {
    public struct Placement: Equatable, Codable, Sendable {
        public var offset: Int
        public var size: Int
    }

    /// One entry per planned tensor, in the order given to `plan`.
    public var placements: [Placement]
    /// The arena size in bytes: the end of the highest placement (0 when nothing is planned).
    public var size: Int

    public struct Request: Equatable, Sendable {
        public var size: Int
        public var firstStep: Int
        public var lastStep: Int

        public init(size: Int, firstStep: Int, lastStep: Int) {
            self.size = size
            self.firstStep = firstStep
            self.lastStep = lastStep
        }

        func overlaps(_ other: Request) -> Bool { firstStep <= other.lastStep && other.firstStep <= lastStep }
    }

    /// The largest number of bytes live at any one step: no plan can be smaller.
    public static func lowerBound(_ requests: [Request]) -> Int {
        let steps = Set(requests.flatMap { [$0.firstStep, $0.lastStep] })
        return steps.map { step in requests.filter { $0.firstStep <= step && step <= $0.lastStep }.map(\.size).reduce(0, +) }.max() ?? 0
    }

    /// Greedy placement (as TFLite Micro's GreedyMemoryPlanner: each tensor at the lowest offset
    /// that does not intersect a placed tensor alive at the same time) in several orders — largest
    /// first (TFLite Micro's), longest-lived first, largest size × lifetime first, earliest first —
    /// keeping the smallest arena; it stops at the first order that reaches the lower bound. When none
    /// does, a bounded search (`search`) looks for a smaller plan. Ties are broken by request order,
    /// so the plan is deterministic.
    public static func plan(_ requests: [Request]) -> ArenaPlan {
        let bound = lowerBound(requests)
        let life = { (r: Request) in r.lastStep - r.firstStep + 1 }
        let keys: [(Request) -> [Int]] = [
            { [-$0.size] },
            { [-life($0), -$0.size] },
            { [-$0.size * life($0)] },
            { [$0.firstStep, -$0.size] },
            { [-$0.size, $0.firstStep] },
        ]
        var best: ArenaPlan?
        for key in keys {
            let order = requests.indices.sorted { a, b in
                let (ka, kb) = (key(requests[a]), key(requests[b]))
                return ka != kb ? ka.lexicographicallyPrecedes(kb) : a < b
            }
            let plan = greedy(requests, order: order)
            if best == nil || plan.size < best!.size { best = plan }
            if plan.size <= bound { break }
        }
        guard var found = best else { return ArenaPlan(placements: [], size: 0) }
        if found.size > bound, let better = search(requests, below: found.size, bound: bound) { found = better }
        return found
    }

    /// A bounded depth-first search for a plan smaller than `limit`, placing tensors in the order
    /// they are written, each at a gap's start or pushed against a gap's end (so that a small tensor
    /// can sit above a large one that a later tensor must share bytes with). It stops at the lower
    /// bound, or after `budget` placements; nil when it finds nothing smaller.
    static func search(_ requests: [Request], below limit: Int, bound: Int, budget: Int = 200_000) -> ArenaPlan? {
        let order = requests.indices.sorted { a, b in
            (requests[a].firstStep, -requests[a].size, a) < (requests[b].firstStep, -requests[b].size, b)
        }
        var placements = Array(repeating: Placement(offset: 0, size: 0), count: requests.count)
        var best: ArenaPlan?
        var limit = limit
        var steps = 0
        func place(_ k: Int, _ top: Int) {
            if best?.size == bound || steps >= budget { return }
            if k == order.count {
                best = ArenaPlan(placements: placements, size: top)
                limit = top
                return
            }
            let index = order[k], request = requests[index]
            let conflicts = order[..<k].filter { requests[$0].overlaps(request) }.map { placements[$0] }
            var candidates = Set([0])
            for c in conflicts {
                candidates.insert(c.offset + c.size)
                if c.offset >= request.size { candidates.insert(c.offset - request.size) }
            }
            for offset in candidates.sorted() where offset + request.size < limit {
                guard !conflicts.contains(where: { offset < $0.offset + $0.size && $0.offset < offset + request.size }) else { continue }
                steps += 1
                placements[index] = Placement(offset: offset, size: request.size)
                place(k + 1, max(top, offset + request.size))
                if best?.size == bound || steps >= budget { return }
            }
        }
        place(0, 0)
        return best
    }

    private static func greedy(_ requests: [Request], order: [Int]) -> ArenaPlan {
        var placements = Array(repeating: Placement(offset: 0, size: 0), count: requests.count)
        var placed: [Int] = []
        for index in order {
            let request = requests[index]
            let conflicts = placed
                .filter { requests[$0].overlaps(request) }
                .map { placements[$0] }
                .sorted { $0.offset < $1.offset }
            var offset = 0
            for other in conflicts where offset + request.size > other.offset {
                offset = max(offset, other.offset + other.size)
            }
            placements[index] = Placement(offset: offset, size: request.size)
            placed.append(index)
        }
        let size = placements.map { $0.offset + $0.size }.max() ?? 0
        return ArenaPlan(placements: placements, size: size)
    }
}
