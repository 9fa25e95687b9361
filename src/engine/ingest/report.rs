//! What ingest says about the files: one report per file (format, counts, why records were
//! skipped, why the whole file could not be used), and problems with file, line and reason.

use std::collections::BTreeMap;

use crate::engine::ingest::flows::connection::SkipReason;
use crate::engine::ingest::formats::detect::InputFormat;
use crate::engine::units::thousands;

/// How many problems are listed (all are counted).
pub const LISTED_PROBLEMS: usize = 100;

/// A problem with one place of one file.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: String,
    /// 1-based line, or 0 when the problem is not tied to a line.
    pub line: u64,
    pub message: String,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        } else {
            write!(f, "{}: {}", self.file, self.message)
        }
    }
}

/// What one file held.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct FileReport {
    pub name: String,
    /// Bytes received (compressed, for a gzip file).
    pub bytes: u64,
    /// Bytes after decompression.
    pub decoded_bytes: u64,
    pub format: Option<InputFormat>,
    pub compressed: bool,
    /// Records (lines or array elements) read.
    pub records: u64,
    /// Records that were flows.
    pub flows: u64,
    /// Flows that started a connection.
    pub starts: u64,
    /// Flows that did not, by reason.
    pub skipped: BTreeMap<SkipReason, u64>,
    /// Records or items that could not be read.
    pub problems: u64,
    /// Kubernetes objects read from an inventory.
    pub objects: u64,
    /// Why the whole file could not be used, if it could not.
    pub error: Option<String>,
}

impl FileReport {
    /// What a finished load says of the file, in one line: `129 records · 20 connection
    /// starts · 0 problems`, with the packets whose direction nothing told, if any.
    pub fn summary(&self) -> String {
        match self.format {
            Some(InputFormat::Hubble | InputFormat::FlowpolJson) => {
                let mut text = format!(
                    "{} records · {} connection starts · {} problems",
                    thousands(self.records),
                    thousands(self.starts),
                    thousands(self.problems)
                );
                if let Some(&unknown) = self.skipped.get(&SkipReason::UnknownDirection) {
                    text.push_str(&format!(
                        " · {} packets of unknown direction left out",
                        thousands(unknown)
                    ));
                }
                text
            }
            Some(InputFormat::KubernetesInventory) => format!(
                "{} objects · {} problems",
                thousands(self.objects),
                thousands(self.problems)
            ),
            Some(InputFormat::NetworkPoliciesYaml) => format!(
                "{} policies, to verify the observed traffic against",
                thousands(self.objects)
            ),
            _ => String::new(),
        }
    }

    /// What became of every flow record, for a file of flows: `20 connection starts, 34
    /// replies, 48 later packets of a connection, 20 L7 records` (they add up to its flows).
    pub fn outcome(&self) -> Option<String> {
        if !self.holds_flows() || self.flows == 0 {
            return None;
        }
        let mut parts = vec![format!("{} connection starts", thousands(self.starts))];
        parts.extend(
            self.skipped
                .iter()
                .filter(|(_, &count)| count > 0)
                .map(|(reason, &count)| format!("{} {}", thousands(count), reason.label())),
        );
        Some(parts.join(", "))
    }

    /// Whether the file held flows, of any format (gzip-compressed ones included).
    pub fn holds_flows(&self) -> bool {
        self.format.is_some_and(InputFormat::holds_flows)
    }
}

/// Counts a problem of `report`'s file at `line` (0: the whole file), listing it among the
/// first [`LISTED_PROBLEMS`].
pub fn note_problem(
    report: &mut FileReport,
    diagnostics: &mut Vec<Diagnostic>,
    problem_count: &mut u64,
    line: u64,
    message: String,
) {
    report.problems += 1;
    *problem_count += 1;
    if diagnostics.len() < LISTED_PROBLEMS {
        diagnostics.push(Diagnostic {
            file: report.name.clone(),
            line,
            message,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_flow_format_holds_flows_compressed_or_not() {
        let report = |format| FileReport {
            format,
            ..FileReport::default()
        };
        assert!(report(Some(InputFormat::Hubble)).holds_flows());
        assert!(report(Some(InputFormat::FlowpolJson)).holds_flows());
        assert!(!report(Some(InputFormat::KubernetesInventory)).holds_flows());
        assert!(!report(None).holds_flows());
        let mut gzip = crate::engine::ingest::session::Ingest::new();
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(
            &mut encoder,
            br#"{"src":{"ip":"10.0.0.1"},"dst":{"ip":"10.0.0.2"},"port":80}"#,
        )
        .unwrap();
        gzip.add_file("flows.json.gz", &encoder.finish().unwrap());
        assert!(gzip.files[0].compressed);
        assert!(gzip.files[0].holds_flows(), "{:?}", gzip.files[0]);
    }
}
