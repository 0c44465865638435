/// A leaf: the element type of a branch, its fixed length, and its counter leaf if jagged.
public struct Leaf: Sendable {
    public let className: String
    public let name: String
    public let title: String
    public let length: Int
    public let isUnsigned: Bool
    /// Name of the leaf that counts this one's elements per entry (from `fLeafCount`).
    public let countLeaf: String?
}

/// A TBranch or TBranchElement: where its baskets are and how its entries are laid out.
/// Immutable once read (children are attached while the tree is read).
public final class Branch: @unchecked Sendable {
    public let name: String
    public let path: String
    public let className: String
    public let title: String
    public let entries: Int
    public let entryOffsetLen: Int
    public let basketEntry: [Int]
    public let basketSeek: [Int]
    public let basketBytes: [Int]
    public let writeBasket: Int
    public let leaves: [Leaf]
    public private(set) var children: [Branch] = []
    public private(set) weak var parent: Branch?
    // TBranchElement only
    public let elementClass: String // fClassName: the class that holds this member
    public let parentClass: String // fParentName
    public let clonesClass: String // fClonesName: element class of a collection node
    public let id: Int // fID: index of the member in elementClass's streamer
    /// fType: 0 member/top, 1 base, 2 split object, 3/4 collection node, 31/41 collection member.
    public let branchType: Int
    public let streamerType: Int // fStreamerType
    public let classVersion: Int
    /// Set when baskets were stored inside the TBranch record (file not closed properly).
    public let hasEmbeddedBaskets: Bool

    init(object o: RObject, parent: Branch?, tree: String) throws {
        self.parent = parent
        let ownName = o["fName"]?.string ?? ""
        name = ownName
        title = o["fTitle"]?.string ?? ""
        path = parent.map { $0.path + "/" + ownName } ?? ownName
        className = o.className
        entries = o["fEntries"]?.int ?? 0
        entryOffsetLen = o["fEntryOffsetLen"]?.int ?? 0
        writeBasket = o["fWriteBasket"]?.int ?? 0
        basketEntry = (o["fBasketEntry"]?.ints ?? []).map(Int.init)
        basketSeek = (o["fBasketSeek"]?.ints ?? []).map(Int.init)
        basketBytes = (o["fBasketBytes"]?.ints ?? []).map(Int.init)
        elementClass = o["fClassName"]?.string ?? ""
        parentClass = o["fParentName"]?.string ?? ""
        clonesClass = o["fClonesName"]?.string ?? ""
        id = o["fID"]?.int ?? -1
        branchType = o["fType"]?.int ?? 0
        streamerType = o["fStreamerType"]?.int ?? -1
        classVersion = o["fClassVersion"]?.int ?? 0
        hasEmbeddedBaskets = (o["fBaskets"]?.array ?? []).contains { $0.object?.className == "TBasket" }
        var ls: [Leaf] = []
        for l in o["fLeaves"]?.array ?? [] {
            guard let lo = l.object else { continue }
            ls.append(
                Leaf(
                    className: lo.className, name: lo["fName"]?.string ?? "", title: lo["fTitle"]?.string ?? "",
                    length: lo["fLen"]?.int ?? 1, isUnsigned: lo["fIsUnsigned"]?.int == 1,
                    countLeaf: lo["fLeafCount"]?.object?["fName"]?.string))
        }
        leaves = ls
        for b in o["fBranches"]?.array ?? [] {
            if let bo = b.object { children.append(try Branch(object: bo, parent: self, tree: tree)) }
        }
    }

    public var isElement: Bool { className.hasPrefix("TBranchElement") }

    /// Baskets actually written (fWriteBasket), each with its first entry.
    public var basketCount: Int { min(writeBasket, basketSeek.count, basketEntry.count, basketBytes.count) }
}
