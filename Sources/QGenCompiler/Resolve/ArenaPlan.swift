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

    /// In-place execution of one node: request `output` must start `shift` bytes below request
    /// `input` (which dies at the node that writes `output`), so the two share bytes. A concatenation
    /// whose inputs are written into their slices of its output links each input to the output with
    /// the slice's offset as the shift (the output starts that far below the input).
    public struct Link: Equatable, Sendable {
        public var input: Int
        public var output: Int
        public var shift: Int

        public init(input: Int, output: Int, shift: Int) {
            self.input = input
            self.output = output
            self.shift = shift
        }
    }

    /// The largest number of bytes live at any one step: no plan can be smaller without in-place
    /// execution (links).
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
    ///
    /// With `links`, linked requests are placed as chains with fixed relative offsets (the same greedy
    /// orders over the chains). Links are taken one at a time, those at the steps with the most bytes
    /// live first, each kept when the plan with it is no larger (linking everything would chain the
    /// whole network into one block that drifts down by every shift). The result is never larger than
    /// the plan without links.
    ///
    /// `required` links are always kept (a concatenation whose kernel is left out because its inputs
    /// are written into its output); an optional link is kept only when every group of linked
    /// requests stays consistent (`isConsistent`).
    public static func plan(_ requests: [Request], links: [Link], required: [Link] = [], maxTrials: Int = 256) -> ArenaPlan {
        var best = required.isEmpty ? plan(requests) : greedyLinked(requests, links: required)
        guard !links.isEmpty else { return best }
        var live: [Int: Int] = [:]
        for r in requests { for step in r.firstStep...r.lastStep { live[step, default: 0] += r.size } }
        let stepLive = links.map { live[requests[$0.output].firstStep] ?? 0 }
        let order = links.indices.sorted { a, b in stepLive[a] != stepLive[b] ? stepLive[a] > stepLive[b] : a < b }
        var chosen = required
        // Each trial is a greedy plan (quadratic in the tensors): at most maxTrials links are tried,
        // the ones at the fullest steps.
        for index in order.prefix(maxTrials) where isConsistent(requests, links: chosen + [links[index]]) {
            let trial = greedyLinked(requests, links: chosen + [links[index]])
            if trial.size <= best.size {
                chosen.append(links[index])
                best = trial
            }
        }
        return best
    }

    /// Whether linked requests can take their fixed relative offsets: within each group, two
    /// requests that are live at the same step share no byte unless a link joins them (an in-place
    /// input and the output written over it as it dies; a concatenation's input inside its output).
    /// Chains of in-place links always are; a concatenation's group is not when an input's own
    /// in-place input reaches into another input's slice while that one is live.
    static func isConsistent(_ requests: [Request], links: [Link]) -> Bool {
        let joined = Set(links.flatMap { [[$0.input, $0.output], [$0.output, $0.input]] })
        for group in chains(requests, links: links) where group.count > 2 {
            for (i, a) in group.enumerated() {
                for b in group[(i + 1)...] where requests[a.index].overlaps(requests[b.index]) && !joined.contains([a.index, b.index]) {
                    if a.offset < b.offset + requests[b.index].size && b.offset < a.offset + requests[a.index].size { return false }
                }
            }
        }
        return true
    }

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

    /// Groups of linked requests (chains of in-place links, trees where a concatenation's inputs join
    /// its output), each member with its offset from the group's base (the lowest member at 0), in
    /// request order of their first members; an unlinked request is a group of one. A request has at
    /// most one link out (it dies at one node), so the links form a forest and the offsets are unique.
    static func chains(_ requests: [Request], links: [Link]) -> [[(index: Int, offset: Int)]] {
        var neighbours: [Int: [(index: Int, delta: Int)]] = [:]
        for link in links {
            neighbours[link.input, default: []].append((link.output, -link.shift))
            neighbours[link.output, default: []].append((link.input, link.shift))
        }
        var offset: [Int: Int] = [:]
        var chains: [[(index: Int, offset: Int)]] = []
        for head in requests.indices where offset[head] == nil {
            offset[head] = 0
            var group = [(index: head, offset: 0)], queue = [head]
            while let current = queue.popLast() {
                for n in neighbours[current] ?? [] where offset[n.index] == nil {
                    offset[n.index] = offset[current]! + n.delta
                    group.append((index: n.index, offset: offset[n.index]!))
                    queue.append(n.index)
                }
            }
            let lowest = group.map(\.offset).min()!
            chains.append(group.map { (index: $0.index, offset: $0.offset - lowest) })
        }
        return chains
    }

    /// First fit of each chain, at the lowest base where no member meets a placed request that is
    /// live at the same time, in the same orders as `plan` (by the chain's extent and lifetime).
    static func greedyLinked(_ requests: [Request], links: [Link]) -> ArenaPlan {
        let groups = chains(requests, links: links)
        let extent = groups.map { g in g.map { $0.offset + requests[$0.index].size }.max()! }
        let first = groups.map { g in g.map { requests[$0.index].firstStep }.min()! }
        let last = groups.map { g in g.map { requests[$0.index].lastStep }.max()! }
        let keys: [(Int) -> [Int]] = [
            { [-extent[$0]] },
            { [-(last[$0] - first[$0] + 1), -extent[$0]] },
            { [-extent[$0] * (last[$0] - first[$0] + 1)] },
            { [first[$0], -extent[$0]] },
        ]
        var best: ArenaPlan?
        for key in keys {
            let order = groups.indices.sorted { a, b in key(a) != key(b) ? key(a).lexicographicallyPrecedes(key(b)) : a < b }
            var placements = Array(repeating: Placement(offset: 0, size: 0), count: requests.count)
            var placed: [Int] = []
            for g in order {
                let members = groups[g]
                let conflicts = members.map { m in placed.filter { requests[$0].overlaps(requests[m.index]) }.map { placements[$0] } }
                var candidates = Set([0])
                for (m, cs) in zip(members, conflicts) {
                    for c in cs where c.offset + c.size - m.offset >= 0 { candidates.insert(c.offset + c.size - m.offset) }
                }
                let base = candidates.sorted().first { base in
                    zip(members, conflicts).allSatisfy { m, cs in
                        let start = base + m.offset, end = start + requests[m.index].size
                        return !cs.contains { start < $0.offset + $0.size && $0.offset < end }
                    }
                }!
                for m in members {
                    placements[m.index] = Placement(offset: base + m.offset, size: requests[m.index].size)
                    placed.append(m.index)
                }
            }
            let plan = ArenaPlan(placements: placements, size: placements.map { $0.offset + $0.size }.max() ?? 0)
            if best == nil || plan.size < best!.size { best = plan }
        }
        return best ?? ArenaPlan(placements: [], size: 0)
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
