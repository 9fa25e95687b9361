//! What a new load does to the review's decisions: those stored for its data replace them,
//! unless decisions were made before any data was loaded (those are kept, and stored for the
//! data); a restored review of something is announced, an empty one silently taken.

use crate::engine::decisions::Decisions;

/// What the page says when it restores a review that decided something.
pub const RESTORED: &str = "Decisions of an earlier review of this data restored.";

/// What becomes of the decisions when data is shown whose stored decisions are `stored`.
#[derive(Clone, Debug, PartialEq)]
pub enum OnNewData {
    /// The stored decisions replace the review's; `announced` when they decide something.
    Restore {
        decisions: Box<Decisions>,
        announced: bool,
    },
    /// The review's decisions stay, and are stored under the new data.
    Keep,
}

/// What to do with the decisions `stored` for new data, when `current` are the review's and
/// `first_data` says no data was shown before (decisions made then are kept).
pub fn on_new_data(stored: Option<Decisions>, current: &Decisions, first_data: bool) -> OnNewData {
    let made_before_data = first_data && *current != Decisions::default();
    match stored {
        Some(decisions) if !made_before_data => OnNewData::Restore {
            announced: decisions.count() > 0,
            decisions: Box::new(decisions),
        },
        _ => OnNewData::Keep,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn some() -> Decisions {
        let mut decisions = Decisions::default();
        decisions.add_alias("office", "10.1.0.0/16").unwrap();
        decisions
    }

    #[test]
    fn stored_decisions_are_restored_and_announced_when_they_decide_something() {
        let restored = on_new_data(Some(some()), &Decisions::default(), true);
        assert_eq!(
            restored,
            OnNewData::Restore {
                decisions: Box::new(some()),
                announced: true
            }
        );
        let empty = on_new_data(Some(Decisions::default()), &some(), false);
        assert_eq!(
            empty,
            OnNewData::Restore {
                decisions: Box::default(),
                announced: false
            },
            "data shown before: its decisions give way to the new data's"
        );
    }

    #[test]
    fn decisions_made_before_any_data_or_with_nothing_stored_are_kept() {
        assert_eq!(
            on_new_data(Some(Decisions::default()), &some(), true),
            OnNewData::Keep
        );
        assert_eq!(on_new_data(None, &some(), false), OnNewData::Keep);
        assert_eq!(
            on_new_data(None, &Decisions::default(), true),
            OnNewData::Keep
        );
    }
}
