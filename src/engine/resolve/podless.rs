//! Controllers the inventory holds with no pod: a CronJob whose schedule did not fire in the
//! capture's window, a Deployment scaled to zero. Nothing of theirs can be in the capture, so
//! no policy is written for them and the capture's coverage lists them.

use std::collections::BTreeSet;

use crate::engine::dataset::Dataset;
use crate::engine::ingest::formats::inventory::{Controller, Inventory};
use crate::engine::model::{ControllerKind, Owner};

/// The owners of the inventory's controllers (Deployments, Rollouts, StatefulSets,
/// DaemonSets, CronJobs, Jobs of no CronJob) that no entity of `dataset` stands for, in order.
pub fn podless_controllers(inventory: &Inventory, dataset: &Dataset) -> Vec<Owner> {
    let known: BTreeSet<&Owner> = dataset.entities.iter().map(|e| &e.owner).collect();
    let mut podless: Vec<Owner> = inventory
        .controllers
        .iter()
        .filter(|controller| !run_of_a_cron_job(controller))
        .filter_map(|controller| {
            let kind = controller.kind.entity_kind()?;
            let metadata = &controller.metadata;
            Some(Owner::new(kind, &metadata.namespace, &metadata.name))
        })
        .filter(|owner| !known.contains(owner))
        .collect();
    podless.sort();
    podless.dedup();
    podless
}

/// A Job a CronJob started: its CronJob is the workload.
fn run_of_a_cron_job(controller: &Controller) -> bool {
    controller.kind == ControllerKind::Job
        && controller
            .metadata
            .owner_references
            .iter()
            .any(|owner| owner.kind == "CronJob")
}
