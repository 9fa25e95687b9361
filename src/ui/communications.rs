//! The communications of the entity in scope, one direction: peer, port, protocol,
//! connections, first and last seen, DNS names (read-only until the review step).

use leptos::prelude::*;

use crate::engine::dataset::{Dataset, Peer};
use crate::engine::units::{thousands, utc_time};

/// Ingress (who connects to the entity) or egress (whom it connects to).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    fn as_str(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }
}

/// One row, as plain text.
struct Row {
    peer: String,
    peer_detail: String,
    port: u16,
    protocol: String,
    connections: u64,
    first: String,
    last: String,
    names: String,
}

fn rows(dataset: &Dataset, entity: usize, direction: Direction) -> Vec<Row> {
    let (ingress, egress) = dataset.communications_of(entity);
    let list = match direction {
        Direction::Ingress => ingress,
        Direction::Egress => egress,
    };
    let mut rows: Vec<Row> = list
        .into_iter()
        .map(|c| {
            let peer = match direction {
                Direction::Ingress => c.client,
                Direction::Egress => c.server,
            };
            let (peer_detail, names) = match peer {
                Peer::Entity(_) => (String::new(), String::new()),
                Peer::Address(id) => {
                    let address = &dataset.addresses[id];
                    let names = address.names.iter().cloned().collect::<Vec<_>>().join(", ");
                    (address.class.as_str().to_string(), names)
                }
            };
            Row {
                peer: dataset.peer_label(peer),
                peer_detail,
                port: c.port,
                protocol: c.protocol.to_string(),
                connections: c.observed.connections(),
                first: c.observed.first_seen.map(utc_time).unwrap_or_default(),
                last: c.observed.last_seen.map(utc_time).unwrap_or_default(),
                names,
            }
        })
        .collect();
    rows.sort_by(|a, b| (&a.peer, a.port).cmp(&(&b.peer, b.port)));
    rows
}

/// The table of one direction's communications.
#[component]
pub fn CommunicationList(
    dataset: std::sync::Arc<crate::engine::ingest::session::LoadResult>,
    entity: usize,
    direction: Direction,
) -> impl IntoView {
    let rows = rows(&dataset.dataset, entity, direction);
    if rows.is_empty() {
        return view! {
            <div class="fp-empty" data-testid="empty-state">
                <h2 class="fp-empty__title">{format!("No {} communications", direction.as_str())}</h2>
                <p class="fp-empty__text">"None was observed in the loaded flows."</p>
            </div>
        }
        .into_any();
    }
    let body = rows
        .into_iter()
        .map(|row| {
            let peer_attribute = row.peer.clone();
            let protocol_attribute = row.protocol.clone();
            view! {
                <tr
                    data-testid="comm-row"
                    data-direction=direction.as_str()
                    data-peer=peer_attribute
                    data-port=row.port.to_string()
                    data-protocol=protocol_attribute
                >
                    <td class="fp-comms__peer">{row.peer}<span class="fp-comms__detail">{row.peer_detail}</span></td>
                    <td>{row.port}</td>
                    <td>{row.protocol}</td>
                    <td class="fp-comms__count">{thousands(row.connections)}</td>
                    <td>{row.first}</td>
                    <td>{row.last}</td>
                    <td>{row.names}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="fp-comms">
            <thead>
                <tr>
                    <th scope="col">"Peer"</th>
                    <th scope="col">"Port"</th>
                    <th scope="col">"Protocol"</th>
                    <th scope="col">"Connections"</th>
                    <th scope="col">"First seen (UTC)"</th>
                    <th scope="col">"Last seen (UTC)"</th>
                    <th scope="col">"DNS names"</th>
                </tr>
            </thead>
            <tbody>{body}</tbody>
        </table>
    }
    .into_any()
}
