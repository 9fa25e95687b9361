//! What the demo generator emitted, as it knows it: each communication whose lines it wrote,
//! so that tests compare what ingest finds with the generator's own record rather than with
//! anything derived from the ingest's output.

use crate::engine::model::{AddressClass, Protocol};

/// One end of an emitted communication.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EmittedPeer {
    /// A workload of the demo cluster, by its index in `DemoCluster::workloads`.
    Workload(usize),
    /// An address no Kubernetes object explains, with the class it has.
    Address(AddressClass, String),
    /// The Kubernetes API server.
    ApiServer,
}

/// A communication the generator wrote at least one line of.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EmittedCommunication {
    pub client: EmittedPeer,
    pub server: EmittedPeer,
    pub protocol: Protocol,
    /// The server's port after DNAT (the container port).
    pub port: u16,
}
