//! The project DAG: validated once at construction, then queried read-only.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap, VecDeque};

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::Direction;

use crate::node::GraphNode;

/// Why a set of nodes could not be turned into a [`Graph`], or why a query named a missing node.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    #[error(
        "duplicate node id `{id}`: two resources resolve to the same unique_id; \
         rename one of them or remove the duplicate definition"
    )]
    DuplicateNode { id: String },

    #[error(
        "`{node}` depends on `{missing}`, which is not defined in the project; \
         fix the ref()/source() call or add the missing resource"
    )]
    UnknownDependency { node: String, missing: String },

    #[error(
        "dependency cycle: {} (each node depends on the next); \
         remove one of these references to break the cycle",
        path.join(" -> ")
    )]
    Cycle {
        /// Starts and ends with the same id; each entry depends on the next one.
        path: Vec<String>,
    },

    #[error("no node with id `{id}` in the project graph; check the unique_id (e.g. `model.<project>.<name>`)")]
    UnknownNode { id: String },
}

/// The validated, acyclic project graph.
///
/// Nodes are stored sorted by `unique_id`, and a node's position doubles as its petgraph
/// index. That makes "smallest index first" the same as "smallest unique_id first", which is
/// what keeps the topological order and every returned list deterministic.
#[derive(Debug, Clone)]
pub struct Graph {
    nodes: Vec<GraphNode>,
    index: HashMap<String, usize>,
    /// Edges point from a dependency to its dependent (parent -> child), like dbt's graph.
    dag: DiGraph<(), ()>,
    topo: Vec<usize>,
    level: Vec<usize>,
}

impl Graph {
    /// Validates the nodes (unique ids, known dependencies, no cycles) and builds the graph.
    pub fn new(mut nodes: Vec<GraphNode>) -> Result<Graph, GraphError> {
        nodes.sort_by(|a, b| a.unique_id.cmp(&b.unique_id));
        if let Some(pair) = nodes.windows(2).find(|w| w[0].unique_id == w[1].unique_id) {
            return Err(GraphError::DuplicateNode {
                id: pair[0].unique_id.clone(),
            });
        }

        let index: HashMap<String, usize> = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.unique_id.clone(), i))
            .collect();

        let mut dag = DiGraph::<(), ()>::with_capacity(nodes.len(), 0);
        for _ in &nodes {
            dag.add_node(());
        }
        for (child, node) in nodes.iter().enumerate() {
            // A loader may list the same parent twice (two ref()s to one model); one edge is enough.
            let mut seen = BTreeSet::new();
            for dep in &node.depends_on {
                let Some(&parent) = index.get(dep) else {
                    return Err(GraphError::UnknownDependency {
                        node: node.unique_id.clone(),
                        missing: dep.clone(),
                    });
                };
                if seen.insert(parent) {
                    dag.add_edge(NodeIndex::new(parent), NodeIndex::new(child), ());
                }
            }
        }

        let mut graph = Graph {
            nodes,
            index,
            dag,
            topo: Vec::new(),
            level: Vec::new(),
        };
        graph.topo = graph.kahn_order()?;
        graph.level = graph.compute_levels();
        Ok(graph)
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn contains(&self, id: &str) -> bool {
        self.index.contains_key(id)
    }

    /// The node with this unique id, if any.
    pub fn node(&self, id: &str) -> Option<&GraphNode> {
        self.index.get(id).map(|&i| &self.nodes[i])
    }

    /// All nodes, sorted by unique id.
    pub fn nodes(&self) -> impl ExactSizeIterator<Item = &GraphNode> + '_ {
        self.nodes.iter()
    }

    /// Direct dependencies of `id`, sorted by unique id.
    pub fn parents(&self, id: &str) -> Result<Vec<&str>, GraphError> {
        let i = self.require(id)?;
        Ok(self.ids(self.neighbors_sorted(i, Direction::Incoming)))
    }

    /// Direct dependents of `id`, sorted by unique id.
    pub fn children(&self, id: &str) -> Result<Vec<&str>, GraphError> {
        let i = self.require(id)?;
        Ok(self.ids(self.neighbors_sorted(i, Direction::Outgoing)))
    }

    /// Everything `id` depends on, transitively, up to `depth` edges away (`None` = unlimited).
    /// Excludes `id` itself. Sorted by unique id.
    pub fn ancestors(&self, id: &str, depth: Option<usize>) -> Result<Vec<&str>, GraphError> {
        let i = self.require(id)?;
        let mut found = self.reach(&[i], Direction::Incoming, depth);
        found.remove(&i);
        Ok(self.ids(found))
    }

    /// Everything that depends on `id`, transitively, up to `depth` edges away (`None` = unlimited).
    /// Excludes `id` itself. Sorted by unique id.
    pub fn descendants(&self, id: &str, depth: Option<usize>) -> Result<Vec<&str>, GraphError> {
        let i = self.require(id)?;
        let mut found = self.reach(&[i], Direction::Outgoing, depth);
        found.remove(&i);
        Ok(self.ids(found))
    }

    /// Every node, dependencies before dependents; among nodes that are ready at the same
    /// time the smallest unique id comes first, so the order is stable across runs.
    pub fn topological_order(&self) -> Vec<&str> {
        self.topo.iter().map(|&i| self.nodes[i].unique_id.as_str()).collect()
    }

    /// Nodes grouped into waves: every node only depends on nodes of earlier waves, so each
    /// wave can run in parallel once the previous ones are done. A node sits in the earliest
    /// wave possible (its longest dependency chain). Each wave is sorted by unique id.
    pub fn levels(&self) -> Vec<Vec<&str>> {
        let depth = self.level.iter().copied().max().map_or(0, |m| m + 1);
        let mut out: Vec<Vec<&str>> = vec![Vec::new(); depth];
        for (i, &lvl) in self.level.iter().enumerate() {
            out[lvl].push(self.nodes[i].unique_id.as_str());
        }
        out
    }

    /// [`Graph::topological_order`] restricted to `ids` (e.g. a selection).
    pub fn topological_order_of(&self, ids: &BTreeSet<String>) -> Result<Vec<&str>, GraphError> {
        let wanted = self.require_all(ids)?;
        Ok(self
            .topo
            .iter()
            .filter(|i| wanted.contains(i))
            .map(|&i| self.nodes[i].unique_id.as_str())
            .collect())
    }

    /// [`Graph::levels`] for a subset such as a selection. A dependency that runs through
    /// unselected nodes still counts (a -> x -> c with x unselected puts c after a), the same
    /// way dbt keeps transitive edges when it schedules a subset.
    pub fn levels_of(&self, ids: &BTreeSet<String>) -> Result<Vec<Vec<&str>>, GraphError> {
        let wanted = self.require_all(ids)?;
        // below[n] = how many selected nodes lie on the longest chain strictly before n.
        let mut below = vec![0usize; self.nodes.len()];
        for &n in &self.topo {
            let mut lvl = 0;
            for p in self.dag.neighbors_directed(NodeIndex::new(n), Direction::Incoming) {
                let p = p.index();
                lvl = lvl.max(below[p] + usize::from(wanted.contains(&p)));
            }
            below[n] = lvl;
        }
        let mut out: Vec<Vec<&str>> = Vec::new();
        for &n in &wanted {
            let lvl = below[n];
            if out.len() <= lvl {
                out.resize_with(lvl + 1, Vec::new);
            }
            out[lvl].push(self.nodes[n].unique_id.as_str());
        }
        Ok(out)
    }

    // ---- crate-internal, index-based helpers used by selection ----

    pub(crate) fn node_at(&self, i: usize) -> &GraphNode {
        &self.nodes[i]
    }

    pub(crate) fn parent_indices(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.dag
            .neighbors_directed(NodeIndex::new(i), Direction::Incoming)
            .map(|n| n.index())
    }

    pub(crate) fn child_indices(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.dag
            .neighbors_directed(NodeIndex::new(i), Direction::Outgoing)
            .map(|n| n.index())
    }

    /// Breadth-first reach from all `starts` at once; a node is included when it is within
    /// `depth` edges of any start. The starts themselves are included.
    pub(crate) fn reach(&self, starts: &[usize], dir: Direction, depth: Option<usize>) -> BTreeSet<usize> {
        let mut dist: HashMap<usize, usize> = HashMap::with_capacity(starts.len());
        let mut queue = VecDeque::with_capacity(starts.len());
        for &s in starts {
            if dist.insert(s, 0).is_none() {
                queue.push_back(s);
            }
        }
        while let Some(n) = queue.pop_front() {
            let d = dist.get(&n).copied().unwrap_or(0);
            if depth.is_some_and(|max| d >= max) {
                continue;
            }
            for m in self.dag.neighbors_directed(NodeIndex::new(n), dir) {
                let m = m.index();
                if let std::collections::hash_map::Entry::Vacant(e) = dist.entry(m) {
                    e.insert(d + 1);
                    queue.push_back(m);
                }
            }
        }
        dist.into_keys().collect()
    }

    // ---- private ----

    fn require(&self, id: &str) -> Result<usize, GraphError> {
        self.index
            .get(id)
            .copied()
            .ok_or_else(|| GraphError::UnknownNode { id: id.to_string() })
    }

    fn require_all(&self, ids: &BTreeSet<String>) -> Result<BTreeSet<usize>, GraphError> {
        ids.iter().map(|id| self.require(id)).collect()
    }

    fn neighbors_sorted(&self, i: usize, dir: Direction) -> BTreeSet<usize> {
        self.dag
            .neighbors_directed(NodeIndex::new(i), dir)
            .map(|n| n.index())
            .collect()
    }

    fn ids(&self, set: BTreeSet<usize>) -> Vec<&str> {
        set.into_iter().map(|i| self.nodes[i].unique_id.as_str()).collect()
    }

    /// Kahn's algorithm with a min-heap, so ties go to the smallest unique id. If some nodes
    /// never become ready they sit on a cycle, which we then spell out for the user.
    fn kahn_order(&self) -> Result<Vec<usize>, GraphError> {
        let n = self.nodes.len();
        let mut indegree: Vec<usize> = (0..n)
            .map(|i| {
                self.dag
                    .neighbors_directed(NodeIndex::new(i), Direction::Incoming)
                    .count()
            })
            .collect();
        let mut ready: BinaryHeap<Reverse<usize>> = indegree
            .iter()
            .enumerate()
            .filter(|(_, &d)| d == 0)
            .map(|(i, _)| Reverse(i))
            .collect();
        let mut order = Vec::with_capacity(n);
        while let Some(Reverse(i)) = ready.pop() {
            order.push(i);
            for c in self.dag.neighbors_directed(NodeIndex::new(i), Direction::Outgoing) {
                let c = c.index();
                indegree[c] -= 1;
                if indegree[c] == 0 {
                    ready.push(Reverse(c));
                }
            }
        }
        if order.len() == n {
            Ok(order)
        } else {
            Err(GraphError::Cycle {
                path: self.describe_cycle(),
            })
        }
    }

    /// Picks the cyclic strongly connected component holding the smallest unique id and
    /// returns the shortest cycle through that id, following "depends on" edges.
    fn describe_cycle(&self) -> Vec<String> {
        let sccs = petgraph::algo::tarjan_scc(&self.dag);
        let start_and_members = sccs
            .into_iter()
            .filter(|scc| scc.len() > 1 || scc.first().is_some_and(|&n| self.dag.find_edge(n, n).is_some()))
            .filter_map(|scc| {
                let members: BTreeSet<usize> = scc.iter().map(|n| n.index()).collect();
                members.first().copied().map(|start| (start, members))
            })
            .min_by_key(|(start, _)| *start);
        let Some((start, members)) = start_and_members else {
            // Kahn's algorithm only fails when a cycle exists, so this is unreachable in
            // practice; an empty path still yields a readable error.
            return Vec::new();
        };

        // BFS from `start` over "depends on" edges (towards parents), staying inside the SCC,
        // until we step back onto `start`.
        let mut prev: HashMap<usize, usize> = HashMap::new();
        let mut queue = VecDeque::from([start]);
        let mut closing = None;
        'bfs: while let Some(n) = queue.pop_front() {
            for p in self.neighbors_sorted(n, Direction::Incoming) {
                if !members.contains(&p) {
                    continue;
                }
                if p == start {
                    closing = Some(n);
                    break 'bfs;
                }
                if let std::collections::hash_map::Entry::Vacant(e) = prev.entry(p) {
                    e.insert(n);
                    queue.push_back(p);
                }
            }
        }
        let mut path = vec![start];
        if let Some(last) = closing {
            let mut back = vec![last];
            let mut cur = last;
            while cur != start {
                match prev.get(&cur) {
                    Some(&p) => {
                        back.push(p);
                        cur = p;
                    }
                    None => break,
                }
            }
            // `back` runs last -> ... -> start; drop its `start` and flip it.
            back.pop();
            back.reverse();
            path.extend(back);
        }
        path.push(start);
        path.into_iter().map(|i| self.nodes[i].unique_id.clone()).collect()
    }

    fn compute_levels(&self) -> Vec<usize> {
        let mut level = vec![0usize; self.nodes.len()];
        for &n in &self.topo {
            level[n] = self
                .dag
                .neighbors_directed(NodeIndex::new(n), Direction::Incoming)
                .map(|p| level[p.index()] + 1)
                .max()
                .unwrap_or(0);
        }
        level
    }
}
