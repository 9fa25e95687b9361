//! Observed communications (between endpoints) merged into communications between the peers
//! they resolved to, with ports after DNAT: a connection addressed to a Service's ClusterIP
//! goes to the backends it may have reached, and is counted once where it is also seen
//! arriving.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::engine::dataset::{Communication, Peer};
use crate::engine::ingest::flows::endpoints::CommunicationKey;
use crate::engine::model::observed::ObservedCommunication;
use crate::engine::model::Protocol;

/// A communication's identity after resolution: client, server, protocol, port.
type MergedKey = (Peer, Peer, Protocol, u16);

/// A connection addressed to a ClusterIP: its key, its client, and the backends (with their
/// target ports) it may have reached.
type ViaService<'a> = (
    &'a CommunicationKey,
    &'a ObservedCommunication,
    Peer,
    Vec<(Peer, u16)>,
);

/// A client endpoint, the server it reached, protocol and port.
type ArrivalKey = (u32, Peer, Protocol, u16);

/// Adds an observation to the communication `key`, creating it if needed.
fn add_observed(
    merged: &mut BTreeMap<MergedKey, Communication>,
    key: MergedKey,
    observed: &ObservedCommunication,
) {
    let (client, server, protocol, port) = key;
    merged
        .entry(key)
        .and_modify(|c| c.observed.merge(observed))
        .or_insert_with(|| Communication {
            client,
            server,
            protocol,
            port,
            observed: observed.clone(),
        });
}

/// Observed communications merged into communications between peers.
#[derive(Default)]
pub(super) struct Merger<'f> {
    merged: BTreeMap<MergedKey, Communication>,
    /// Connections addressed to a ClusterIP (seen before DNAT), for after the direct ones.
    via_service: Vec<ViaService<'f>>,
    /// Connections each client endpoint made to each server after DNAT (or directly).
    arrived_from: HashMap<ArrivalKey, u64>,
}

impl<'f> Merger<'f> {
    /// Takes in one observed communication from `client` to its server endpoint, which
    /// resolved to `server` (`None`: no peer); `service_targets` are the backends (with their
    /// target ports) it may have reached when it was addressed to a Service's ClusterIP.
    pub(super) fn observe(
        &mut self,
        (key, observed): (&'f CommunicationKey, &'f ObservedCommunication),
        client: Peer,
        server: Option<Peer>,
        service_targets: Vec<(Peer, u16)>,
    ) {
        if !service_targets.is_empty() {
            self.via_service
                .push((key, observed, client, service_targets));
            return;
        }
        if let Some(server) = server {
            add_observed(
                &mut self.merged,
                (client, server, key.protocol, key.port),
                observed,
            );
            *self
                .arrived_from
                .entry((key.client, server, key.protocol, key.port))
                .or_default() += observed.connections();
        }
    }

    /// The communications, once the connections addressed to a ClusterIP are added to those
    /// that arrived directly (so that their order does not matter).
    pub(super) fn finish(self) -> Vec<Communication> {
        let mut merged = self.merged;
        let direct: BTreeSet<MergedKey> = merged.keys().copied().collect();
        for (key, observed, client, servers) in self.via_service {
            let targets: Vec<MergedKey> = servers
                .into_iter()
                .map(|(server, port)| (client, server, key.protocol, port))
                .collect();
            // With several backends, a connection seen after DNAT is counted where it
            // arrived; the ClusterIP observation only adds its names there. When the same
            // client endpoint has fewer connections seen after DNAT than before (a node not
            // captured), the rest may have reached any backend not seen: those get the
            // ClusterIP observation, an upper bound, so no policy misses them.
            let several = targets.len() > 1;
            let arrived: u64 = targets
                .iter()
                .filter_map(|&(_, server, protocol, port)| {
                    self.arrived_from.get(&(key.client, server, protocol, port))
                })
                .sum();
            // Packets of connections already open say nothing of how many: they arrived when
            // the communication is seen after DNAT at any backend.
            let all_arrived = several
                && if observed.connections() > 0 {
                    arrived >= observed.connections()
                } else {
                    targets.iter().any(|target| direct.contains(target))
                };
            for target in targets {
                match merged.get_mut(&target) {
                    Some(existing) if several && direct.contains(&target) => {
                        existing.observed.merge_names(observed)
                    }
                    _ if all_arrived => {}
                    _ => add_observed(&mut merged, target, observed),
                }
            }
        }
        merged.into_values().collect()
    }
}
