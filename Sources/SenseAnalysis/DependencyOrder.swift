/// Orders named things so that each comes after what it depends on (derived channels, rules);
/// a cycle is an error naming its members.
enum DependencyOrder {
    struct Cycle: Error { var path: [String] }

    static func sorted<T>(_ items: [T], name: (T) -> String, dependencies: (T) -> [String]) throws(Cycle) -> [T] {
        var byName: [String: T] = [:]
        for item in items where byName[name(item)] == nil { byName[name(item)] = item }
        var state: [String: Bool] = [:]  // false: visiting, true: done
        var order: [T] = []
        var path: [String] = []
        func visit(_ n: String) throws(Cycle) {
            if state[n] == true { return }
            if state[n] == false {
                let start = path.firstIndex(of: n) ?? 0
                throw Cycle(path: Array(path[start...]) + [n])
            }
            guard let item = byName[n] else { return }
            state[n] = false
            path.append(n)
            for dep in dependencies(item).sorted() { try visit(dep) }
            path.removeLast()
            state[n] = true
            order.append(item)
        }
        for item in items { try visit(name(item)) }
        return order
    }
}
