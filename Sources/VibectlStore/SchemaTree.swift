/// The schema's keys as a tree of path components, used to walk and order the YAML file.
struct SchemaTree: Sendable {
    /// Child component names in schema order.
    var childNames: [String] = []
    /// Children by component name.
    var children: [String: SchemaTree] = [:]
    /// The subtree under a `*` component (proxy profiles), stored as zero or one element.
    var wildcardStorage: [SchemaTree] = []
    /// The key that ends at this node, if any.
    var key: ConfigKey?

    /// The subtree under a `*` component.
    var wildcard: SchemaTree? { wildcardStorage.first }

    /// Whether this node has keys below it.
    var isInterior: Bool { !childNames.isEmpty || !wildcardStorage.isEmpty }

    /// The tree of every schema key.
    static let root: SchemaTree = {
        var root = SchemaTree()
        for key in ConfigSchema.keys {
            root.insert(key, components: key.path.split(separator: ".").map(String.init)[...])
        }
        return root
    }()

    /// Inserts a key below this node.
    private mutating func insert(_ key: ConfigKey, components: ArraySlice<String>) {
        guard let first = components.first else {
            self.key = key
            return
        }
        let rest = components.dropFirst()
        if first == "*" {
            var child = wildcardStorage.first ?? SchemaTree()
            child.insert(key, components: rest)
            wildcardStorage = [child]
            return
        }
        if children[first] == nil { childNames.append(first) }
        var child = children[first] ?? SchemaTree()
        child.insert(key, components: rest)
        children[first] = child
    }
}
