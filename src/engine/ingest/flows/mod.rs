//! Flows: what the events the formats read mean, counted into the dataset's communications.
//!
//! - [`connection`]: what an event means: a start, evidence of an open connection, a reply,
//!   undecided, or nothing a policy can name.
//! - [`endpoints`]: endpoints as the flows describe them, each stored once.
//! - [`aggregate`]: events counted per communication, connections not events (`tally`);
//!   packets of unknown direction decided once every file is read (`undecided`).

pub mod aggregate;
pub mod connection;
pub mod endpoints;
mod tally;
pub(crate) mod undecided;
