//! The domain's vocabulary, in one place: every other part of the engine builds on these
//! types, and this module builds on nothing else of the engine. Plain data with public
//! fields; parsed once at the edge (kinds, protocols, keys), written back the same way.
//!
//! - [`ids`]: typed indices into the dataset's tables (`EntityId`, `CommunicationId`, ...).
//! - [`labels`]: labels, label selectors, volatile labels.
//! - [`workload`]: entity kinds, controller kinds, owners.
//! - [`keys`]: the names decisions and hooks use for workloads and rows
//!   (`Kind/namespace/name`, `client -> server PROTOCOL/port`).
//! - [`direction`]: ingress and egress.
//! - [`protocol`]: TCP, UDP, SCTP.
//! - [`ports`]: container ports and Service ports.
//! - [`address`]: address classes and the cluster's ranges.
//! - [`time`]: times in nanoseconds, minutes, time windows.
//! - [`l7`]: the HTTP, DNS and Kafka requests an L7 proxy saw on a communication.
//! - [`observed`]: what was observed of a communication: connections per vantage and minute.
//! - [`network_policy`]: the NetworkPolicy document (`networking.k8s.io/v1`).
//! - [`cilium_policy`]: the CiliumNetworkPolicy document (`cilium.io/v2`).

pub mod address;
pub mod cilium_policy;
pub mod direction;
pub mod ids;
pub mod keys;
pub mod l7;
pub mod labels;
pub mod network_policy;
pub mod observed;
pub mod ports;
pub mod protocol;
pub mod time;
pub mod workload;

pub use address::{parse_ip, AddressClass, ClusterRanges};
pub use direction::Direction;
pub use ids::{AddressId, CommunicationId, EntityId, ServiceId};
pub use keys::{OwnerKey, PeerKey, RowKey};
pub use labels::{LabelSelector, Labels};
pub use protocol::Protocol;
pub use time::TimeWindow;
pub use workload::{ControllerKind, EntityKind, Owner};
