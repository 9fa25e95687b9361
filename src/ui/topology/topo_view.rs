//! The Topology tab's two pictures, and the name of the file each is exported as.

/// The two pictures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TopoView {
    /// The subject between its ingress and egress peers.
    Entity,
    /// A namespace's workloads (or every namespace).
    Namespace,
}

impl TopoView {
    /// The file the picture is saved as.
    pub fn file_name(self) -> &'static str {
        match self {
            TopoView::Entity => "flowpol-topology-entity.svg",
            TopoView::Namespace => "flowpol-topology-namespace.svg",
        }
    }
}
