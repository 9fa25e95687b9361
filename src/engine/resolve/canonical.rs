//! The dataset in a canonical order: entities sorted by cluster, namespace, kind and name,
//! addresses by IP, Services by namespace and name, communications by their ends, and every id
//! renumbered to match; addresses no communication uses are left out. The same flows give the
//! same dataset, byte for byte, whatever the order of files and of lines within them.

use std::collections::BTreeSet;

use crate::engine::dataset::{Dataset, Peer};
use crate::engine::model::{AddressId, EntityId};

/// The positions of `items` sorted by `key`, and each old position's new one.
fn renumbering<T, K: Ord>(items: &[T], key: impl Fn(&T) -> K) -> (Vec<usize>, Vec<usize>) {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| key(&items[i]));
    let mut new_of = vec![0; items.len()];
    for (new, &old) in order.iter().enumerate() {
        new_of[old] = new;
    }
    (order, new_of)
}

/// `items` in `order`.
fn reorder<T>(items: Vec<T>, order: &[usize]) -> Vec<T> {
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    order.iter().filter_map(|&i| slots[i].take()).collect()
}

/// The dataset in its canonical order.
pub fn canonical(mut dataset: Dataset) -> Dataset {
    let used: BTreeSet<AddressId> = dataset
        .communications
        .iter()
        .flat_map(|c| [c.client, c.server])
        .filter_map(|peer| match peer {
            Peer::Address(id) => Some(id),
            Peer::Entity(_) | Peer::ApiServer => None,
        })
        .collect();
    let (entity_order, new_entity) = renumbering(&dataset.entities, |e| {
        (
            e.cluster.clone(),
            e.owner.namespace.clone(),
            e.owner.kind,
            e.owner.name.clone(),
        )
    });
    let (mut address_order, _) = renumbering(&dataset.addresses, |a| (a.ip, a.class));
    address_order.retain(|&old| used.contains(&AddressId::new(old)));
    let mut address_ids: Vec<Option<AddressId>> = vec![None; dataset.addresses.len()];
    for (new, &old) in address_order.iter().enumerate() {
        address_ids[old] = Some(AddressId::new(new));
    }
    let peer = |peer: Peer| match peer {
        Peer::Entity(id) => Peer::Entity(EntityId::new(new_entity[id.index()])),
        Peer::Address(id) => Peer::Address(address_ids[id.index()].unwrap_or(id)),
        Peer::ApiServer => Peer::ApiServer,
    };
    dataset.entities = reorder(std::mem::take(&mut dataset.entities), &entity_order);
    dataset.addresses = reorder(std::mem::take(&mut dataset.addresses), &address_order);
    for communication in &mut dataset.communications {
        communication.client = peer(communication.client);
        communication.server = peer(communication.server);
    }
    dataset
        .communications
        .sort_by_key(|c| (c.client, c.server, c.protocol, c.port));
    dataset.services.sort_by(|a, b| {
        (&a.namespace, &a.name, &a.cluster_ips).cmp(&(&b.namespace, &b.name, &b.cluster_ips))
    });
    for service in &mut dataset.services {
        for backend in &mut service.backends {
            *backend = EntityId::new(new_entity[backend.index()]);
        }
        service.backends.sort();
    }
    dataset.ranges.ranges.sort();
    dataset.ranges.ranges.dedup();
    dataset.ranges.addresses.sort();
    dataset.ranges.addresses.dedup();
    dataset
}
