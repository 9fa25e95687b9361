//! The UI's state: plain domain values from the engine wrapped in signals, in one place.

use std::sync::Arc;

use leptos::prelude::*;

use crate::engine::decisions::Decisions;
use crate::engine::ingest::formats::detect::InputFormat;
use crate::engine::l7::L7Options;
use crate::engine::load::LoadResult;
use crate::engine::model::TimeWindow;
use crate::engine::review::map_request::MapRequest;
use crate::engine::scope::{Scope, Subject};

use super::browser::ingest_job::IngestJob;
use super::browser::pending_file::PendingFile;

/// Where a loaded file came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileOrigin {
    /// The bundled demo data.
    Demo,
    /// Dropped onto the drop zone.
    Dropped,
    /// Chosen with the file picker.
    Picked,
}

/// One file the user loaded, as the load status reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadedFile {
    /// Unique within the page, for keyed lists.
    pub id: usize,
    pub name: String,
    pub size: u64,
    pub format: InputFormat,
    pub origin: FileOrigin,
    /// Its content's key: a file loaded twice is not added twice.
    pub key: u64,
}

/// The main views.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Ingress,
    Egress,
    Topology,
    Policy,
}

impl Tab {
    /// Every tab, in display order.
    pub const ALL: [Tab; 4] = [Tab::Ingress, Tab::Egress, Tab::Topology, Tab::Policy];

    /// The label on the tab.
    pub fn label(self) -> &'static str {
        match self {
            Tab::Ingress => "Ingress",
            Tab::Egress => "Egress",
            Tab::Topology => "Topology",
            Tab::Policy => "Generated Policy",
        }
    }

    /// The stable `data-testid` of the tab button.
    pub fn test_id(self) -> &'static str {
        match self {
            Tab::Ingress => "tab-ingress",
            Tab::Egress => "tab-egress",
            Tab::Topology => "tab-topology",
            Tab::Policy => "tab-policy",
        }
    }

    /// The tab `step` places after this one, wrapping around (for arrow keys).
    pub fn cycled(self, step: isize) -> Tab {
        let index = Tab::ALL.iter().position(|&t| t == self).unwrap_or(0) as isize;
        let len = Tab::ALL.len() as isize;
        Tab::ALL[(index + step).rem_euclid(len) as usize]
    }
}

/// How far the worker has read one file.
#[derive(Clone, Debug, PartialEq)]
pub struct FileProgress {
    pub name: String,
    pub read: u64,
    pub total: u64,
    pub flows: u64,
}

/// A load in progress.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadProgress {
    pub files: Vec<FileProgress>,
    /// `Date.now()` when the load started.
    pub started_ms: f64,
}

/// Everything the views share, provided as context by the app.
/// The stages in which a large new load is drawn, one task each, so that no task holds the
/// page long (50,000 pods: a few tenths of a second in one go).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reveal {
    /// The summary and the scope's fields.
    Summary,
    /// Also the entity list and the notes above the review.
    Lists,
    /// Also the review's rows, worked out (the table still says it is preparing them).
    Rows,
    /// Also the review's table, counts and unresolved addresses.
    Everything,
}

impl Reveal {
    /// The stage after this one.
    pub fn next(self) -> Reveal {
        match self {
            Reveal::Summary => Reveal::Lists,
            Reveal::Lists => Reveal::Rows,
            Reveal::Rows | Reveal::Everything => Reveal::Everything,
        }
    }
}

#[derive(Clone, Copy)]
pub struct AppState {
    pub files: RwSignal<Vec<LoadedFile>>,
    /// Names of the files being read right now.
    pub reading: RwSignal<Vec<String>>,
    pub error: RwSignal<Option<String>>,
    /// The alias dialog's request, while it is open.
    pub mapping: RwSignal<Option<MapRequest>>,
    /// A remark on the last load that is not an error (a file loaded twice).
    pub notice: RwSignal<Option<String>>,
    pub tab: RwSignal<Tab>,
    /// The scope every view follows (the engine's plain value).
    pub scope: RwSignal<Scope>,
    /// The running load, while the worker reads.
    pub progress: RwSignal<Option<LoadProgress>>,
    /// The last finished load.
    pub result: RwSignal<Option<Arc<LoadResult>>>,
    /// The fingerprint of the last finished load's data (the review's decisions are stored
    /// under it), computed by the worker: set with `result`.
    pub fingerprint: StoredValue<Option<String>>,
    /// How much of a large new load is drawn so far: its summary first, then the entity list
    /// and notes, then the review's rows, then its table, a task each (see
    /// `worker_client::show_result`); `Reveal::Everything` at once for small loads.
    pub reveal: RwSignal<Reveal>,
    /// The review's decisions (the engine's plain type).
    pub decisions: RwSignal<Decisions>,
    /// The kind of policy the Generated Policy tab writes.
    pub policy_kind: RwSignal<crate::engine::policy::PolicyKind>,
    /// Whether NetworkPolicies' ipBlocks are read as matching pods' own addresses (Calico).
    pub ipblock_matches_pods: RwSignal<bool>,
    /// Whether CiliumNetworkPolicies carry L7 rules for the requests seen.
    pub l7_rules: RwSignal<bool>,
    /// Every file loaded so far (a new file re-reads them all with it).
    pub sources: StoredValue<Vec<PendingFile>, LocalStorage>,
    /// The running ingest worker.
    pub job: StoredValue<Option<IngestJob>, LocalStorage>,
    next_id: StoredValue<usize>,
}

impl AppState {
    /// How the Generated Policy tab writes and checks policies.
    pub fn policy_options(&self) -> crate::engine::policy::view::PolicyOptions {
        crate::engine::policy::view::PolicyOptions {
            kind: self.policy_kind.get(),
            ipblock_matches_pods: self.ipblock_matches_pods.get(),
            l7: self.l7_rules.get().then(L7Options::default),
        }
    }

    /// [`policy_options`](Self::policy_options) without tracking.
    pub fn policy_options_untracked(&self) -> crate::engine::policy::view::PolicyOptions {
        crate::engine::policy::view::PolicyOptions {
            kind: self.policy_kind.get_untracked(),
            ipblock_matches_pods: self.ipblock_matches_pods.get_untracked(),
            l7: self.l7_rules.get_untracked().then(L7Options::default),
        }
    }

    /// A fresh state: nothing loaded, the Ingress tab open.
    pub fn new() -> Self {
        AppState {
            files: RwSignal::new(Vec::new()),
            reading: RwSignal::new(Vec::new()),
            error: RwSignal::new(None),
            notice: RwSignal::new(None),
            mapping: RwSignal::new(None),
            tab: RwSignal::new(Tab::Ingress),
            scope: RwSignal::new(Scope::default()),
            progress: RwSignal::new(None),
            result: RwSignal::new(None),
            decisions: RwSignal::new(Decisions::default()),
            policy_kind: RwSignal::new(crate::engine::policy::PolicyKind::Kubernetes),
            ipblock_matches_pods: RwSignal::new(false),
            l7_rules: RwSignal::new(false),
            sources: StoredValue::new_local(Vec::new()),
            job: StoredValue::new_local(None),
            fingerprint: StoredValue::new(None),
            reveal: RwSignal::new(Reveal::Everything),
            next_id: StoredValue::new(0),
        }
    }

    /// Whether the page holds nothing a reload would lose: no file loaded, none being read.
    pub fn is_idle(&self) -> bool {
        self.files.with_untracked(Vec::is_empty)
            && self.reading.with_untracked(Vec::is_empty)
            && self.progress.with_untracked(Option::is_none)
            && self.result.with_untracked(Option::is_none)
    }

    /// A new unique file id.
    pub fn next_file_id(&self) -> usize {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        id
    }

    /// What the scope names.
    pub fn subject(&self) -> Option<Subject> {
        self.scope.with(|scope| scope.subject)
    }

    /// Whether a new load is drawn up to `stage`: a memo, so that what reads it is worked
    /// out again when that stage comes or goes, not at every other stage.
    pub fn revealed(&self, stage: Reveal) -> Memo<bool> {
        let reveal = self.reveal;
        Memo::new(move |_| reveal.get() >= stage)
    }

    /// The time span in scope.
    pub fn window(&self) -> TimeWindow {
        self.scope.with(Scope::window)
    }

    /// The time span in scope, untracked (for event handlers).
    pub fn window_untracked(&self) -> TimeWindow {
        self.scope.with_untracked(Scope::window)
    }

    /// Whether any loaded file holds flows: recognised from its head, or by the last load,
    /// which also sees inside gzip files.
    pub fn has_flows(&self) -> bool {
        self.files
            .with(|files| files.iter().any(|f| f.format.holds_flows()))
            || self.result.with(|result| {
                result
                    .as_ref()
                    .is_some_and(|r| r.files.iter().any(|f| f.holds_flows()))
            })
    }
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}
