//! Entry side of provider selection (docs/entries-and-providers.md §3.2 steps 2–4,
//! COMPATIBILITY.md#d10): which provider is responsible for a DNS name, at a cost that grows with
//! the labels of the name, not with the number of providers.
//!
//! The index is a trie over reversed domain labels (`com` → `example` → `sub`). Each node lists
//! the providers that include or exclude exactly the domain it stands for. A choice walks the
//! name's labels from the right, takes every provider it meets at its deepest include or
//! exclude, and ranks the matches.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::{BuildHasherDefault, Hash, Hasher};

use crate::name::DnsName;

/// One provider as the choice sees it: its key, its state, and the domains its selection
/// (docs/entries-and-providers.md §3.1, [`select`](super::select)) computed.
///
/// ```
/// use shoot_dns::provider::ProviderCandidate;
///
/// let p1 = ProviderCandidate {
///     key: "test/p1".to_owned(),
///     ready: true,
///     deleting: false,
///     included: vec!["example.com".parse()?],
///     excluded: vec!["internal.example.com".parse()?],
/// };
/// assert_eq!(p1.key, "test/p1");
/// # Ok::<(), shoot_dns::DnsNameError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderCandidate {
    /// `namespace/name`
    pub key: String,
    /// `status.state == "Ready"`
    pub ready: bool,
    /// `metadata.deletionTimestamp` set
    pub deleting: bool,
    /// the provider's computed included domains (`status.domains.included`)
    pub included: Vec<DnsName>,
    /// the provider's computed excluded domains (`status.domains.excluded`)
    pub excluded: Vec<DnsName>,
}

/// The providers of a controller, indexed for choosing the responsible one for a DNS name
/// (docs/entries-and-providers.md §3.2 steps 2–4, with the tie rule of COMPATIBILITY.md#d10).
///
/// For a provider, `inc` is the length in bytes of its longest included domain that the name
/// equals or lies below, `exc` the same for its excluded domains. The provider matches with
/// `n = inc` if `inc > exc`: an exclusion wins only if it is at least as long as the best
/// inclusion. Among the matching providers:
///
/// 1. Ready providers come first; the others are chosen only if no Ready provider matches.
/// 2. Within that pool the highest score wins: `n + 1000`, or just `n` for a provider that is
///    being deleted (so a live provider always beats a deleting one).
/// 3. On a tie the entry's current provider (`status.provider`, `namespace/name`) wins, else the
///    lexicographically smallest key.
///
/// `choose` costs O(labels of the name) plus the providers met on the way down; `insert` and
/// `remove` cost O(domains of that provider × their labels). Names are normalised
/// [`DnsName`]s (COMPATIBILITY.md#d1), so `*.x.y` lies below `x.y` like any other label.
///
/// ```
/// use shoot_dns::DnsName;
/// use shoot_dns::provider::{ProviderCandidate, ProviderIndex};
///
/// let provider = |key: &str, included: &[&str], excluded: &[&str]| -> ProviderCandidate {
///     let names = |list: &[&str]| list.iter().map(|d| d.parse().unwrap()).collect();
///     ProviderCandidate {
///         key: key.to_owned(),
///         ready: true,
///         deleting: false,
///         included: names(included),
///         excluded: names(excluded),
///     }
/// };
/// let mut index = ProviderIndex::new();
/// index.insert(provider("test/p1", &["example.com"], &["example2.com"]));
/// index.insert(provider("test/p3", &["sub.example.com"], &["example2.com"]));
///
/// // `sub.example.com` (15 bytes) is more specific than `example.com` (11).
/// let name: DnsName = "test.sub.example.com".parse()?;
/// assert_eq!(index.choose(&name, None).unwrap().key, "test/p3");
///
/// // With `test.sub.example.com` excluded, p3 no longer matches: p1 takes over.
/// index.insert(provider("test/p3", &["sub.example.com"], &["test.sub.example.com"]));
/// assert_eq!(index.choose(&name, Some("test/p3")).unwrap().key, "test/p1");
///
/// // No provider serves the name.
/// assert!(index.choose(&"*.unknown-example.com".parse()?, None).is_none());
/// # Ok::<(), shoot_dns::DnsNameError>(())
/// ```
#[derive(Clone, Default)]
pub struct ProviderIndex {
    /// The providers by compact id; `None` for a free id.
    slots: Vec<Option<ProviderCandidate>>,
    /// Free ids, reused last freed first.
    free: Vec<u32>,
    /// `namespace/name` → id.
    ids: HashMap<String, u32>,
    /// The trie; the root stands for the empty suffix and carries no marks.
    root: Node,
}

/// One domain in the trie: the providers that include or exclude exactly it, and the domains
/// one label longer. Nodes live inside their parent's table, next to their label, so a step
/// down costs one table probe and no further pointer.
#[derive(Clone, Default)]
struct Node {
    /// Keyed by the next label to the left.
    children: HashMap<Label, Node, BuildHasherDefault<LabelHasher>>,
    /// The providers that list exactly this domain.
    marks: Marks,
}

impl Node {
    fn is_empty(&self) -> bool {
        self.children.is_empty() && self.marks.is_empty()
    }

    /// The node for `domain`, created on the way if missing.
    fn entry(&mut self, domain: &DnsName) -> &mut Node {
        domain.labels().rev().fold(self, |node, label| {
            node.children.entry(Label::new(label)).or_default()
        })
    }

    /// Drops provider `id`'s mark from the node reached by `labels`, and every node that is
    /// left empty on the way.
    fn unmark<'a>(&mut self, mut labels: impl Iterator<Item = &'a str>, id: u32) {
        let Some(label) = labels.next() else {
            self.marks.remove(id);
            return;
        };
        if let Some(child) = self.children.get_mut(label.as_bytes()) {
            child.unmark(labels, id);
            if child.is_empty() {
                self.children.remove(label.as_bytes());
                if self.children.is_empty() {
                    self.children.shrink_to_fit();
                }
            }
        }
    }

    fn count(&self) -> usize {
        1 + self.children.values().map(Node::count).sum::<usize>()
    }
}

/// How one provider lists one domain, with the provider's state so that ranking a match needs
/// no other lookup. Both `include` and `exclude` is possible when two spellings normalise alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Mark {
    include: bool,
    exclude: bool,
    ready: bool,
    live: bool,
}

/// The marks of one node. Most domains belong to one provider, which is kept inline; more are
/// ordered by id, so adding or removing one provider stays logarithmic in the providers of
/// that domain.
#[derive(Debug, Clone, Default)]
enum Marks {
    #[default]
    Empty,
    One(u32, Mark),
    Many(BTreeMap<u32, Mark>),
}

impl Marks {
    fn is_empty(&self) -> bool {
        matches!(self, Marks::Empty)
    }

    /// Adds provider `id`'s mark, or merges it into the one it has.
    fn add(&mut self, id: u32, mark: Mark) {
        let merge = |old: &mut Mark| {
            old.include |= mark.include;
            old.exclude |= mark.exclude;
        };
        match self {
            Marks::Empty => *self = Marks::One(id, mark),
            Marks::One(have, old) if *have == id => merge(old),
            Marks::One(have, old) => {
                *self = Marks::Many(BTreeMap::from([(*have, *old), (id, mark)]))
            }
            Marks::Many(map) => {
                map.entry(id).and_modify(merge).or_insert(mark);
            }
        }
    }

    fn remove(&mut self, id: u32) {
        match self {
            Marks::One(have, _) if *have == id => *self = Marks::Empty,
            Marks::Many(map) => {
                map.remove(&id);
                if map.len() == 1
                    && let Some((&id, &mark)) = map.first_key_value()
                {
                    *self = Marks::One(id, mark);
                }
            }
            Marks::Empty | Marks::One(..) => {}
        }
    }

    fn iter(&self) -> impl Iterator<Item = (u32, Mark)> + '_ {
        let (one, many) = match self {
            Marks::Empty => (None, None),
            Marks::One(id, mark) => (Some((*id, *mark)), None),
            Marks::Many(map) => (None, Some(map)),
        };
        one.into_iter()
            .chain(many.into_iter().flatten().map(|(&id, &mark)| (id, mark)))
    }
}

/// Labels of at most this many bytes (nearly all) are stored in the key itself.
const INLINE_LABEL: usize = 22;

/// A label as a trie key: inline when short, so that finding a child compares bytes in the
/// table instead of following a pointer to the label.
#[derive(Clone)]
enum Label {
    Inline { len: u8, bytes: [u8; INLINE_LABEL] },
    Heap(Box<str>),
}

impl Label {
    fn new(label: &str) -> Self {
        match u8::try_from(label.len()) {
            Ok(len) if label.len() <= INLINE_LABEL => {
                let mut bytes = [0; INLINE_LABEL];
                bytes[..label.len()].copy_from_slice(label.as_bytes());
                Label::Inline { len, bytes }
            }
            _ => Label::Heap(label.into()),
        }
    }

    fn as_bytes(&self) -> &[u8] {
        match self {
            Label::Inline { len, bytes } => &bytes[..usize::from(*len)],
            Label::Heap(label) => label.as_bytes(),
        }
    }
}

// `Borrow<[u8]>` lets `get(label.as_bytes())` find a `Label`: equality and hash are those of
// the bytes. (Bytes rather than `str`, so that reading an inline label needs no UTF-8 check.)
impl Borrow<[u8]> for Label {
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl PartialEq for Label {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Label {}

impl Hash for Label {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

/// A fast, unkeyed hasher for labels (an FxHash-style word mix with a final avalanche, so
/// every bit of the result depends on every byte). Only provider domains (operator
/// configuration) are ever stored in the trie; the names being chosen for are only looked
/// up, so they cannot crowd a table.
#[derive(Default, Clone, Copy)]
struct LabelHasher(u64);

impl LabelHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for LabelHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let mut buf = [0; 8];
            buf.copy_from_slice(word);
            self.add(u64::from_le_bytes(buf));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut buf = [0; 8];
            buf[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(buf));
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    fn write_usize(&mut self, word: usize) {
        self.add(word as u64);
    }

    fn finish(&self) -> u64 {
        // murmur3's fmix64
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        x ^ (x >> 33)
    }
}

impl ProviderIndex {
    /// An empty index.
    ///
    /// ```
    /// let index = shoot_dns::provider::ProviderIndex::new();
    /// assert!(index.is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a provider, or replaces the one with the same key.
    ///
    /// ```
    /// use shoot_dns::provider::{ProviderCandidate, ProviderIndex};
    ///
    /// let mut index = ProviderIndex::new();
    /// let mut p1 = ProviderCandidate {
    ///     key: "test/p1".to_owned(),
    ///     ready: true,
    ///     deleting: false,
    ///     included: vec!["example.com".parse()?],
    ///     excluded: vec![],
    /// };
    /// index.insert(p1.clone());
    /// p1.ready = false;
    /// index.insert(p1);
    /// assert_eq!(index.len(), 1);
    /// assert!(!index.get("test/p1").unwrap().ready);
    /// # Ok::<(), shoot_dns::DnsNameError>(())
    /// ```
    pub fn insert(&mut self, candidate: ProviderCandidate) {
        self.remove(&candidate.key);
        let id = match self.free.pop() {
            Some(id) => id,
            None => {
                let id = u32::try_from(self.slots.len())
                    .expect("a provider index holds fewer than 2^32 providers");
                self.slots.push(None);
                id
            }
        };
        let mark = |include| Mark {
            include,
            exclude: !include,
            ready: candidate.ready,
            live: !candidate.deleting,
        };
        for domain in &candidate.included {
            self.root.entry(domain).marks.add(id, mark(true));
        }
        for domain in &candidate.excluded {
            self.root.entry(domain).marks.add(id, mark(false));
        }
        self.ids.insert(candidate.key.clone(), id);
        self.slots[id as usize] = Some(candidate);
    }

    /// Removes the provider with this key (`namespace/name`); returns whether it was there.
    ///
    /// ```
    /// use shoot_dns::provider::{ProviderCandidate, ProviderIndex};
    ///
    /// let mut index = ProviderIndex::new();
    /// index.insert(ProviderCandidate {
    ///     key: "test/p1".to_owned(),
    ///     ready: true,
    ///     deleting: false,
    ///     included: vec!["example.com".parse()?],
    ///     excluded: vec![],
    /// });
    /// assert!(index.remove("test/p1"));
    /// assert!(!index.remove("test/p1"));
    /// assert!(index.choose(&"a.example.com".parse()?, None).is_none());
    /// # Ok::<(), shoot_dns::DnsNameError>(())
    /// ```
    pub fn remove(&mut self, key: &str) -> bool {
        let Some(id) = self.ids.remove(key) else {
            return false;
        };
        let candidate = self.slots[id as usize]
            .take()
            .expect("every id in `ids` has a candidate");
        for domain in candidate.included.iter().chain(&candidate.excluded) {
            self.root.unmark(domain.labels().rev(), id);
        }
        self.free.push(id);
        true
    }

    /// The number of providers.
    ///
    /// ```
    /// assert_eq!(shoot_dns::provider::ProviderIndex::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether the index holds no provider.
    ///
    /// ```
    /// assert!(shoot_dns::provider::ProviderIndex::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The provider with this key (`namespace/name`).
    ///
    /// ```
    /// assert!(shoot_dns::provider::ProviderIndex::new().get("test/p1").is_none());
    /// ```
    pub fn get(&self, key: &str) -> Option<&ProviderCandidate> {
        self.ids.get(key).map(|&id| self.slot(id))
    }

    /// The responsible provider for `name`, given the entry's current provider (`current`, its
    /// `status.provider` as `namespace/name`), or `None` if no provider matches
    /// (COMPATIBILITY.md#d11). The rules are on [`ProviderIndex`].
    ///
    /// ```
    /// use shoot_dns::provider::{ProviderCandidate, ProviderIndex};
    ///
    /// let mut index = ProviderIndex::new();
    /// for key in ["test/p1", "test/p4"] {
    ///     index.insert(ProviderCandidate {
    ///         key: key.to_owned(),
    ///         ready: true,
    ///         deleting: false,
    ///         included: vec!["example.com".parse()?],
    ///         excluded: vec![],
    ///     });
    /// }
    /// let name = "test.sub.example.com".parse()?;
    /// // A tie: the current provider keeps the entry, else the smallest key takes it.
    /// assert_eq!(index.choose(&name, Some("test/p4")).unwrap().key, "test/p4");
    /// assert_eq!(index.choose(&name, None).unwrap().key, "test/p1");
    /// # Ok::<(), shoot_dns::DnsNameError>(())
    /// ```
    pub fn choose(&self, name: &DnsName, current: Option<&str>) -> Option<&ProviderCandidate> {
        let mut choice = Choice {
            index: self,
            current,
            settled: Vec::new(),
            fresh: Vec::new(),
            best: None,
        };
        let text = name.as_str();
        choice.walk(&self.root, text.len(), Some(text.as_bytes()));
        choice.best.map(|(id, _)| self.slot(id))
    }

    fn slot(&self, id: u32) -> &ProviderCandidate {
        self.slots[id as usize]
            .as_ref()
            .expect("every id in the trie has a candidate")
    }
}

impl fmt::Debug for ProviderIndex {
    /// The providers in key order and the number of trie nodes; no hash order shows.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut providers: Vec<&ProviderCandidate> = self.slots.iter().flatten().collect();
        providers.sort_by(|a, b| a.key.cmp(&b.key));
        f.debug_struct("ProviderIndex")
            .field("providers", &providers)
            .field("nodes", &self.root.count())
            .finish()
    }
}

/// One run of [`ProviderIndex::choose`].
struct Choice<'i, 'c> {
    index: &'i ProviderIndex,
    current: Option<&'c str>,
    /// Sorted ids of the providers excluded at a deeper node: their shallower includes are
    /// at most as long, so they do not match.
    settled: Vec<u32>,
    /// Ids excluded at the node being visited, merged into `settled` after it.
    fresh: Vec<u32>,
    /// The best match so far: provider id and rank.
    best: Option<(u32, Rank)>,
}

/// How a match ranks before the tie rule: Ready pool first, then the score
/// (`n + 1000` unless deleting). `n` is at most 253, so the score orders as `(live, n)`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Rank {
    ready: bool,
    live: bool,
    n: usize,
}

impl Choice<'_, '_> {
    /// Steps from `node` one label down into `rest`, the part of the name left of the suffix
    /// that `node` stands for (`None` once the whole name is walked), and visits the nodes on
    /// the way back up: deepest (longest domain) first. `len` is the name's length. The
    /// recursion depth is bounded by the 127 labels a name can have.
    fn walk(&mut self, node: &Node, len: usize, rest: Option<&[u8]>) {
        let Some(rest) = rest else { return };
        let start = rest
            .iter()
            .rposition(|&b| b == b'.')
            .map_or(0, |dot| dot + 1);
        let Some(child) = node.children.get(&rest[start..]) else {
            return;
        };
        self.walk(child, len, start.checked_sub(1).map(|dot| &rest[..dot]));
        self.visit(child, len - start);
    }

    /// Takes the marks of the node for a domain of `n` bytes. Nodes come deepest first, so a
    /// provider not settled yet has its longest include or exclude here: an exclude (also one
    /// next to an include) settles it without a match; an include is a match of length `n`.
    /// A provider that matched deeper may show up again with a shorter include, which never
    /// outranks its own deeper match, so it needs no bookkeeping.
    fn visit(&mut self, node: &Node, n: usize) {
        for (id, mark) in node.marks.iter() {
            if self.settled.binary_search(&id).is_ok() {
                continue;
            }
            if mark.exclude {
                self.fresh.push(id);
            } else if mark.include {
                let rank = Rank {
                    ready: mark.ready,
                    live: mark.live,
                    n,
                };
                self.offer(id, rank);
            }
        }
        if !self.fresh.is_empty() {
            self.settled.append(&mut self.fresh);
            self.settled.sort_unstable();
        }
    }

    fn offer(&mut self, id: u32, rank: Rank) {
        let better = match self.best {
            None => true,
            Some((holder, best)) => match rank.cmp(&best) {
                Ordering::Greater => true,
                Ordering::Less => false,
                Ordering::Equal => self.wins_tie(id, holder),
            },
        };
        if better {
            self.best = Some((id, rank));
        }
    }

    /// COMPATIBILITY.md#d10: the current provider, else the smallest key.
    fn wins_tie(&self, challenger: u32, holder: u32) -> bool {
        let (challenger, holder) = (
            &self.index.slot(challenger).key,
            &self.index.slot(holder).key,
        );
        let current = |key: &String| self.current == Some(key.as_str());
        match (current(challenger), current(holder)) {
            (true, false) => true,
            (false, true) => false,
            _ => challenger < holder,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use proptest::prelude::*;

    fn name(s: &str) -> DnsName {
        s.parse().unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    fn names(list: &[&str]) -> Vec<DnsName> {
        list.iter().map(|s| name(s)).collect()
    }

    /// A Ready, live provider in namespace `test`.
    fn provider(name: &str, included: &[&str], excluded: &[&str]) -> ProviderCandidate {
        ProviderCandidate {
            key: format!("test/{name}"),
            ready: true,
            deleting: false,
            included: names(included),
            excluded: names(excluded),
        }
    }

    fn index(providers: impl IntoIterator<Item = ProviderCandidate>) -> ProviderIndex {
        let mut index = ProviderIndex::new();
        for p in providers {
            index.insert(p);
        }
        index
    }

    fn chosen<'a>(
        index: &'a ProviderIndex,
        dns_name: &str,
        current: Option<&str>,
    ) -> Option<&'a str> {
        index
            .choose(&name(dns_name), current)
            .map(|p| p.key.as_str())
    }

    /// Fixture F1's entry A.
    const A: &str = "test.sub.example.com";

    #[test]
    fn ent_01_assigns_the_including_provider() {
        let index = index([
            provider("p1", &["example.com"], &["example2.com"]),
            provider("p2", &["example2.com"], &["example.com"]),
        ]);
        assert_eq!(chosen(&index, A, None), Some("test/p1"));
    }

    #[test]
    fn ent_11_best_matching_provider() {
        let p3 = provider("p3", &["sub.example.com"], &["example2.com"]);
        let mut index = index([
            provider("p1", &["example.com"], &["example2.com"]),
            provider("p2", &["example2.com"], &["example.com"]),
            p3.clone(),
        ]);
        // score 15+1000 beats 11+1000
        assert_eq!(chosen(&index, A, None), Some("test/p3"));
        // deleteProvider p3
        assert!(index.remove("test/p3"));
        assert_eq!(chosen(&index, A, Some("test/p3")), Some("test/p1"));
        // recreateProvider p3: the longer match takes the entry from its current provider
        index.insert(p3);
        assert_eq!(chosen(&index, A, Some("test/p1")), Some("test/p3"));
        // updateProvider p3: inc 15 <= exc 20 -> 0
        index.insert(provider(
            "p3",
            &["sub.example.com"],
            &["example2.com", "test.sub.example.com"],
        ));
        assert_eq!(chosen(&index, A, Some("test/p3")), Some("test/p1"));
        assert_eq!(index.len(), 3);
        let p3_alone = self::index([index.get("test/p3").unwrap().clone()]);
        assert_eq!(chosen(&p3_alone, A, Some("test/p3")), None);
        // Other names below sub.example.com stay with p3.
        assert_eq!(
            chosen(&index, "other.sub.example.com", None),
            Some("test/p3")
        );
    }

    #[test]
    fn ent_13_non_ready_pool_when_no_ready_provider_matches() {
        let mut p1 = provider("p1", &["example.com"], &[]);
        p1.ready = false;
        let mut index = index([p1, provider("p2", &["example2.com"], &[])]);
        assert_eq!(chosen(&index, A, Some("test/p1")), Some("test/p1"));
        // addProvider p3(example.com, Ready)
        index.insert(provider("p3", &["example.com"], &[]));
        assert_eq!(chosen(&index, A, Some("test/p1")), Some("test/p3"));
    }

    #[test]
    fn ent_15_tie_keeps_the_current_provider() {
        let mut index = index([
            provider("p1", &["example.com"], &[]),
            provider("p2", &["example2.com"], &[]),
        ]);
        assert_eq!(chosen(&index, A, None), Some("test/p1"));
        index.insert(provider("p4", &["example.com"], &[]));
        assert_eq!(chosen(&index, A, Some("test/p1")), Some("test/p1"));
        // COMPATIBILITY.md#d10: the current provider wins a tie even when its key sorts later.
        assert_eq!(chosen(&index, A, Some("test/p4")), Some("test/p4"));
        // A bare name is not `namespace/name`: no current provider, the smallest key wins.
        assert_eq!(chosen(&index, A, Some("p4")), Some("test/p1"));
    }

    #[test]
    fn ent_17_no_provider_for_unknown_domain() {
        let index = index([provider("p1", &["example.com"], &[])]);
        assert_eq!(chosen(&index, A, None), Some("test/p1"));
        assert_eq!(
            chosen(&index, "*.unknown-example.com", Some("test/p1")),
            None
        );
        assert_eq!(chosen(&index, "unknown-example.com", None), None);
        assert_eq!(chosen(&index, "com", None), None);
    }

    #[test]
    fn wildcards_match_their_parent_domain() {
        let index = index([
            provider("p1", &["example.com"], &[]),
            provider("p2", &["sub.example.com"], &[]),
        ]);
        assert_eq!(chosen(&index, "*.example.com", None), Some("test/p1"));
        assert_eq!(chosen(&index, "*.sub.example.com", None), Some("test/p2"));
        assert_eq!(chosen(&index, "sub.example.com", None), Some("test/p2"));
    }

    #[test]
    fn deleting_provider_loses_against_a_live_one() {
        let mut a = provider("a", &["example.com"], &[]);
        a.deleting = true;
        let b = provider("b", &["example.com"], &[]);
        let index = index([a, b]);
        // Same match: the live provider wins, even against the current smallest key.
        assert_eq!(chosen(&index, A, Some("test/a")), Some("test/b"));
        // A longer match of a deleting provider still loses (15 < 11 + 1000).
        let mut c = provider("c", &["sub.example.com"], &[]);
        c.deleting = true;
        let index = self::index([c.clone(), provider("d", &["example.com"], &[])]);
        assert_eq!(chosen(&index, A, None), Some("test/d"));
        // Alone, a deleting provider is still chosen.
        let index = self::index([c]);
        assert_eq!(chosen(&index, A, None), Some("test/c"));
    }

    #[test]
    fn ready_weak_match_beats_non_ready_strong_match() {
        let mut strong = provider("a", &["test.sub.example.com"], &[]);
        strong.ready = false;
        let weak = provider("z", &["com"], &[]);
        let index = index([strong, weak]);
        assert_eq!(chosen(&index, A, Some("test/a")), Some("test/z"));
        // A deleting Ready provider still beats a live non-Ready one.
        let mut index = index;
        let mut weak = index.get("test/z").unwrap().clone();
        weak.deleting = true;
        index.insert(weak);
        assert_eq!(chosen(&index, A, Some("test/a")), Some("test/z"));
    }

    #[test]
    fn ties_go_to_the_smallest_key() {
        let index = index([
            provider("p3", &["example.com"], &[]),
            provider("p1", &["example.com"], &[]),
            provider("p2", &["example.com"], &[]),
        ]);
        assert_eq!(chosen(&index, A, None), Some("test/p1"));
        // A current provider that does not match, or does not exist, changes nothing.
        let other = self::index([
            provider("p1", &["example.com"], &[]),
            provider("p0", &["example2.com"], &[]),
            provider("p2", &["example.com"], &[]),
        ]);
        assert_eq!(chosen(&other, A, Some("test/p0")), Some("test/p1"));
        assert_eq!(chosen(&index, A, Some("test/gone")), Some("test/p1"));
        assert_eq!(chosen(&index, A, Some("other/p2")), Some("test/p1"));
    }

    #[test]
    fn exclusion_wins_only_if_at_least_as_long() {
        // A more specific inclusion beats a broader exclusion.
        let index = index([provider("p1", &["sub.example.com"], &["example.com"])]);
        assert_eq!(chosen(&index, A, None), Some("test/p1"));
        assert_eq!(chosen(&index, "other.example.com", None), None);
        // An equally long exclusion wins (two spellings of one domain).
        let index = self::index([provider("p1", &["Example.com"], &["example.com."])]);
        assert_eq!(chosen(&index, A, None), None);
        // An exclusion of one provider does not hide another's inclusion.
        let index = self::index([
            provider("p1", &["example.com"], &["sub.example.com"]),
            provider("p2", &["example.com"], &[]),
        ]);
        assert_eq!(chosen(&index, A, Some("test/p1")), Some("test/p2"));
        assert_eq!(chosen(&index, "x.example.com", None), Some("test/p1"));
    }

    #[test]
    fn exclusions_at_several_depths() {
        // Ids follow insertion order: the deepest exclusion belongs to the latest provider, so
        // the settled providers are met out of id order.
        let index = index([
            provider("p1", &["example.com"], &["sub.example.com"]),
            provider("p2", &["com"], &["test.sub.example.com"]),
            provider("p3", &["com"], &["a.test.sub.example.com"]),
        ]);
        assert_eq!(chosen(&index, "a.test.sub.example.com", None), None);
        assert_eq!(
            chosen(&index, "b.test.sub.example.com", None),
            Some("test/p3")
        );
        assert_eq!(chosen(&index, "x.sub.example.com", None), Some("test/p2"));
        assert_eq!(chosen(&index, "x.example.com", None), Some("test/p1"));
    }

    #[test]
    fn long_labels_and_shared_domains() {
        // Labels longer than the inline size are stored on the heap; both kinds are found.
        let long = "a-label-of-forty-bytes-0123456789-abcdef";
        assert!(long.len() > INLINE_LABEL);
        let short = "x".repeat(INLINE_LABEL);
        let domain = format!("{long}.{short}.example.com");
        let mut index = index([
            provider("p1", &[&domain], &[]),
            provider("p2", &["example.com"], &[]),
            provider("p3", &["example.com"], &[]),
        ]);
        assert_eq!(
            chosen(&index, &format!("a.{domain}"), None),
            Some("test/p1")
        );
        assert_eq!(
            chosen(&index, &format!("{short}.example.com"), Some("test/p3")),
            Some("test/p3")
        );
        // Three, two, one and no provider on one domain.
        assert!(index.remove("test/p2"));
        assert_eq!(chosen(&index, "x.example.com", None), Some("test/p3"));
        index.insert(provider("p2", &["example.com"], &[]));
        assert!(index.remove("test/p3"));
        assert_eq!(chosen(&index, "x.example.com", None), Some("test/p2"));
        assert!(index.remove("test/p2"));
        assert_eq!(chosen(&index, "x.example.com", None), None);
        assert!(index.remove("test/p1"));
        assert_eq!(index.root.count(), 1);
    }

    #[test]
    fn remove_then_choose() {
        let mut index = index([
            provider("p1", &["example.com"], &[]),
            provider(
                "p2",
                &["sub.example.com", "example.org"],
                &["x.sub.example.com"],
            ),
        ]);
        assert_eq!(chosen(&index, A, None), Some("test/p2"));
        assert!(index.remove("test/p2"));
        assert!(!index.remove("test/p2"));
        assert_eq!(index.len(), 1);
        assert!(index.get("test/p2").is_none());
        assert_eq!(chosen(&index, A, None), Some("test/p1"));
        assert_eq!(chosen(&index, "x.sub.example.com", None), Some("test/p1"));
        assert_eq!(chosen(&index, "example.org", None), None);
        assert!(index.remove("test/p1"));
        assert!(index.is_empty());
        assert_eq!(chosen(&index, A, None), None);
        // Every node is pruned: only the root is left.
        assert_eq!(index.root.count(), 1);
        assert_eq!(
            format!("{index:?}"),
            "ProviderIndex { providers: [], nodes: 1 }"
        );
    }

    #[test]
    fn insert_replaces_the_same_key() {
        let mut index = index([provider("p1", &["example.com"], &[])]);
        index.insert(provider("p1", &["example.org"], &[]));
        assert_eq!(index.len(), 1);
        assert_eq!(chosen(&index, A, None), None);
        assert_eq!(chosen(&index, "a.example.org", None), Some("test/p1"));
        assert_eq!(
            index.get("test/p1").unwrap().included,
            names(&["example.org"])
        );
    }

    // ---- property tests against a naive reference ----

    /// docs/entries-and-providers.md §3.2 steps 2–4 with D10, as a linear scan over the providers.
    fn reference<'a>(
        providers: &'a [ProviderCandidate],
        name: &DnsName,
        current: Option<&str>,
    ) -> Option<&'a ProviderCandidate> {
        let longest = |domains: &[DnsName]| {
            domains
                .iter()
                .filter(|d| name.is_subdomain_of(d))
                .map(|d| d.as_str().len())
                .max()
                .unwrap_or(0)
        };
        let scored: Vec<(&ProviderCandidate, usize)> = providers
            .iter()
            .filter_map(|p| {
                let (inc, exc) = (longest(&p.included), longest(&p.excluded));
                let n = if inc > exc { inc } else { 0 };
                (n != 0).then_some((p, if p.deleting { n } else { n + 1000 }))
            })
            .collect();
        let pool: Vec<(&ProviderCandidate, usize)> = if scored.iter().any(|(p, _)| p.ready) {
            scored.into_iter().filter(|(p, _)| p.ready).collect()
        } else {
            scored
        };
        let top = pool.iter().map(|&(_, score)| score).max()?;
        let tied: Vec<&ProviderCandidate> = pool
            .into_iter()
            .filter(|&(_, score)| score == top)
            .map(|(p, _)| p)
            .collect();
        tied.iter()
            .find(|p| Some(p.key.as_str()) == current)
            .or_else(|| tied.iter().min_by(|a, b| a.key.cmp(&b.key)))
            .copied()
    }

    fn label() -> impl Strategy<Value = String> {
        prop::sample::select(vec!["a", "b", "c", "x-1", "_t"]).prop_map(str::to_owned)
    }

    fn domain() -> impl Strategy<Value = DnsName> {
        prop::collection::vec(label(), 1..=4).prop_map(|labels| name(&labels.join(".")))
    }

    /// A name, a wildcard every so often.
    fn dns_name() -> impl Strategy<Value = DnsName> {
        (prop::collection::vec(label(), 1..=5), any::<bool>()).prop_map(|(labels, wildcard)| {
            let text = labels.join(".");
            name(&if wildcard { format!("*.{text}") } else { text })
        })
    }

    const KEYS: &[&str] = &["ns/a", "ns/b", "ns/c", "ns/d", "ns/e", "other/a", "other/b"];

    fn key() -> impl Strategy<Value = String> {
        prop::sample::select(KEYS).prop_map(str::to_owned)
    }

    fn candidate_with(key: String) -> impl Strategy<Value = ProviderCandidate> {
        (
            any::<bool>(),
            prop::bool::weighted(0.25),
            prop::collection::vec(domain(), 0..=3),
            prop::collection::vec(domain(), 0..=2),
        )
            .prop_map(
                move |(ready, deleting, included, excluded)| ProviderCandidate {
                    key: key.clone(),
                    ready,
                    deleting,
                    included,
                    excluded,
                },
            )
    }

    /// Providers with distinct keys, in key order.
    fn providers() -> impl Strategy<Value = Vec<ProviderCandidate>> {
        prop::collection::btree_set(key(), 0..=KEYS.len())
            .prop_flat_map(|keys| keys.into_iter().map(candidate_with).collect::<Vec<_>>())
    }

    /// A `current`: none, a key that may or may not be in the index, or a bare name.
    fn current() -> impl Strategy<Value = Option<String>> {
        prop_oneof![Just(None), key().prop_map(Some), Just(Some("a".to_owned())),]
    }

    fn queries() -> impl Strategy<Value = Vec<(DnsName, Option<String>)>> {
        prop::collection::vec((dns_name(), current()), 1..=24)
    }

    fn choices(
        index: &ProviderIndex,
        queries: &[(DnsName, Option<String>)],
    ) -> Vec<Option<String>> {
        queries
            .iter()
            .map(|(n, c)| index.choose(n, c.as_deref()).map(|p| p.key.clone()))
            .collect()
    }

    fn assert_agrees(
        index: &ProviderIndex,
        providers: &[ProviderCandidate],
        queries: &[(DnsName, Option<String>)],
    ) -> Result<(), TestCaseError> {
        prop_assert_eq!(index.len(), providers.len());
        for (n, c) in queries {
            let got = index.choose(n, c.as_deref());
            let want = reference(providers, n, c.as_deref());
            prop_assert_eq!(got, want, "name {} current {:?}", n, c);
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn agrees_with_the_reference(providers in providers(), queries in queries()) {
            let index = index(providers.clone());
            assert_agrees(&index, &providers, &queries)?;
            for p in &providers {
                prop_assert_eq!(index.get(&p.key), Some(p));
            }
        }

        #[test]
        fn insertion_order_does_not_matter(
            (providers, shuffled) in providers()
                .prop_flat_map(|p| (Just(p.clone()), Just(p).prop_shuffle())),
            queries in queries(),
        ) {
            let sorted = index(providers);
            let shuffled = index(shuffled);
            prop_assert_eq!(choices(&sorted, &queries), choices(&shuffled, &queries));
            prop_assert_eq!(format!("{sorted:?}"), format!("{shuffled:?}"));
        }

        #[test]
        fn remove_and_reinsert(
            providers in providers(),
            gone in prop::collection::btree_set(key(), 0..=KEYS.len()),
            replaced in providers(),
            queries in queries(),
        ) {
            let mut index = index(providers.clone());
            let before = choices(&index, &queries);
            // Remove some, check against the reference on the rest.
            for key in &gone {
                prop_assert_eq!(index.remove(key), providers.iter().any(|p| &p.key == key));
            }
            let rest: Vec<ProviderCandidate> =
                providers.iter().filter(|p| !gone.contains(&p.key)).cloned().collect();
            assert_agrees(&index, &rest, &queries)?;
            // Re-insert them: the same choices as before.
            for p in providers.iter().filter(|p| gone.contains(&p.key)) {
                index.insert(p.clone());
            }
            prop_assert_eq!(&choices(&index, &queries), &before);
            // Replace some by other versions with the same key, then restore them.
            for p in &replaced {
                index.insert(p.clone());
            }
            let mut merged: BTreeMap<String, ProviderCandidate> =
                providers.iter().map(|p| (p.key.clone(), p.clone())).collect();
            merged.extend(replaced.iter().map(|p| (p.key.clone(), p.clone())));
            let merged: Vec<ProviderCandidate> = merged.into_values().collect();
            assert_agrees(&index, &merged, &queries)?;
            for p in &replaced {
                index.remove(&p.key);
            }
            for p in providers.iter().filter(|p| replaced.iter().any(|r| r.key == p.key)) {
                index.insert(p.clone());
            }
            prop_assert_eq!(choices(&index, &queries), before);
            // Removing all leaves only the root.
            for p in &merged {
                index.remove(&p.key);
            }
            prop_assert!(index.is_empty());
            prop_assert_eq!(index.root.count(), 1);
        }
    }
}
