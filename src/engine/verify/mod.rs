//! Verification: the policy evaluator (`evaluate`: NetworkPolicy semantics, and
//! CiliumNetworkPolicy semantics in `cilium`, alone or together, over a connection's ends as
//! `endpoint` describes them) and the replay of observed communications through generated or
//! existing policies (`replay`), the requests seen replayed one by one through L7 rules
//! (`requests`), and two sets of policies compared over the same communications
//! (`diff`). Existing policies are read by `ingest::policies`.

pub mod cilium;
pub mod diff;
pub mod endpoint;
pub mod evaluate;
pub mod replay;
pub mod requests;
