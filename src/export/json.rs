//! `summary.json` and `run.json`.

use std::fs;
use std::io;
use std::path::Path;

use serde::Serialize;

use crate::analysis::run::RunSummary;

/// Run metadata that may change between runs (kept out of `summary.json`).
#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    /// Version of defsim.
    pub defsim_version: String,
    /// The scenario file as given.
    pub scenario_file: String,
    /// `--set` overrides applied: key, value and source (`--set`).
    pub overrides: Vec<crate::scenario::Override>,
    /// Seed and trials of the run.
    pub seed: u64,
    pub trials: u64,
    /// Worker threads used.
    pub threads: usize,
    /// Wall time of the simulation alone, seconds.
    pub simulate_seconds: f64,
    /// Wall time of the whole command up to writing, seconds.
    pub wall_seconds: f64,
    /// Seconds since the Unix epoch when the run started.
    pub started_unix: u64,
}

/// `value` as the text every JSON output holds: pretty JSON with a final newline.
pub fn to_text<T: Serialize>(value: &T) -> String {
    // Our outputs are plain structs and maps with string keys: they always serialise.
    let mut text = serde_json::to_string_pretty(value).expect("outputs serialise to JSON");
    text.push('\n');
    text
}

/// Writes `value` as [`to_text`] does.
pub fn write<T: Serialize>(path: &Path, value: &T) -> io::Result<()> {
    fs::write(path, to_text(value))
}

/// Reads a `summary.json`.
pub fn read_summary(path: &Path) -> anyhow::Result<RunSummary> {
    use anyhow::Context;
    let text =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("{} is not a defsim summary.json", path.display()))
}
