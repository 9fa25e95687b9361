//! Typed indices into the dataset's tables, so an entity's index cannot be used as an
//! address's or a communication's. Each serialises as its bare number.

use std::fmt;

/// Defines an index type: a `u32` that only its own table takes.
macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            serde::Serialize,
            serde::Deserialize,
            Clone,
            Copy,
            Debug,
            PartialEq,
            Eq,
            PartialOrd,
            Ord,
            Hash,
        )]
        #[serde(transparent)]
        pub struct $name(u32);

        impl $name {
            /// The id of the row at `index` of its table.
            pub fn new(index: usize) -> Self {
                $name(u32::try_from(index).unwrap_or(u32::MAX))
            }

            /// The row's position in its table.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

index_type!(
    /// An entity (a workload or a bare pod) of the dataset.
    EntityId
);
index_type!(
    /// An address no Kubernetes object explains.
    AddressId
);
index_type!(
    /// A communication: client, server, protocol and port.
    CommunicationId
);
index_type!(
    /// A Service of the inventory.
    ServiceId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_their_index_and_serialise_as_numbers() {
        let id = EntityId::new(41);
        assert_eq!(id.index(), 41);
        assert_eq!(serde_json::to_string(&id).unwrap(), "41");
        assert_eq!(serde_json::from_str::<EntityId>("41").unwrap(), id);
        assert_eq!(CommunicationId::new(7).to_string(), "7");
    }
}
