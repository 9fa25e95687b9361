//! What a command found when it ran to the end, which its exit status says.

/// What a command found, when it ran to the end.
pub enum Outcome {
    /// Done; exit status 0.
    Done,
    /// `verify`: an observed connection would be denied (the message says how many); exit
    /// status 1, so a pipeline tells a blocked connection from a broken input.
    Denied(String),
    /// `generate`: the policies written would deny a communication the review included (the
    /// message says how many); exit status 3, unless `--allow-denied`.
    DeniesIncluded(String),
}
