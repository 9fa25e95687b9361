//! A [`LoadResult`] in pieces, and put back together. The browser's worker hands its result to
//! the page in pieces of a few thousand rows, because the page takes each message in one go: a
//! capture of 50,000 pods is 27 MB of JSON, which would hold the page half a second, while
//! each piece costs it a few milliseconds and the page answers input in between.
//!
//! The tables of the dataset (entities, addresses, communications) travel in order, a piece
//! at a time; the rest of the result (files, problems, ranges, the cluster's policies) travels
//! last, with those tables empty. Ids are positions in the tables, so order is all it takes.

use serde::{Deserialize, Serialize};

use super::LoadResult;
use crate::engine::dataset::{Address, Communication, Entity};

/// Part of a result: rows of one of the dataset's tables, in order.
#[derive(Serialize, Deserialize, Debug, Clone)]
#[serde(rename_all = "snake_case")]
pub enum Piece {
    Entities(Vec<Entity>),
    Addresses(Vec<Address>),
    Communications(Vec<Communication>),
}

impl Piece {
    /// How many rows the piece holds.
    pub fn len(&self) -> usize {
        match self {
            Piece::Entities(rows) => rows.len(),
            Piece::Addresses(rows) => rows.len(),
            Piece::Communications(rows) => rows.len(),
        }
    }

    /// Whether the piece holds no row.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Splits `result` into its rest (the result with its tables emptied) and the pieces of
/// those tables, at most `rows` rows each (at least one), taken one at a time.
pub fn split(mut result: LoadResult, rows: usize) -> (LoadResult, Pieces) {
    let dataset = &mut result.dataset;
    let pieces = Pieces {
        rows: rows.max(1),
        entities: std::mem::take(&mut dataset.entities).into_iter(),
        addresses: std::mem::take(&mut dataset.addresses).into_iter(),
        communications: std::mem::take(&mut dataset.communications).into_iter(),
    };
    (result, pieces)
}

/// The pieces of a result's tables, in order: entities, addresses, communications.
#[derive(Debug)]
pub struct Pieces {
    rows: usize,
    entities: std::vec::IntoIter<Entity>,
    addresses: std::vec::IntoIter<Address>,
    communications: std::vec::IntoIter<Communication>,
}

impl Iterator for Pieces {
    type Item = Piece;

    fn next(&mut self) -> Option<Piece> {
        let rows = self.rows;
        let entities: Vec<Entity> = self.entities.by_ref().take(rows).collect();
        if !entities.is_empty() {
            return Some(Piece::Entities(entities));
        }
        let addresses: Vec<Address> = self.addresses.by_ref().take(rows).collect();
        if !addresses.is_empty() {
            return Some(Piece::Addresses(addresses));
        }
        let communications: Vec<Communication> = self.communications.by_ref().take(rows).collect();
        (!communications.is_empty()).then_some(Piece::Communications(communications))
    }
}

/// The tables received so far, waiting for the rest of the result.
#[derive(Debug, Default)]
pub struct Assembly {
    entities: Vec<Entity>,
    addresses: Vec<Address>,
    communications: Vec<Communication>,
}

impl Assembly {
    /// Adds a piece after those received before it.
    pub fn add(&mut self, piece: Piece) {
        match piece {
            Piece::Entities(rows) => self.entities.extend(rows),
            Piece::Addresses(rows) => self.addresses.extend(rows),
            Piece::Communications(rows) => self.communications.extend(rows),
        }
    }

    /// The whole result: `rest` with the tables received put in front of any rows it holds.
    pub fn finish(self, mut rest: LoadResult) -> LoadResult {
        let dataset = &mut rest.dataset;
        prepend(&mut dataset.entities, self.entities);
        prepend(&mut dataset.addresses, self.addresses);
        prepend(&mut dataset.communications, self.communications);
        rest
    }
}

fn prepend<T>(table: &mut Vec<T>, mut received: Vec<T>) {
    received.append(table);
    *table = received;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::load::load_files;

    const CAPTURE: &[u8] = include_bytes!(
        "../../../tests/fixtures/real/hubble-otel_basic-sample-400-tcp-flows.first129.jsonl"
    );

    fn sample() -> LoadResult {
        load_files(&[("capture.jsonl", CAPTURE)], &[])
    }

    /// Splits, sends every piece through JSON as the worker does, and assembles.
    fn round_trip(result: LoadResult, rows: usize) -> (LoadResult, Vec<usize>) {
        let mut assembly = Assembly::default();
        let mut sizes = Vec::new();
        let (rest, pieces) = split(result, rows);
        for piece in pieces {
            sizes.push(piece.len());
            let text = serde_json::to_string(&piece).unwrap();
            assembly.add(serde_json::from_str(&text).unwrap());
        }
        let text = serde_json::to_string(&rest).unwrap();
        (assembly.finish(serde_json::from_str(&text).unwrap()), sizes)
    }

    #[test]
    fn a_result_in_pieces_is_the_same_result() {
        let whole = sample();
        assert!(
            whole.dataset.entities.len() > 3,
            "the sample has entities to split"
        );
        assert!(!whole.dataset.addresses.is_empty(), "and addresses");
        for rows in [1, 2, 3, 7, 1000] {
            let (back, _) = round_trip(whole.clone(), rows);
            assert_eq!(
                serde_json::to_value(&back).unwrap(),
                serde_json::to_value(&whole).unwrap(),
                "in pieces of {rows}"
            );
        }
    }

    #[test]
    fn pieces_hold_at_most_the_rows_asked_and_the_rest_holds_no_table() {
        let whole = sample();
        let table_rows = whole.dataset.entities.len()
            + whole.dataset.addresses.len()
            + whole.dataset.communications.len();
        let (rest, pieces) = split(whole, 3);
        let sizes: Vec<usize> = pieces.map(|piece| piece.len()).collect();
        assert!(sizes.iter().all(|&n| (1..=3).contains(&n)), "{sizes:?}");
        assert_eq!(sizes.iter().sum::<usize>(), table_rows);
        assert!(rest.dataset.entities.is_empty());
        assert!(rest.dataset.addresses.is_empty());
        assert!(rest.dataset.communications.is_empty());
        assert!(!rest.files.is_empty(), "the rest keeps the files' reports");
    }

    #[test]
    fn an_empty_result_needs_no_piece() {
        let (back, sizes) = round_trip(LoadResult::default(), 10);
        assert!(sizes.is_empty());
        assert!(back.dataset.entities.is_empty());
    }

    #[test]
    fn rows_of_zero_still_make_progress() {
        let whole = sample();
        let (back, sizes) = round_trip(whole.clone(), 0);
        assert!(sizes.iter().all(|&n| n == 1));
        assert_eq!(back.dataset.entities.len(), whole.dataset.entities.len());
    }
}
