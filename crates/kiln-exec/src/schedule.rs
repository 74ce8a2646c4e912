//! The DAG scheduler: hands the planned nodes to `threads` worker threads as soon as everything
//! they depend on has finished, skips the dependents of failures, and stops handing out work on
//! cancel or, with `--fail-fast`, after the first failure. What running a node means is the
//! caller's (`crate::node` in a real run), so the scheduling is independent of the warehouse.

use std::collections::{BTreeSet, HashMap};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use kiln_compile::{Manifest, Node};
use kiln_graph::ResourceType;

use crate::node::{kind_of, skipped, Outcome};
use crate::{CancelToken, Command, Event, EventSink, NodeResult, RunOptions};

/// Runs one node on a worker thread, given the worker's name (`Thread-1` …).
pub(crate) type RunNode<'a> = dyn Fn(&Node, &str) -> Outcome + Sync + 'a;

/// Runs the nodes of `order` (a topological order, as `crate::plan` returns it) and returns one
/// result per node, in that order, each also reported as an [`Event::Finished`].
pub(crate) fn run(
    manifest: &Manifest,
    order: &[String],
    options: &RunOptions,
    sink: &dyn EventSink,
    cancel: &CancelToken,
    run_node: &RunNode<'_>,
) -> Vec<NodeResult> {
    let total = order.len();
    let threads = options.threads.max(1);
    let mut scheduler = Scheduler::new(manifest, order, options.command, sink);
    let (job_tx, job_rx) = mpsc::channel::<usize>();
    let job_rx = Arc::new(Mutex::new(job_rx));
    let (result_tx, result_rx) = mpsc::channel::<(usize, NodeResult)>();

    std::thread::scope(|scope| {
        for worker in 0..threads.min(total.max(1)) {
            let job_rx = job_rx.clone();
            let result_tx = result_tx.clone();
            let thread_id = format!("Thread-{}", worker + 1);
            let builder = std::thread::Builder::new().name(format!("kiln-worker-{worker}"));
            let spawned = builder.spawn_scoped(scope, move || loop {
                // The lock is held while waiting, so exactly one idle worker takes the next job.
                let job = match job_rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => return,
                };
                let Ok(index) = job else { return };
                let Some(node) = order.get(index).and_then(|id| manifest.nodes.get(id)) else {
                    continue;
                };
                sink.event(&Event::Started {
                    index: index + 1,
                    total,
                    unique_id: node.unique_id.clone(),
                    name: node.name.clone(),
                    kind: kind_of(node, options.command).to_string(),
                });
                // A job handed out just before a cancel must not start work the user stopped.
                let (result, logs) = if cancel.is_cancelled() {
                    (skipped(node, options.command, "cancelled", &thread_id), Vec::new())
                } else {
                    run_node(node, &thread_id)
                };
                for message in logs {
                    sink.event(&Event::Log {
                        unique_id: node.unique_id.clone(),
                        message,
                    });
                }
                if result_tx.send((index, result)).is_err() {
                    return;
                }
            });
            if spawned.is_err() {
                break;
            }
        }
        // Only the workers hold senders now, so `recv` fails if every one of them is gone.
        drop(result_tx);

        let mut in_flight = 0;
        let mut stop = false;
        while !scheduler.finished() {
            while !stop && in_flight < threads {
                let Some(index) = scheduler.ready.pop_first() else {
                    break;
                };
                if job_tx.send(index).is_err() {
                    stop = true;
                    break;
                }
                in_flight += 1;
            }
            if in_flight == 0 {
                // Nothing runs and nothing is ready: everything left is skipped or cancelled.
                let reason = if cancel.is_cancelled() {
                    "cancelled"
                } else if stop {
                    "stopped after an earlier failure (--fail-fast)"
                } else {
                    "internal error: its dependencies never finished (please report this)"
                };
                scheduler.skip_rest(reason);
                break;
            }
            let Ok((index, result)) = result_rx.recv() else {
                scheduler.skip_rest("internal error: the worker threads stopped (please report this)");
                break;
            };
            in_flight -= 1;
            if (result.status.blocks() && options.fail_fast) || cancel.is_cancelled() {
                stop = true;
            }
            scheduler.finish(index, result);
        }
        // Workers waiting for a job see the channel close and return, which ends the scope.
        drop(job_tx);
    });
    scheduler.into_results()
}

/// Which planned nodes may run, and the results so far. Nodes are named by their index in the
/// plan's order; `ready` is ordered by it, so among ready nodes the plan's order decides.
struct Scheduler<'a> {
    manifest: &'a Manifest,
    order: &'a [String],
    command: Command,
    sink: &'a dyn EventSink,
    position: HashMap<&'a str, usize>,
    downstream: HashMap<&'a str, Vec<&'a str>>,
    /// How many unfinished nodes each node still waits for.
    waiting: HashMap<&'a str, usize>,
    ready: BTreeSet<usize>,
    results: Vec<Option<NodeResult>>,
    done: usize,
}

impl<'a> Scheduler<'a> {
    fn new(manifest: &'a Manifest, order: &'a [String], command: Command, sink: &'a dyn EventSink) -> Self {
        let position: HashMap<&str, usize> = order.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
        let upstream = dependencies(manifest, order, command);
        let mut downstream: HashMap<&str, Vec<&str>> = HashMap::new();
        for (node, deps) in &upstream {
            for dep in deps {
                downstream.entry(dep).or_default().push(node);
            }
        }
        let waiting: HashMap<&str, usize> = upstream.iter().map(|(k, v)| (*k, v.len())).collect();
        let ready = waiting
            .iter()
            .filter(|(_, n)| **n == 0)
            .filter_map(|(id, _)| position.get(id).copied())
            .collect();
        Scheduler {
            manifest,
            order,
            command,
            sink,
            position,
            downstream,
            waiting,
            ready,
            results: vec![None; order.len()],
            done: 0,
        }
    }

    fn finished(&self) -> bool {
        self.done >= self.order.len()
    }

    fn record(&mut self, index: usize, result: NodeResult) {
        self.sink.event(&Event::Finished {
            index: index + 1,
            total: self.order.len(),
            result: Box::new(result.clone()),
        });
        if let Some(slot) = self.results.get_mut(index) {
            *slot = Some(result);
        }
        self.done += 1;
    }

    /// Records a node's result, then either releases its dependents or, when it did not succeed,
    /// skips them and everything below them.
    fn finish(&mut self, index: usize, result: NodeResult) {
        let Some(id) = self.order.get(index).map(String::as_str) else {
            return;
        };
        let blocks = result.status.blocks();
        self.record(index, result);
        let mut frontier = vec![(id, blocks)];
        while let Some((current, failed)) = frontier.pop() {
            for child in self.downstream.get(current).cloned().unwrap_or_default() {
                let Some(child_index) = self.position.get(child).copied() else {
                    continue;
                };
                if self.results[child_index].is_some() {
                    continue;
                }
                if failed {
                    let Some(node) = self.manifest.nodes.get(child) else {
                        continue;
                    };
                    let culprit = self
                        .manifest
                        .nodes
                        .get(current)
                        .map(|n| n.name.as_str())
                        .unwrap_or(current);
                    let reason = format!("skipped because {culprit} did not succeed");
                    self.record(child_index, skipped(node, self.command, &reason, "main"));
                    self.ready.remove(&child_index);
                    frontier.push((child, true));
                } else if let Some(count) = self.waiting.get_mut(child) {
                    *count = count.saturating_sub(1);
                    if *count == 0 {
                        self.ready.insert(child_index);
                    }
                }
            }
        }
    }

    /// Reports every node without a result as skipped for `reason`.
    fn skip_rest(&mut self, reason: &str) {
        for index in 0..self.order.len() {
            if self.results[index].is_some() {
                continue;
            }
            if let Some(node) = self.manifest.nodes.get(&self.order[index]) {
                self.record(index, skipped(node, self.command, reason, "main"));
            }
        }
    }

    fn into_results(self) -> Vec<NodeResult> {
        self.results.into_iter().flatten().collect()
    }
}

/// For each planned node, the planned nodes it must wait for.
fn dependencies<'a>(
    manifest: &'a Manifest,
    order: &'a [String],
    command: Command,
) -> HashMap<&'a str, BTreeSet<&'a str>> {
    // Edges between scheduled nodes, following paths through unscheduled ones (ephemeral models,
    // unselected parents are simply absent, as in dbt).
    let scheduled: BTreeSet<&str> = order.iter().map(String::as_str).collect();
    let mut upstream: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for id in order {
        let mut deps = BTreeSet::new();
        collect_scheduled_parents(manifest, id, &scheduled, &mut deps, &mut BTreeSet::new());
        upstream.insert(id.as_str(), deps);
    }
    if command == Command::Build {
        add_test_gates(manifest, order, &scheduled, &mut upstream);
    }
    upstream
}

/// In build, a model waits for the tests of its parents, so bad data stops at the test. As in
/// dbt, a test only blocks nodes that depend on *all* of its parents: a relationships test
/// between two branches must not make each branch wait for the other (a scheduling cycle).
fn add_test_gates<'a>(
    manifest: &'a Manifest,
    order: &'a [String],
    scheduled: &BTreeSet<&'a str>,
    upstream: &mut HashMap<&'a str, BTreeSet<&'a str>>,
) {
    let mut ancestors_of: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for test_id in order {
        let Some(test) = manifest.nodes.get(test_id) else {
            continue;
        };
        if test.resource_type != ResourceType::Test {
            continue;
        }
        let mut candidates = BTreeSet::new();
        for parent in &test.depends_on {
            candidates.extend(manifest.graph.children(parent).unwrap_or_default());
        }
        for child in candidates {
            let is_model = manifest
                .nodes
                .get(child)
                .is_some_and(|n| n.resource_type != ResourceType::Test);
            if !is_model || !scheduled.contains(child) {
                continue;
            }
            let ancestors = ancestors_of.entry(child).or_insert_with(|| {
                manifest
                    .graph
                    .ancestors(child, None)
                    .unwrap_or_default()
                    .into_iter()
                    .collect()
            });
            if test.depends_on.iter().all(|p| ancestors.contains(p.as_str())) {
                upstream.entry(child).or_default().insert(test_id.as_str());
            }
        }
    }
}

fn collect_scheduled_parents<'a>(
    manifest: &'a Manifest,
    id: &str,
    scheduled: &BTreeSet<&'a str>,
    out: &mut BTreeSet<&'a str>,
    seen: &mut BTreeSet<String>,
) {
    let Some(node) = manifest.nodes.get(id) else { return };
    for parent in &node.depends_on {
        if !seen.insert(parent.clone()) {
            continue;
        }
        if let Some(found) = scheduled.get(parent.as_str()) {
            out.insert(found);
        } else if manifest.nodes.get(parent).is_some_and(Node::is_ephemeral) {
            // An ephemeral model is inlined, so its own parents are the real dependencies.
            collect_scheduled_parents(manifest, parent, scheduled, out, seen);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
